/*
 *  core_module.cpp -- the Python extension chiplearn._core: binds the numerical core of models/core,
 *  the same functions the NEST models call, so that Python code and tests use the very same arithmetic.
 *
 *  This file is part of chiplearn.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <span>
#include <stdexcept>
#include <tuple>

#include "core/eprop.h"
#include "core/interval_history.h"
#include "core/leaky.h"

namespace py = pybind11;
using namespace chiplearn::core;

namespace
{

using Array = py::array_t< double, py::array::c_style | py::array::forcecast >;

py::ssize_t
common_length( const Array& i_in, const Array& z_in )
{
  if ( i_in.ndim() != 1 or z_in.ndim() != 1 or i_in.shape( 0 ) != z_in.shape( 0 ) )
  {
    throw std::invalid_argument( "i_in and z_in must be one-dimensional arrays of equal length (one entry per step)" );
  }
  return i_in.shape( 0 );
}

// Runs the LIF neuron over the steps of i_in (current in effect during each step, pA) and z_in (summed
// spike weights arriving in each step, mV); returns v (relative to E_L) and z after each step.
std::tuple< Array, Array >
run_lif( LifState& state, const LifParameters& p, const LeakyPropagators& P, const Array& i_in, const Array& z_in )
{
  const py::ssize_t n = common_length( i_in, z_in );
  Array v( n ), z( n );
  auto i = i_in.unchecked< 1 >();
  auto x = z_in.unchecked< 1 >();
  auto v_out = v.mutable_unchecked< 1 >();
  auto z_out = z.mutable_unchecked< 1 >();
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    lif_step( state, p, P, i( t ), x( t ) );
    v_out( t ) = state.v;
    z_out( t ) = state.z;
  }
  return { v, z };
}

// As run_lif for the ALIF neuron; also returns the adaptation a after each step.
std::tuple< Array, Array, Array >
run_alif( AlifState& state, const AlifParameters& p, const LeakyPropagators& P, const Array& i_in, const Array& z_in )
{
  const py::ssize_t n = common_length( i_in, z_in );
  Array v( n ), a( n ), z( n );
  auto i = i_in.unchecked< 1 >();
  auto x = z_in.unchecked< 1 >();
  auto v_out = v.mutable_unchecked< 1 >();
  auto a_out = a.mutable_unchecked< 1 >();
  auto z_out = z.mutable_unchecked< 1 >();
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    alif_step( state, p, P, i( t ), x( t ) );
    v_out( t ) = state.lif.v;
    a_out( t ) = state.adaptation;
    z_out( t ) = state.lif.z;
  }
  return { v, a, z };
}

// Runs the leaky readout from v0 (relative to E_L); returns v after each step.
Array
run_readout( double v0, const LeakyPropagators& P, double V_min, const Array& i_in, const Array& z_in )
{
  const py::ssize_t n = common_length( i_in, z_in );
  Array v( n );
  auto i = i_in.unchecked< 1 >();
  auto x = z_in.unchecked< 1 >();
  auto v_out = v.mutable_unchecked< 1 >();
  double state = v0;
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    state = leaky_step( state, P, i( t ), x( t ), V_min );
    v_out( t ) = state;
  }
  return v;
}

/** An IntervalHistory with the spike kernel of a recurrent neuron or of a readout, as the NEST models keep it. */
class KernelHistory
{
public:
  KernelHistory( long interval_steps, long shift, IntervalHistory::KernelFunction compute )
    : compute_( std::move( compute ) )
  {
    if ( interval_steps <= 0 )
    {
      throw std::invalid_argument( "interval_steps must be positive" );
    }
    history_.configure( interval_steps, shift );
  }

  void
  seal( long interval )
  {
    history_.seal( interval, compute_ );
  }

  double
  take_gradient( long interval, const py::array_t< long, py::array::c_style | py::array::forcecast >& spike_steps )
  {
    if ( spike_steps.ndim() != 1 )
    {
      throw std::invalid_argument( "spike_steps must be a one-dimensional array" );
    }
    return history_.take_gradient(
      interval, std::span< const long >( spike_steps.data(), spike_steps.shape( 0 ) ), compute_ );
  }

