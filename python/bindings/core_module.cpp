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
#include <string>
#include <type_traits>

#include "core/arithmetic.h"
#include "core/counter_rng.h"
#include "core/ebn.h"
#include "core/eprop.h"
#include "core/eventprop.h"
#include "core/fixed_point.h"
#include "core/interval_history.h"
#include "core/loss.h"
#include "core/membrane.h"
#include "core/named_choice.h"
#include "core/optimizer.h"
#include "core/reckon.h"
#include "core/surrogate.h"
#include "core/weight_grid.h"

namespace py = pybind11;
using namespace chiplearn::core;

namespace
{

using Array = py::array_t< double, py::array::c_style | py::array::forcecast >;
using StepArray = py::array_t< long, py::array::c_style | py::array::forcecast >;

py::ssize_t
common_length( const Array& i_in, const Array& z_in )
{
  if ( i_in.ndim() != 1 or z_in.ndim() != 1 or i_in.shape( 0 ) != z_in.shape( 0 ) )
  {
    throw std::invalid_argument( "i_in and z_in must be one-dimensional arrays of equal length (one entry per step)" );
  }
  return i_in.shape( 0 );
}

/**
 * Runs a spiking dynamics type over the steps of i_in (current in effect during each step, pA) and z_in
 * (summed spike weights arriving in each step, mV) in exact arithmetic; returns v (relative to E_L) and z
 * after each step, and for ALIF the adaptation.
 */
template < typename Dynamics >
py::tuple
run_spiking( typename Dynamics::State& state,
  const typename Dynamics::Parameters& p,
  const LeakyPropagators& P,
  const Array& i_in,
  const Array& z_in )
{
  const py::ssize_t n = common_length( i_in, z_in );
  const Exact arithmetic;
  Array v( n ), z( n ), a( n );
  auto i = i_in.unchecked< 1 >();
  auto x = z_in.unchecked< 1 >();
  auto v_out = v.mutable_unchecked< 1 >();
  auto z_out = z.mutable_unchecked< 1 >();
  auto a_out = a.mutable_unchecked< 1 >();
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    spiking_step< Dynamics >( state, p, P, i( t ), x( t ), arithmetic );
    v_out( t ) = Dynamics::lif( state ).v;
    z_out( t ) = Dynamics::lif( state ).z;
    if constexpr ( std::is_same_v< Dynamics, Alif > )
    {
      a_out( t ) = state.adaptation;
    }
  }
  if constexpr ( std::is_same_v< Dynamics, Alif > )
  {
    return py::make_tuple( v, a, z );
  }
  else
  {
    return py::make_tuple( v, z );
  }
}

// Runs the leaky readout from v0 (relative to E_L); returns v after each step.
Array
run_readout( double v0, const LeakyPropagators& P, double V_min, const Array& i_in, const Array& z_in )
{
  const py::ssize_t n = common_length( i_in, z_in );
  const Exact arithmetic;
  Array v( n );
  auto i = i_in.unchecked< 1 >();
  auto x = z_in.unchecked< 1 >();
  auto v_out = v.mutable_unchecked< 1 >();
  double state = v0;
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    state = leaky_step( state, P, i( t ), x( t ), V_min, arithmetic );
    v_out( t ) = state;
  }
  return v;
}

template < typename Enum >
Enum
choice( const std::vector< std::string >& names, const std::string& parameter, const std::string& name )
{
  return choice_from_name< Enum >( names, parameter, name );
}

//! The readout signals of a task's readouts with membrane potentials V_m, as each readout computes its own.
Array
readout_signals( const std::string& loss_name, const Array& V_m )
{
  const Loss loss = choice< Loss >( loss_names(), "loss", loss_name );
  auto V = V_m.unchecked< 1 >();
  const py::ssize_t n = V_m.shape( 0 );
  Array y( n );
  auto out = y.mutable_unchecked< 1 >();
  for ( py::ssize_t k = 0; k < n; ++k )
  {
    OthersSoftmaxSum others;
    for ( py::ssize_t l = 0; l < n; ++l )
    {
      if ( l != k )
      {
        others.add( V( l ) );
      }
    }
    out( k ) = readout_signal( loss, V( k ), others );
  }
  return y;
}

std::span< const long >
steps_of( const StepArray& spike_steps )
{
  if ( spike_steps.ndim() != 1 )
  {
    throw std::invalid_argument( "spike_steps must be a one-dimensional array" );
  }
  return { spike_steps.data(), static_cast< std::size_t >( spike_steps.shape( 0 ) ) };
}

//! The methods both interval histories share.
template < typename History >
void
bind_history_methods( py::class_< History >& c )
{
  c.def( "acquire", &History::acquire, py::arg( "interval" ) )
    .def( "note_spike", &History::note_spike, py::arg( "interval" ), py::arg( "step" ) )
    .def( "seal", &History::seal, py::arg( "interval" ) )
    .def(
      "take_gradient",
      []( History& h, long interval, const StepArray& spike_steps )
      { return h.take_gradient( interval, steps_of( spike_steps ) ); },
      py::arg( "interval" ), py::arg( "spike_steps" ) )
    .def( "forget_unused", &History::forget_unused, py::arg( "current" ) )
    .def_property_readonly( "size", &History::size, "number of intervals kept" )
    .def_property_readonly( "stored_values", &History::stored_values,
      "number of values kept for all intervals (records and what the gradient strategy keeps)" );
}

