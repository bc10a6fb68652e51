/*
 *  eventprop_target.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_target.h"

#include <algorithm>
#include <utility>

// nestkernel
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace chiplearn
{

namespace ep = core::eventprop;

bool
EventpropTarget::trial_final( long trial ) const
{
  const auto held = held_.find( trial );
  return held != held_.end() and held->second.final;
}

double
EventpropTarget::take_gradient( long trial, std::span< const double > arrivals, std::string_view model )
{
  const auto held = held_.find( trial );
  if ( held == held_.end() or not held->second.final )
  {
    throw nest::KernelException( std::string( model ) + ": the gradient of trial " + std::to_string( trial )
      + " was taken before its adjoint was known." );
  }
  const double gradient = ep::weight_gradient( membrane(), held->second.jumps, arrivals );
  if ( --held->second.holders == 0 )
  {
    held_.erase( held );
  }
  return gradient;
}

void
EventpropTarget::finish_trial_adjoint( long trial, std::vector< ep::AdjointJump > jumps )
{
  const auto held = held_.find( trial );
  if ( held != held_.end() )
  {
    held->second.jumps = std::move( jumps );
    held->second.final = true;
  }
}

void
EventpropTarget::set_trial_grid( const core::IntervalGrid& grid )
{
  if ( not( grid_ == grid ) )
  {
    grid_ = grid;
    held_.clear();
  }
}

void
PreciseSpikeInput::resize()
{
  const auto& connections = nest::kernel().connection_manager;
  steps_.assign( connections.get_min_delay() + connections.get_max_delay(), {} );
}

void
PreciseSpikeInput::add( const nest::SpikeEvent& e, double h )
{
  const long due = e.get_rel_delivery_steps( nest::kernel().simulation_manager.get_slice_origin() );
  if ( due < 0 or static_cast< size_t >( due ) >= steps_.size() )
  {
    throw nest::KernelException( "chiplearn: an EventProp neuron received a spike due in " + std::to_string( due )
      + " steps, beyond its input buffer of " + std::to_string( steps_.size() ) + " steps: NEST's delay range is "
      + "stale (as NEST leaves it after a refused nest.SetDefaults of a synapse model); call nest.ResetKernel()." );
  }
  steps_[ nest::kernel().event_delivery_manager.get_modulo( due ) ].push_back(
    { h - e.get_offset(), e.get_weight() * e.get_multiplicity() } );
}

std::span< const ep::TimedInput >
PreciseSpikeInput::take( long lag )
{
  std::vector< ep::TimedInput >& step = steps_[ nest::kernel().event_delivery_manager.get_modulo( lag ) ];
  taken_.swap( step );
  step.clear();
  std::sort( taken_.begin(),
    taken_.end(),
    []( const ep::TimedInput& a, const ep::TimedInput& b ) { return a.t < b.t or ( a.t == b.t and a.w < b.w ); } );
  return taken_;
}

void
EventpropMembraneParameters::get( Dictionary& d ) const
{
  d[ nest::names::C_m ] = membrane.C_m;
  d[ nest::names::tau_m ] = membrane.tau_m;
  d[ "tau_syn" ] = membrane.tau_s;
  d[ nest::names::V_th ] = membrane.V_th;
  d[ "slope_floor" ] = slope_floor;
}

double
EventpropMembraneParameters::set( const Dictionary& d, nest::Node* node )
{
  const std::string& model = node->get_name();
  d.update_value( nest::names::C_m, membrane.C_m );
  d.update_value( nest::names::tau_m, membrane.tau_m );
  d.update_value( "tau_syn", membrane.tau_s );
  d.update_value( nest::names::V_th, membrane.V_th );
  check_parameters( model, [ & ] { membrane.check(); } );
  d.update_value( "slope_floor", slope_floor );
  require_positive( model, "slope_floor", slope_floor, "mV" );
  return 0.0;
}

void
EventpropMembraneState::get( Dictionary& d, const EventpropMembraneParameters& ) const
{
  d[ nest::names::V_m ] = membrane.v;
  d[ "I_syn" ] = membrane.i;
}

void
EventpropMembraneState::set( const Dictionary& d, const EventpropMembraneParameters&, double, nest::Node* node )
{
  d.update_value( nest::names::V_m, membrane.v );
  d.update_value( "I_syn", membrane.i );
  require_finite( node->get_name(), nest::names::V_m, membrane.v, "mV" );
  require_finite( node->get_name(), "I_syn", membrane.i, "pA" );
}

}  // namespace chiplearn