  IntervalHistory history_;

private:
  IntervalHistory::KernelFunction compute_;
};

}  // namespace

PYBIND11_MODULE( _core, m )
{
  m.doc() = "chiplearn's numerical core (models/core), shared with the NEST models. Potentials are relative to E_L.";

  py::class_< LeakyPropagators >( m, "LeakyPropagators" )
    .def_readonly( "P_v", &LeakyPropagators::P_v )
    .def_readonly( "P_i", &LeakyPropagators::P_i )
    .def_readonly( "P_z", &LeakyPropagators::P_z );
  m.def( "leaky_propagators", &leaky_propagators, py::arg( "h" ), py::arg( "tau_m" ), py::arg( "C_m" ),
    py::arg( "regular_spike_arrival" ) );
  m.def( "decay_factor", &decay_factor, py::arg( "h" ), py::arg( "tau" ) );

  py::class_< LifParameters >( m, "LifParameters" )
    .def( py::init( []( double V_th, double V_min, long refractory_steps )
            { return LifParameters { V_th, V_min, refractory_steps }; } ),
      py::arg( "V_th" ), py::arg( "V_min" ), py::arg( "refractory_steps" ) )
    .def_readwrite( "V_th", &LifParameters::V_th )
    .def_readwrite( "V_min", &LifParameters::V_min )
    .def_readwrite( "refractory_steps", &LifParameters::refractory_steps );
  py::class_< LifState >( m, "LifState" )
    .def( py::init<>() )
    .def_readwrite( "v", &LifState::v )
    .def_readwrite( "z", &LifState::z )
    .def_readwrite( "refractory_left", &LifState::refractory_left );

  py::class_< AlifParameters >( m, "AlifParameters" )
    .def( py::init( []( const LifParameters& lif, double adapt_beta, double P_adapt )
            { return AlifParameters { lif, adapt_beta, P_adapt }; } ),
      py::arg( "lif" ), py::arg( "adapt_beta" ), py::arg( "P_adapt" ) )
    .def_readwrite( "lif", &AlifParameters::lif )
    .def_readwrite( "adapt_beta", &AlifParameters::adapt_beta )
    .def_readwrite( "P_adapt", &AlifParameters::P_adapt );
  py::class_< AlifState >( m, "AlifState" )
    .def( py::init<>() )
    .def_readwrite( "lif", &AlifState::lif )
    .def_readwrite( "adaptation", &AlifState::adaptation );

  m.def( "leaky_step", &leaky_step, py::arg( "v" ), py::arg( "propagators" ), py::arg( "i_in" ), py::arg( "z_in" ),
    py::arg( "V_min" ) );
  m.def( "lif_step", &lif_step, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "alif_step", &alif_step, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "adaptive_threshold", &adaptive_threshold, py::arg( "state" ), py::arg( "parameters" ) );

  m.def(
    "surrogate_gradient",
    []( const std::string& shape, bool refractory, double v, double v_th, double height, double width )
    { return surrogate_gradient( surrogate_shape_from_name( shape ), refractory, v, v_th, height, width ); },
    py::arg( "shape" ), py::arg( "refractory" ), py::arg( "v" ), py::arg( "v_th" ), py::arg( "height" ),
    py::arg( "width" ) );
  m.attr( "SURROGATE_SHAPES" ) = surrogate_shape_names();

  py::class_< EligibilityParameters >( m, "EligibilityParameters" )
    .def( py::init( []( double P_v, double P_z, double kappa, double adapt_beta, double P_adapt )
            { return EligibilityParameters { P_v, P_z, kappa, adapt_beta, P_adapt }; } ),
      py::arg( "P_v" ), py::arg( "P_z" ), py::arg( "kappa" ), py::arg( "adapt_beta" ) = 0.0,
      py::arg( "P_adapt" ) = 0.0 );

  py::class_< KernelHistory >( m, "IntervalHistory",
    "What an e-prop neuron keeps of its past for its synapses' gradients (models/core/interval_history.h)." )
    .def_static(
      "recurrent",
      []( long interval_steps, long shift, const EligibilityParameters& p )
      {
        return KernelHistory( interval_steps,
          shift,
          [ p ]( const IntervalHistory::Interval& record, std::vector< double >& kernel )
          { recurrent_interval_kernel( record, p, kernel ); } );
      },
      py::arg( "interval_steps" ), py::arg( "shift" ), py::arg( "parameters" ),
      "History of a recurrent neuron: records pseudo-derivative and learning signal per step." )
    .def_static(
      "readout",
      []( long interval_steps, long shift, double P_v, double P_z )
      {
        return KernelHistory( interval_steps,
          shift,
          [ P_v, P_z ]( const IntervalHistory::Interval& record, std::vector< double >& kernel )
          { readout_interval_kernel( record, P_v, P_z, kernel ); } );
      },
      py::arg( "interval_steps" ), py::arg( "shift" ), py::arg( "P_v" ), py::arg( "P_z" ),
      "History of a readout: records the error signal per step." )
    .def( "record", []( KernelHistory& h, long key, double first, double second )
      { h.history_.record( key, first, second ); }, py::arg( "key" ), py::arg( "first" ), py::arg( "second" ) = 0.0 )
    .def( "set_scalar", []( KernelHistory& h, long interval, double value ) { h.history_.set_scalar( interval, value ); },
      py::arg( "interval" ), py::arg( "value" ) )
    .def( "acquire", []( KernelHistory& h, long interval ) { h.history_.acquire( interval ); }, py::arg( "interval" ) )
    .def( "note_spike", []( KernelHistory& h, long interval, long step ) { h.history_.note_spike( interval, step ); },
      py::arg( "interval" ), py::arg( "step" ) )
    .def( "seal", &KernelHistory::seal, py::arg( "interval" ) )
    .def( "take_gradient", &KernelHistory::take_gradient, py::arg( "interval" ), py::arg( "spike_steps" ) )
    .def( "forget_unused", []( KernelHistory& h, long current ) { h.history_.forget_unused( current ); },
      py::arg( "current" ) )
    .def_property_readonly( "size", []( const KernelHistory& h ) { return h.history_.size(); },
      "number of intervals kept" )
    .def_property_readonly( "stored_values", []( const KernelHistory& h ) { return h.history_.stored_values(); },
      "number of values kept for all intervals (recorded, kernel, owed)" );

  py::enum_< OptimizerType >( m, "OptimizerType" )
    .value( "gradient_descent", OptimizerType::gradient_descent )
    .value( "adam", OptimizerType::adam );
  py::class_< OptimizerParameters >( m, "OptimizerParameters" )
    .def( py::init<>() )
    .def_readwrite( "type", &OptimizerParameters::type )
    .def_property_readonly( "eta", []( const OptimizerParameters& p ) { return p.eta.latest(); } )
    .def(
      "set_eta",
      []( OptimizerParameters& p, long first_batch, double eta ) { p.eta.set( first_batch, eta ); },
      py::arg( "first_batch" ),
      py::arg( "eta" ),
      "Learning rate of the batches from first_batch on." )
    .def_readwrite( "batch_size", &OptimizerParameters::batch_size )
    .def_readwrite( "Wmin", &OptimizerParameters::Wmin )
    .def_readwrite( "Wmax", &OptimizerParameters::Wmax )
    .def_readwrite( "beta_1", &OptimizerParameters::beta_1 )
    .def_readwrite( "beta_2", &OptimizerParameters::beta_2 )
    .def_readwrite( "epsilon", &OptimizerParameters::epsilon );
  py::class_< OptimizerState >( m, "OptimizerState" )
    .def( py::init<>() )
    .def_readwrite( "summed_gradient", &OptimizerState::summed_gradient )
    .def_readwrite( "batch", &OptimizerState::batch )
    .def_readwrite( "adam_steps", &OptimizerState::adam_steps )
    .def_readwrite( "m", &OptimizerState::m )
    .def_readwrite( "v", &OptimizerState::v );
  m.def( "optimized_weight", &optimized_weight, py::arg( "state" ), py::arg( "parameters" ), py::arg( "interval" ),
    py::arg( "gradient" ), py::arg( "weight" ) );

  m.def( "run_lif", &run_lif, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "run_alif", &run_alif, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "run_readout", &run_readout, py::arg( "v0" ), py::arg( "propagators" ), py::arg( "V_min" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
}