template < typename History >
History
configured_history( long interval_steps, long shift )
{
  if ( interval_steps <= 0 )
  {
    throw std::invalid_argument( "interval_steps must be positive" );
  }
  History history;
  history.configure( { interval_steps, shift } );
  return history;
}

//! Runs one EventProp output over the steps of `input` (summed weights arriving at the end of each step, pA) from rest.
py::tuple
run_eventprop_trial( const eventprop::Membrane& m, const std::string& model_name, double h, const Array& input )
{
  m.check();
  const auto model = choice< eventprop::NeuronModel >( eventprop::neuron_model_names(), "neuron_model", model_name );
  const eventprop::StepPropagators step = eventprop::step_propagators( m, h );
  auto x = input.unchecked< 1 >();
  const py::ssize_t n = input.shape( 0 );
  Array v( n ), i( n ), z( n );
  auto v_out = v.mutable_unchecked< 1 >();
  auto i_out = i.mutable_unchecked< 1 >();
  auto z_out = z.mutable_unchecked< 1 >();
  eventprop::MembraneState s;
  eventprop::TrialObservation seen;
  std::vector< eventprop::Spike > spikes;
  for ( py::ssize_t t = 0; t < n; ++t )
  {
    const eventprop::TimedInput arriving { h, x( t ) };
    spikes.clear();
    eventprop::output_step( s, seen, model, m, step, t * h, std::span( &arriving, x( t ) != 0.0 ? 1 : 0 ), spikes );
    z_out( t ) = static_cast< double >( spikes.size() );
    v_out( t ) = s.v;
    i_out( t ) = s.i;
  }
  return py::make_tuple( seen, v, i, z );
}

}  // namespace

