/*
 *  eventprop_iaf_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_iaf_chiplearn.h"

#include <cmath>
#include <stdexcept>
#include <utility>

// nestkernel
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace
{
const std::string I_syn = "I_syn";
const std::string silent_lift = "silent_lift";
const std::string silent_lift_after = "silent_lift_after";
}  // namespace

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eventprop_iaf_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::eventprop_iaf_chiplearn::get_V_m_ );
  insert_( I_syn, &chiplearn::eventprop_iaf_chiplearn::get_I_syn_ );
}
}  // namespace nest

namespace chiplearn
{

namespace ep = core::eventprop;

nest::RecordablesMap< eventprop_iaf_chiplearn > eventprop_iaf_chiplearn::recordablesMap_;

void
EventpropHiddenParameters::get( Dictionary& d ) const
{
  EventpropMembraneParameters::get( d );
  d[ silent_lift ] = lift.strength;
  d[ silent_lift_after ] = lift.after;
}

double
EventpropHiddenParameters::set( const Dictionary& d, nest::Node* node )
{
  EventpropMembraneParameters::set( d, node );
  d.update_value( silent_lift, lift.strength );
  d.update_value( silent_lift_after, lift.after );
  check_parameters( node->get_name(), [ & ] { lift.check(); } );
  return 0.0;  // potentials are relative to a resting potential of 0
}

void
eventprop_iaf_chiplearn::get_status( Dictionary& d ) const
{
  ChiplearnNode::get_status( d );
  std::vector< double > times, slopes, jumps;
  for ( const ep::Spike& s : last_.spikes )
  {
    times.push_back( s.time );
    slopes.push_back( s.slope );
  }
  for ( const ep::AdjointJump& j : last_.jumps )
  {
    jumps.push_back( j.lambda_v );
  }
  d[ "trial" ] = last_.trial;
  d[ "spike_times" ] = times;
  d[ "slopes" ] = slopes;
  d[ "errors" ] = last_.errors;
  d[ "adjoint_jumps" ] = jumps;
  d[ "v_max" ] = last_.v_max;
  d[ "silent_trials" ] = silent_trials_;
  d[ "held_trials" ] = held_trials();
}

void
eventprop_iaf_chiplearn::pre_run_hook()
{
  prepare_run();
  const auto& simulation = nest::kernel().simulation_manager;
  const long steps = simulation.get_eprop_update_interval().get_steps();
  const long min_delay = nest::kernel().connection_manager.get_min_delay();
  // an output's message is sent over length steps from the slice after its trial; the next message must not
  // start before it is through
  const long message_steps = static_cast< long >( FeedbackMessage::length );
  if ( steps < 2 * min_delay + message_steps )
  {
    refuse( get_name(), "eprop_update_interval", simulation.get_eprop_update_interval().get_ms(), "ms",
      "eprop_update_interval >= 2 min_delay + " + std::to_string( message_steps ) + " steps ("
        + format_number( ( 2 * min_delay + message_steps ) * h_ ) + " ms), the trial length" );
  }
  feedback_lag_ = -core::floor_div( -message_steps, min_delay ) * min_delay;
  if ( not( grid_ == core::IntervalGrid { steps, 0 } ) )
  {
    set_trial_grid( { steps, 0 } );
    trials_.clear();
    last_finished_ = -1;
    silent_trials_ = 0;
  }
}

void
eventprop_iaf_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  // the feedback of trial n is complete at the start of the slice after its last output's message: the
  // outputs send it from the first slice that starts at or after the trial's end
  const long min_delay = nest::kernel().connection_manager.get_min_delay();
  for ( auto next = trials_.upper_bound( last_finished_ ); next != trials_.end();
        next = trials_.upper_bound( last_finished_ ) )
  {
    const long end = ( next->first + 1 ) * grid_.steps;
    if ( -core::floor_div( -end, min_delay ) * min_delay + feedback_lag_ > origin.get_steps() + from )
    {
      break;
    }
    last_finished_ = next->first;
    finish_trial( next->first );
  }
  for ( long lag = from; lag < to; ++lag )
  {
    const long step = origin.get_steps() + lag;
    const long trial = grid_.interval_of( step );
    const long step_in_trial = grid_.step_in_interval( step );
    if ( step_in_trial == 0 )
    {
      S_.membrane = {};
    }
    step_spikes_.clear();
    try
    {
      ep::lif_step( S_.membrane, P_.membrane, step_, precise_input_.take( lag ), step_spikes_ );
    }
    catch ( const std::overflow_error& error )
    {
      numerical_instability( "spikes in one step", static_cast< double >( step_spikes_.size() ) );
    }
    require_finite_membrane();
    for ( const ep::Spike& spike : step_spikes_ )
    {
      emit_precise_spike( origin, lag, h_ - spike.time );
    }
    if ( trial >= 0 )
    {
      Trial& t = trials_[ trial ];
      for ( const ep::Spike& spike : step_spikes_ )
      {
        t.spikes.push_back( { step + 1, h_ - spike.time, { step_in_trial * h_ + spike.time, spike.slope } } );
      }
      if ( t.spikes.empty() and S_.membrane.v > t.v_max )
      {
        t.v_max = S_.membrane.v;
        t.t_max = ( step_in_trial + 1 ) * h_;
      }
    }
    logger_.record_data( step );
  }
}

void
eventprop_iaf_chiplearn::finish_trial( long trial )
{
  Trial& t = trials_.at( trial );
  std::vector< ep::Spike > spikes;
  for ( const SentSpike& s : t.spikes )
  {
    spikes.push_back( s.spike );
  }
  std::vector< double > errors( spikes.size(), 0.0 );
  for ( const auto& [ output, contributions ] : t.feedback )
  {
    for ( std::size_t k = 0; k < errors.size(); ++k )
    {
      errors[ k ] += contributions[ k ];
    }
  }
  std::vector< ep::AdjointJump > jumps = ep::hidden_jumps( P_.membrane, spikes, errors, P_.slope_floor );
  silent_trials_ = spikes.empty() ? silent_trials_ + 1 : 0;
  if ( const auto lift = P_.lift.jump( silent_trials_, t.t_max, P_.membrane ) )
  {
    jumps.push_back( *lift );
  }
  last_ = { trial, std::move( spikes ), std::move( errors ), jumps, t.v_max };
  finish_trial_adjoint( trial, std::move( jumps ) );
  t.feedback.clear();
  // the spikes of `trial` may still arrive at outputs in the next trial; older ones are done with
  trials_.erase( trials_.begin(), trials_.find( trial ) );
}

const std::vector< SentSpike >&
eventprop_iaf_chiplearn::sent_spikes( long trial ) const
{
  static const std::vector< SentSpike > none;
  const auto t = trials_.find( trial );
  return t == trials_.end() ? none : t->second.spikes;
}

void
eventprop_iaf_chiplearn::add_feedback( long trial, size_t output, std::vector< double > errors )
{
  const auto t = trials_.find( trial );
  if ( t == trials_.end() )
  {
    return;  // the neuron did not run in this trial (the simulation started later)
  }
  t->second.feedback[ output ] = std::move( errors );
}

}  // namespace chiplearn
