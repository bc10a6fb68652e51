/*
 *  core_module.cpp -- the Python extension chiplearn._core: binds the numerical core of models/core,
 *  the same functions the NEST models call, so that Python code and tests use the very same arithmetic.
 *
 *  This file is part of chiplearn.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <tuple>

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

  m.def( "run_lif", &run_lif, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "run_alif", &run_alif, py::arg( "state" ), py::arg( "parameters" ), py::arg( "propagators" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
  m.def( "run_readout", &run_readout, py::arg( "v0" ), py::arg( "propagators" ), py::arg( "V_min" ),
    py::arg( "i_in" ), py::arg( "z_in" ) );
}