namespace
{

using IntArray = py::array_t< std::int64_t, py::array::c_style | py::array::forcecast >;

std::vector< std::int64_t >
int_vector( const IntArray& a )
{
  return std::vector< std::int64_t >( a.data(), a.data() + a.size() );
}

IntArray
int_array( const std::vector< std::int64_t >& v, py::ssize_t rows, py::ssize_t columns )
{
  IntArray out( { rows, columns } );
  std::copy( v.begin(), v.end(), out.mutable_data() );
  return out;
}

IntArray
int_array( const std::vector< std::int64_t >& v )
{
  return int_array( v, 1, static_cast< py::ssize_t >( v.size() ) ).reshape( { static_cast< py::ssize_t >( v.size() ) } );
}

/** Runs one sample from a fresh state: events (tick, index) rows; learning on ticks in [target_start,
 *  target_end) when label >= 0 (target_end < 0: to the end); votes from tick infer_start on (< 0: none).
 *  Returns per tick u, ti, tr, to, o (n_ticks x n) and z (n_ticks x n_rec, 0/1), and the inference. */
py::dict
run_reckon_sample( reckon::Network& net, const IntArray& events, int n_ticks, int label, int target_start,
  int target_end, int infer_start, bool record )
{
  net.reset_state();
  if ( target_end < 0 )
  {
    target_end = n_ticks;
  }
  const auto& c = net.config();
  const py::ssize_t n_rec = c.n_rec(), n_out = c.n_out();
  std::vector< std::vector< int > > by_tick( n_ticks );
  auto ev = events.unchecked< 2 >();
  for ( py::ssize_t r = 0; r < events.shape( 0 ); ++r )
  {
    if ( ev( r, 0 ) >= 0 and ev( r, 0 ) < n_ticks )
    {
      by_tick[ ev( r, 0 ) ].push_back( static_cast< int >( ev( r, 1 ) ) );
    }
  }
  const py::ssize_t rows = record ? n_ticks : 0;
  IntArray u( { rows, n_rec } ), ti( { rows, n_rec } ), tr( { rows, n_rec } ), to( { rows, n_rec } ), z( { rows, n_rec } ),
    vo( { rows, n_out } );
  for ( int t = 0; t < n_ticks; ++t )
  {
    const bool learning = label >= 0 and t >= target_start and t < target_end;
    net.tick( by_tick[ t ], learning ? std::optional< int >( label ) : std::nullopt, infer_start >= 0 and t >= infer_start );
    if ( record )
    {
      std::copy( net.u().begin(), net.u().end(), u.mutable_data( t ) );
      std::copy( net.trace_inp().begin(), net.trace_inp().end(), ti.mutable_data( t ) );
      std::copy( net.trace_rec().begin(), net.trace_rec().end(), tr.mutable_data( t ) );
      std::copy( net.trace_out().begin(), net.trace_out().end(), to.mutable_data( t ) );
      std::copy( net.output().begin(), net.output().end(), vo.mutable_data( t ) );
      std::copy( net.spikes().begin(), net.spikes().end(), z.mutable_data( t ) );
    }
  }
  py::dict out;
  out[ "u" ] = u;
  out[ "ti" ] = ti;
  out[ "tr" ] = tr;
  out[ "to" ] = to;
  out[ "o" ] = vo;
  out[ "z" ] = z;
  out[ "inference" ] = net.inference();
  return out;
}

void
bind_reckon( py::module_& rk )
{
  using fixed_point::PseudoDerivative;
  rk.def( "wrap", &fixed_point::wrap, py::arg( "x" ), py::arg( "bits" ) );
  rk.def( "saturating_add", &fixed_point::saturating_add, py::arg( "a" ), py::arg( "b" ), py::arg( "bits" ) );
  rk.def( "leak", &fixed_point::leak, py::arg( "value" ), py::arg( "factor" ), py::arg( "frac_bits" ),
    py::arg( "value_bits" ), py::arg( "is_signed" ), py::arg( "stochastic" ), py::arg( "rand" ) );
  rk.def(
    "stochastic_update",
    []( std::int64_t prob, std::int64_t w, bool enabled, int lr_p, int lr_r, std::uint64_t rnd, int width )
    {
      const auto r = fixed_point::stochastic_update( prob, w, enabled, lr_p, lr_r, rnd, width );
      return py::make_tuple( r.w, r.written );
    },
    py::arg( "prob" ), py::arg( "w" ), py::arg( "enabled" ), py::arg( "lr_p" ), py::arg( "lr_r" ), py::arg( "rnd" ),
    py::arg( "width" ), "(new weight, lane written)" );
  py::class_< fixed_point::ChipLfsr >( rk, "ChipLfsr" )
    .def( py::init< int, int, int, std::uint64_t, std::vector< int > >(), py::arg( "length" ), py::arg( "tap" ),
      py::arg( "word_bits" ), py::arg( "seed" ), py::arg( "order" ) = std::vector< int > {} )
    .def(
      "words",
      []( fixed_point::ChipLfsr& lfsr, int count, int lanes )
      {
        const int lane_bits = lfsr.word_bits() / lanes;
        IntArray out( { count, lanes } );
        for ( int w = 0; w < count; ++w )
        {
          for ( int l = 0; l < lanes; ++l )
          {
            *out.mutable_data( w, l ) = static_cast< std::int64_t >( lfsr.lane( l, lane_bits ) );
          }
          lfsr.advance();
        }
        return out;
      },
      py::arg( "count" ), py::arg( "lanes" ) = 1, "The next count words, split into lanes: shape (count, lanes)." );
  py::class_< reckon::Config > config( rk, "Config" );
  config.def( py::init<>() ).def( "check", &reckon::Config::check );
#define CHIPLEARN_RECKON_FIELD( name ) config.def_readwrite( #name, &reckon::Config::name )
  CHIPLEARN_RECKON_FIELD( num_inp_neur );
  CHIPLEARN_RECKON_FIELD( num_rec_neur );
  CHIPLEARN_RECKON_FIELD( num_out_neur );
  CHIPLEARN_RECKON_FIELD( rst_mode );
  CHIPLEARN_RECKON_FIELD( do_eprop );
  CHIPLEARN_RECKON_FIELD( force_traces );
  CHIPLEARN_RECKON_FIELD( en_stoch_round );
  CHIPLEARN_RECKON_FIELD( no_out_act );
  CHIPLEARN_RECKON_FIELD( fp_loc_winp );
  CHIPLEARN_RECKON_FIELD( fp_loc_wrec );
  CHIPLEARN_RECKON_FIELD( fp_loc_wout );
  CHIPLEARN_RECKON_FIELD( fp_loc_tinp );
  CHIPLEARN_RECKON_FIELD( fp_loc_trec );
  CHIPLEARN_RECKON_FIELD( fp_loc_tout );
  CHIPLEARN_RECKON_FIELD( learn_sig_scale );
  CHIPLEARN_RECKON_FIELD( regul_mode );
  CHIPLEARN_RECKON_FIELD( regul_w );
  CHIPLEARN_RECKON_FIELD( regul_f0 );
  CHIPLEARN_RECKON_FIELD( regul_k_inp_r );
  CHIPLEARN_RECKON_FIELD( regul_k_inp_p );
  CHIPLEARN_RECKON_FIELD( regul_k_rec_r );
  CHIPLEARN_RECKON_FIELD( regul_k_rec_p );
  CHIPLEARN_RECKON_FIELD( regul_k_mul );
  CHIPLEARN_RECKON_FIELD( kappa );
  CHIPLEARN_RECKON_FIELD( lr_r_winp );
  CHIPLEARN_RECKON_FIELD( lr_p_winp );
  CHIPLEARN_RECKON_FIELD( lr_r_wrec );
  CHIPLEARN_RECKON_FIELD( lr_p_wrec );
  CHIPLEARN_RECKON_FIELD( lr_r_wout );
  CHIPLEARN_RECKON_FIELD( lr_p_wout );
  CHIPLEARN_RECKON_FIELD( seed_inp );
  CHIPLEARN_RECKON_FIELD( seed_rec );
  CHIPLEARN_RECKON_FIELD( seed_out );
  CHIPLEARN_RECKON_FIELD( seed_strnd_neur );
  CHIPLEARN_RECKON_FIELD( seed_strnd_oneur );
  CHIPLEARN_RECKON_FIELD( seed_strnd_tinp );
  CHIPLEARN_RECKON_FIELD( seed_strnd_trec );
  CHIPLEARN_RECKON_FIELD( seed_strnd_tout );
#undef CHIPLEARN_RECKON_FIELD
  config.def_property(
    "thr_h", []( const reckon::Config& c ) { return c.pseudo_derivative.breakpoints; },
    []( reckon::Config& c, const std::array< std::int64_t, 4 >& v ) { c.pseudo_derivative.breakpoints = v; } );
  config.def_property(
    "h", []( const reckon::Config& c ) { return c.pseudo_derivative.levels; },
    []( reckon::Config& c, const std::array< std::int64_t, 5 >& v ) { c.pseudo_derivative.levels = v; } );
  py::class_< reckon::Network >( rk, "Network" )
    .def( py::init(
            []( const reckon::Config& c, const IntArray& w_inp, const IntArray& w_rec, const IntArray& w_out,
              const IntArray& alpha, const IntArray& threshold )
            {
              return reckon::Network( c, int_vector( w_inp ), int_vector( w_rec ), int_vector( w_out ), int_vector( alpha ),
                int_vector( threshold ) );
            } ),
      py::arg( "config" ), py::arg( "w_inp" ), py::arg( "w_rec" ), py::arg( "w_out" ), py::arg( "alpha" ),
      py::arg( "threshold" ) )
    .def( "tick", &reckon::Network::tick, py::arg( "inputs" ), py::arg( "label" ) = std::nullopt,
      py::arg( "infer" ) = false )
    .def( "reset_state", &reckon::Network::reset_state )
    .def( "inference", &reckon::Network::inference )
    .def( "set_do_eprop", &reckon::Network::set_do_eprop, py::arg( "do_eprop" ) )
    .def_property( "random_state", &reckon::Network::random_state, &reckon::Network::set_random_state )
    .def( "run_sample", &run_reckon_sample, py::arg( "events" ), py::arg( "n_ticks" ), py::arg( "label" ) = -1,
      py::arg( "target_start" ) = 0, py::arg( "target_end" ) = -1, py::arg( "infer_start" ) = -1,
      py::arg( "record" ) = true )
    .def_property_readonly( "u", []( const reckon::Network& n ) { return int_array( n.u() ); } )
    .def_property_readonly( "trace_inp", []( const reckon::Network& n ) { return int_array( n.trace_inp() ); } )
    .def_property_readonly( "trace_rec", []( const reckon::Network& n ) { return int_array( n.trace_rec() ); } )
    .def_property_readonly( "trace_out", []( const reckon::Network& n ) { return int_array( n.trace_out() ); } )
    .def_property_readonly( "output", []( const reckon::Network& n ) { return int_array( n.output() ); } )
    .def_property_readonly( "w_inp", []( const reckon::Network& n )
      { return int_array( n.w_inp(), n.config().n_inp(), n.config().n_rec() ); } )
    .def_property_readonly( "w_rec", []( const reckon::Network& n )
      { return int_array( n.w_rec(), n.config().n_rec(), n.config().n_rec() ); } )
    .def_property_readonly( "w_out", []( const reckon::Network& n )
      { return int_array( n.w_out(), n.config().n_rec(), n.config().n_out() ); } );
}


}  // namespace

PYBIND11_MODULE( _core, m )
{
  m.doc() = "chiplearn's numerical core (models/core), shared with the NEST models. Potentials are relative to E_L.";

  // ---- membranes and spiking dynamics (membrane.h), in exact arithmetic
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
  py::class_< LifResetParameters >( m, "LifResetParameters" )
    .def( py::init( []( const LifParameters& lif, double V_reset ) { return LifResetParameters { lif, V_reset }; } ),
      py::arg( "lif" ), py::arg( "V_reset" ) )
    .def_readwrite( "lif", &LifResetParameters::lif )
    .def_readwrite( "V_reset", &LifResetParameters::V_reset );
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

  m.def( "run_lif", &run_spiking< Lif >, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ), "LIF with reset by subtraction; returns (v, z) per step." );
  m.def( "run_lif_reset_to_value", &run_spiking< LifResetToValue >, py::arg( "state" ), py::arg( "parameters" ),
    py::arg( "propagators" ), py::arg( "i_in" ), py::arg( "z_in" ), "LIF with reset to V_reset; returns (v, z) per step." );
  m.def( "run_alif", &run_spiking< Alif >, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ), "adaptive-threshold LIF; returns (v, adaptation, z) per step." );
  m.def( "run_readout", &run_readout, py::arg( "v0" ), py::arg( "propagators" ), py::arg( "V_min" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );

  // ---- pseudo-derivatives (surrogate.h)
  m.def(
    "surrogate_gradient",
    []( const std::string& shape, bool refractory, double v, double v_th, double height, double width )
    {
      const Surrogate s { choice< SurrogateShape >( surrogate_shape_names(), "shape", shape ), height, width };
      return surrogate_gradient( s, refractory, v, v_th );
    },
    py::arg( "shape" ), py::arg( "refractory" ), py::arg( "v" ), py::arg( "v_th" ), py::arg( "height" ),
    py::arg( "width" ) );
  m.attr( "SURROGATE_SHAPES" ) = surrogate_shape_names();

  // ---- losses of the readouts (loss.h)
  m.attr( "LOSSES" ) = loss_names();
  m.def( "readout_signals", &readout_signals, py::arg( "loss" ), py::arg( "V_m" ),
    "Readout signals y of a task's readouts with membrane potentials V_m (mV), each computed as its readout "
    "does from its own unnormalized signal and the sum of the others' (softmax for cross_entropy)." );
  m.def( "error_signal", &error_signal, py::arg( "readout" ), py::arg( "target" ) );

  // ---- e-prop's interval histories (eprop.h, interval_history.h)
  py::class_< EligibilityParameters >( m, "EligibilityParameters" )
    .def( py::init( []( double P_v, double P_z, double kappa, double adapt_beta, double P_adapt )
            { return EligibilityParameters { P_v, P_z, kappa, adapt_beta, P_adapt }; } ),
      py::arg( "P_v" ), py::arg( "P_z" ), py::arg( "kappa" ), py::arg( "adapt_beta" ) = 0.0,
      py::arg( "P_adapt" ) = 0.0 );

  py::class_< RecurrentHistory > recurrent( m, "RecurrentHistory",
    "The interval history of a recurrent e-prop neuron: pseudo-derivative and learning signal per step, the "
    "firing-rate regularization per interval; gradients from the backward spike kernel." );
  recurrent
    .def( py::init(
            []( long interval_steps, long shift, const EligibilityParameters& p )
            {
              auto history = configured_history< RecurrentHistory >( interval_steps, shift );
              history.gradient().kernel.eligibility = p;
              return history;
            } ),
      py::arg( "interval_steps" ), py::arg( "shift" ), py::arg( "eligibility" ) )
    .def(
      "record",
      []( RecurrentHistory& h, long key, double surrogate_gradient, double learning_signal )
      { h.record( key, { .surrogate_gradient = surrogate_gradient, .learning_signal = learning_signal } ); },
      py::arg( "key" ), py::arg( "surrogate_gradient" ), py::arg( "learning_signal" ) = 0.0 )
    .def(
      "add_learning_signal",
      []( RecurrentHistory& h, long key, double value )
      { h.change( key, [ value ]( RecurrentRecord& r, std::size_t i ) { r.learning_signal[ i ] += value; } ); },
      py::arg( "key" ), py::arg( "value" ) )
    .def(
      "learning_signal",
      []( const RecurrentHistory& h, long key ) { return h.value_at( key, &RecurrentRecord::learning_signal ); },
      py::arg( "key" ) )
    .def(
      "set_firing_rate_regularization",
      []( RecurrentHistory& h, long interval, double value ) { h.record_of( interval ).firing_rate_regularization = value; },
      py::arg( "interval" ), py::arg( "value" ) );
  bind_history_methods( recurrent );

  py::class_< ReadoutHistory > readout( m, "ReadoutHistory",
    "The interval history of an e-prop readout: its error signal per step; gradients from the backward spike "
    "kernel." );
  readout
    .def( py::init(
            []( long interval_steps, long shift, double P_v, double P_z )
            {
              auto history = configured_history< ReadoutHistory >( interval_steps, shift );
              history.gradient().kernel = { P_v, P_z };
              return history;
            } ),
      py::arg( "interval_steps" ), py::arg( "shift" ), py::arg( "P_v" ), py::arg( "P_z" ) )
    .def(
      "record",
      []( ReadoutHistory& h, long key, double error_signal ) { h.record( key, { .error_signal = error_signal } ); },
      py::arg( "key" ), py::arg( "error_signal" ) );
  bind_history_methods( readout );

  // ---- weights and optimizers (weight_grid.h, optimizer.h)
  py::enum_< Rounding >( m, "Rounding" ).value( "nearest", Rounding::nearest ).value( "stochastic", Rounding::stochastic );
  py::class_< WeightGrid >( m, "WeightGrid" )
    .def( py::init(
            []( double Wmin, double Wmax, double step, Rounding rounding )
            { return WeightGrid { Wmin, Wmax, step, rounding }; } ),
      py::arg( "Wmin" ) = -100.0, py::arg( "Wmax" ) = 100.0, py::arg( "step" ) = 0.0,
      py::arg( "rounding" ) = Rounding::nearest )
    .def_readwrite( "Wmin", &WeightGrid::Wmin )
    .def_readwrite( "Wmax", &WeightGrid::Wmax )
    .def_readwrite( "step", &WeightGrid::step )
    .def_readwrite( "rounding", &WeightGrid::rounding )
    .def( "level", &WeightGrid::level, py::arg( "w" ), py::arg( "uniform" ) = 0.0 )
    .def( "check", &WeightGrid::check, py::arg( "prefix" ) = "" );

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
    .def_readwrite( "beta_1", &OptimizerParameters::beta_1 )
    .def_readwrite( "beta_2", &OptimizerParameters::beta_2 )
    .def_readwrite( "epsilon", &OptimizerParameters::epsilon )
    .def( "check", &OptimizerParameters::check, "Raises ValueError naming the first setting out of range." );
  py::class_< OptimizerState >( m, "OptimizerState" )
    .def( py::init<>() )
    .def_readwrite( "summed_gradient", &OptimizerState::summed_gradient )
    .def_readwrite( "batch", &OptimizerState::batch )
    .def_readwrite( "adam_steps", &OptimizerState::adam_steps )
    .def_readwrite( "m", &OptimizerState::m )
    .def_readwrite( "v", &OptimizerState::v );
  m.def(
    "optimized_weight",
    []( OptimizerState& state, const OptimizerParameters& parameters, const WeightGrid& grid, long interval,
      double gradient, double weight, double uniform )
    {
      return optimized_weight(
        state, parameters, grid, interval, gradient, weight, [ uniform ]( long ) { return uniform; } );
    },
    py::arg( "state" ), py::arg( "parameters" ), py::arg( "grid" ), py::arg( "interval" ), py::arg( "gradient" ),
    py::arg( "weight" ), py::arg( "uniform" ) = 0.0,
    "The weight after the optimizer steps that are due; `uniform` in [0, 1) is the draw of stochastic rounding." );

  // ---- counter-based random numbers (counter_rng.h)
  py::enum_< Stream >( m, "Stream" )
    .value( "membrane_noise", Stream::membrane_noise )
    .value( "mismatch_tau_m", Stream::mismatch_tau_m )
    .value( "mismatch_threshold", Stream::mismatch_threshold )
    .value( "mismatch_weight_step", Stream::mismatch_weight_step )
    .value( "weight_rounding", Stream::weight_rounding );
  m.def( "philox4x32_10", &philox4x32_10, py::arg( "counter" ), py::arg( "key" ) );
  m.def(
    "counter_normal",
    []( std::uint32_t seed, Stream stream, const py::array_t< std::uint64_t, py::array::c_style | py::array::forcecast >& ids,
      std::uint64_t step )
    {
      auto id = ids.unchecked< 1 >();
      py::array_t< double > out( ids.shape( 0 ) );
      auto o = out.mutable_unchecked< 1 >();
      for ( py::ssize_t k = 0; k < ids.shape( 0 ); ++k )
      {
        o( k ) = counter_normal( seed, stream, id( k ), step );
      }
      return out;
    },
    py::arg( "seed" ), py::arg( "stream" ), py::arg( "ids" ), py::arg( "step" ),
    "Standard normal numbers for (seed, stream, id, step), one per id: the numbers the models draw." );
  m.def( "counter_uniform", &counter_uniform, py::arg( "seed" ), py::arg( "stream" ), py::arg( "id" ), py::arg( "step" ) );
  m.def( "synapse_id", &synapse_id, py::arg( "source" ), py::arg( "target" ) );

  // ---- current-based LIF and the EBN rule (membrane.h, ebn.h)
  py::class_< ExpCurrentPropagators >( m, "ExpCurrentPropagators" )
    .def_readonly( "P_ii", &ExpCurrentPropagators::P_ii )
    .def_readonly( "P_vi", &ExpCurrentPropagators::P_vi );
  m.def( "exp_current_propagators", &exp_current_propagators, py::arg( "h" ), py::arg( "tau_m" ),
    py::arg( "tau_syn" ), py::arg( "C_m" ) );
  py::enum_< EbnRule >( m, "EbnRule" ).value( "discrete", EbnRule::discrete ).value( "continuous", EbnRule::continuous );
  py::class_< EbnRuleParameters >( m, "EbnRuleParameters" )
    .def( py::init<>() )
    .def_readwrite( "rule", &EbnRuleParameters::rule )
    .def_readwrite( "learning", &EbnRuleParameters::learning )
    .def_readwrite( "granularity", &EbnRuleParameters::granularity )
    .def_readwrite( "margin", &EbnRuleParameters::margin )
    .def_readwrite( "omega_per_weight", &EbnRuleParameters::omega_per_weight )
    .def_readwrite( "eta", &EbnRuleParameters::eta )
    .def_readwrite( "Wmin", &EbnRuleParameters::Wmin )
    .def_readwrite( "Wmax", &EbnRuleParameters::Wmax )
    .def( "dead_zone", &EbnRuleParameters::dead_zone )
    .def( "check", &EbnRuleParameters::check, "Raises ValueError naming the first setting out of range." );
  m.def( "ebn_weight_after_spike", &ebn_weight_after_spike, py::arg( "parameters" ), py::arg( "w" ),
    py::arg( "V_before" ), py::arg( "step_gain" ) = 1.0 );
  m.def( "ebn_self_term_shift", &ebn_self_term_shift, py::arg( "V_after" ), py::arg( "V_reset" ), py::arg( "V_th" ),
    py::arg( "dead_zone" ), py::arg( "reset_step" ) );

  // ---- EventProp (eventprop.h)
  py::module_ ep = m.def_submodule( "eventprop", "EventProp outputs: forward closed forms, adjoint, losses." );
  ep.attr( "LOSSES" ) = eventprop::loss_names();
  ep.attr( "NEURON_MODELS" ) = eventprop::neuron_model_names();
  py::class_< eventprop::Membrane >( ep, "Membrane" )
    .def( py::init( []( double tau_m, double tau_s, double C_m, double V_th )
            { return eventprop::Membrane { tau_m, tau_s, C_m, V_th }; } ),
      py::arg( "tau_m" ), py::arg( "tau_s" ), py::arg( "C_m" ), py::arg( "V_th" ) )
    .def_readwrite( "tau_m", &eventprop::Membrane::tau_m )
    .def_readwrite( "tau_s", &eventprop::Membrane::tau_s )
    .def_readwrite( "C_m", &eventprop::Membrane::C_m )
    .def_readwrite( "V_th", &eventprop::Membrane::V_th )
    .def( "check", &eventprop::Membrane::check, "Raises ValueError naming the first parameter out of range." );
  py::class_< eventprop::MembraneState >( ep, "MembraneState" )
    .def( py::init( []( double v, double i ) { return eventprop::MembraneState { v, i }; } ), py::arg( "v" ) = 0.0,
      py::arg( "i" ) = 0.0 )
    .def_readwrite( "v", &eventprop::MembraneState::v )
    .def_readwrite( "i", &eventprop::MembraneState::i );
  py::class_< eventprop::TrialObservation >( ep, "TrialObservation" )
    .def( py::init<>() )
    .def_readwrite( "first_spike_time", &eventprop::TrialObservation::first_spike_time )
    .def_readwrite( "slope", &eventprop::TrialObservation::slope )
    .def_readwrite( "t_max", &eventprop::TrialObservation::t_max )
    .def_readwrite( "v_max", &eventprop::TrialObservation::v_max )
    .def( "spiked", &eventprop::TrialObservation::spiked );
  py::class_< eventprop::FirstSpikeLoss >( ep, "FirstSpikeLoss" )
    .def( py::init( []( double tau_0, double tau_1, double alpha, double phantom_spike_scale )
            { return eventprop::FirstSpikeLoss { tau_0, tau_1, alpha, phantom_spike_scale }; } ),
      py::arg( "tau_0" ), py::arg( "tau_1" ), py::arg( "alpha" ), py::arg( "phantom_spike_scale" ) = 1.0 )
    .def_readwrite( "tau_0", &eventprop::FirstSpikeLoss::tau_0 )
    .def_readwrite( "tau_1", &eventprop::FirstSpikeLoss::tau_1 )
    .def_readwrite( "alpha", &eventprop::FirstSpikeLoss::alpha )
    .def_readwrite( "phantom_spike_scale", &eventprop::FirstSpikeLoss::phantom_spike_scale )
    .def( "check", &eventprop::FirstSpikeLoss::check );
  ep.def( "evolve", &eventprop::evolve, py::arg( "state" ), py::arg( "membrane" ), py::arg( "t" ) );
  ep.def( "v_slope", &eventprop::v_slope, py::arg( "state" ), py::arg( "membrane" ) );
  ep.def( "crossing_time", &eventprop::crossing_time, py::arg( "start" ), py::arg( "membrane" ), py::arg( "h" ) );
  ep.def(
    "peak_in_step", []( const eventprop::MembraneState& s, const eventprop::Membrane& mem, double h )
    {
      const auto peak = eventprop::peak_in_step( s, mem, h );
      return py::make_tuple( peak.t, peak.v );
    },
    py::arg( "start" ), py::arg( "membrane" ), py::arg( "h" ), "(t, v) of the maximum of v over (0, h]." );
  ep.def( "run_trial", &run_eventprop_trial, py::arg( "membrane" ), py::arg( "neuron_model" ), py::arg( "h" ),
    py::arg( "input" ), "One output from rest over the steps of input (pA per step); returns (observation, v, i, spikes)." );
  ep.def(
    "propagate_back", []( double lambda_v, double lambda_i, const eventprop::Membrane& mem, double d )
    {
      const auto a = eventprop::propagate_back( { lambda_v, lambda_i }, mem, d );
      return py::make_tuple( a.lambda_v, a.lambda_i );
    },
    py::arg( "lambda_v" ), py::arg( "lambda_i" ), py::arg( "membrane" ), py::arg( "d" ) );
  ep.def( "spike_jump", &eventprop::spike_jump, py::arg( "lambda_v_after" ), py::arg( "dl_dt" ), py::arg( "error" ),
    py::arg( "slope" ), py::arg( "V_th" ), py::arg( "slope_floor" ) );
  ep.def(
    "hidden_jumps",
    []( const eventprop::Membrane& mem, const Array& times, const Array& slopes, const Array& errors, double slope_floor )
    {
      std::vector< eventprop::Spike > spikes;
      for ( py::ssize_t k = 0; k < times.shape( 0 ); ++k )
      {
        spikes.push_back( { times.at( k ), slopes.at( k ) } );
      }
      const auto jumps = eventprop::hidden_jumps(
        mem, spikes, std::span< const double >( errors.data(), static_cast< std::size_t >( errors.shape( 0 ) ) ), slope_floor );
      Array out( static_cast< py::ssize_t >( jumps.size() ) );
      for ( std::size_t k = 0; k < jumps.size(); ++k )
      {
        out.mutable_at( k ) = jumps[ k ].lambda_v;
      }
      return out;
    },
    py::arg( "membrane" ), py::arg( "spike_times" ), py::arg( "slopes" ), py::arg( "errors" ), py::arg( "slope_floor" ),
    "The jumps of lambda_V of a hidden neuron at its spikes (sorted), given the errors sent back to each." );
  ep.def(
    "feedback_error",
    []( const eventprop::Membrane& target, double jump_time, double jump, double arrival, double w )
    { return eventprop::feedback_error( target, { jump_time, jump }, arrival, w ); },
    py::arg( "target" ), py::arg( "jump_time" ), py::arg( "jump" ), py::arg( "arrival" ), py::arg( "weight" ) );
  ep.def(
    "weight_gradient",
    []( const eventprop::Membrane& mem, const Array& jump_times, const Array& jump_lambdas, const Array& arrivals )
    {
      std::vector< eventprop::AdjointJump > jumps;
      auto t = jump_times.unchecked< 1 >();
      auto l = jump_lambdas.unchecked< 1 >();
      for ( py::ssize_t k = 0; k < jump_times.shape( 0 ); ++k )
      {
        jumps.push_back( { t( k ), l( k ) } );
      }
      return eventprop::weight_gradient(
        mem, jumps, std::span< const double >( arrivals.data(), static_cast< std::size_t >( arrivals.shape( 0 ) ) ) );
    },
    py::arg( "membrane" ), py::arg( "jump_times" ), py::arg( "jump_lambdas" ), py::arg( "arrivals" ),
    "dL/dw [1/pA] of a synapse with input arrivals (ms, sorted) into a target with adjoint jumps (sorted)." );
  ep.def(
    "output_adjoints",
    []( const std::string& loss_name, const std::vector< eventprop::TrialObservation >& seen, long target,
      double trial_length, const eventprop::Membrane& mem, const eventprop::FirstSpikeLoss& f, double slope_floor )
    {
      const auto loss = choice< eventprop::Loss >( eventprop::loss_names(), "loss", loss_name );
      const bool target_silent = loss == eventprop::Loss::first_spike_cross_entropy and target >= 0
        and static_cast< std::size_t >( target ) < seen.size() and not seen[ target ].spiked();
      py::list out;
      for ( std::size_t k = 0; k < seen.size(); ++k )
      {
        OthersSoftmaxSum others;
        for ( std::size_t l = 0; l < seen.size(); ++l )
        {
          if ( l != k )
          {
            others.add( eventprop::logit( loss, seen[ l ], trial_length, f ) );
          }
        }
        const auto a = eventprop::output_adjoint( loss, seen[ k ], others, static_cast< long >( k ) == target,
          target_silent, trial_length, mem, f, slope_floor );
        out.append( py::make_tuple( a.p, a.loss_derivative,
          a.jump ? py::object( py::make_tuple( a.jump->time, a.jump->lambda_v ) ) : py::object( py::none() ) ) );
      }
      return out;
    },
    py::arg( "loss" ), py::arg( "observations" ), py::arg( "target" ), py::arg( "trial_length" ), py::arg( "membrane" ),
    py::arg( "first_spike_loss" ), py::arg( "slope_floor" ),
    "(p, dL/dvalue, jump or None) of each output of a task, each computed as its output does from the others' logits." );
  ep.def(
    "target_loss",
    []( const std::string& loss_name, double p, double t, const eventprop::FirstSpikeLoss& f )
    { return eventprop::target_loss( choice< eventprop::Loss >( eventprop::loss_names(), "loss", loss_name ), p, t, f ); },
    py::arg( "loss" ), py::arg( "p" ), py::arg( "t" ), py::arg( "first_spike_loss" ) );

  // ---- ReckOn's fixed-point datapath (fixed_point.h, reckon.h)
  py::module_ rk = m.def_submodule( "reckon", "ReckOn's integer arithmetic and network, bit-exact with its RTL." );
  bind_reckon( rk );
}
