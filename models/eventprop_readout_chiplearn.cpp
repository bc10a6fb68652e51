/*
 *  eventprop_readout_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_readout_chiplearn.h"

#include <cmath>
#include <stdexcept>
#include <limits>
#include <utility>
#include <vector>

// nestkernel
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace
{
const std::string neuron_model_key = "neuron_model";
const std::string tau_0 = "tau_0";
const std::string tau_1 = "tau_1";
const std::string alpha = "alpha";
const std::string phantom_spike_scale = "phantom_spike_scale";
const std::string I_syn = "I_syn";
//! Largest t / tau in the loss's exponentials (e^709 is the largest power of e below the double range).
constexpr double max_exponent = 700.0;
/**
 * The logit a silent target sends the other outputs of its task instead of -T / tau_0: it tells them to take no
 * gradient from the trial (core::eventprop::output_jump), and leaves it out of their softmax, which no longer
 * enters any gradient.
 */
constexpr double silent_target_logit = -std::numeric_limits< double >::infinity();
}  // namespace

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eventprop_readout_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::eventprop_readout_chiplearn::get_V_m_ );
  insert_( I_syn, &chiplearn::eventprop_readout_chiplearn::get_I_syn_ );
  insert_( "logit", &chiplearn::eventprop_readout_chiplearn::get_logit_ );
}
}  // namespace nest

namespace chiplearn
{

namespace ep = core::eventprop;

nest::RecordablesMap< eventprop_readout_chiplearn > eventprop_readout_chiplearn::recordablesMap_;

void
EventpropReadoutParameters::get( Dictionary& d ) const
{
  EventpropMembraneParameters::get( d );
  d[ neuron_model_key ] = core::name_of_choice( ep::neuron_model_names(), neuron_model );
  d[ nest::names::loss ] = core::name_of_choice( ep::loss_names(), loss );
  d[ tau_0 ] = first_spike.tau_0;
  d[ tau_1 ] = first_spike.tau_1;
  d[ alpha ] = first_spike.alpha;
  d[ phantom_spike_scale ] = first_spike.phantom_spike_scale;
}

double
EventpropReadoutParameters::set( const Dictionary& d, nest::Node* node )
{
  const std::string& model = node->get_name();
  EventpropMembraneParameters::set( d, node );
  std::string name = core::name_of_choice( ep::neuron_model_names(), neuron_model );
  d.update_value( neuron_model_key, name );
  neuron_model = choice_parameter< ep::NeuronModel >( model, ep::neuron_model_names(), neuron_model_key, name );
  name = core::name_of_choice( ep::loss_names(), loss );
  d.update_value( nest::names::loss, name );
  loss = choice_parameter< ep::Loss >( model, ep::loss_names(), nest::names::loss, name );
  const bool spiking_loss = loss == ep::Loss::first_spike_cross_entropy;
  if ( spiking_loss != ( neuron_model == ep::NeuronModel::lif ) )
  {
    throw nest::BadProperty( model + ": loss = \"" + name + "\" needs neuron_model = \""
      + ( spiking_loss ? "lif" : "leaky" ) + "\"; allowed: first_spike_cross_entropy with lif, "
      + "max_voltage_cross_entropy with leaky." );
  }
  d.update_value( tau_0, first_spike.tau_0 );
  d.update_value( tau_1, first_spike.tau_1 );
  d.update_value( alpha, first_spike.alpha );
  d.update_value( phantom_spike_scale, first_spike.phantom_spike_scale );
  check_parameters( model, [ & ] { first_spike.check(); } );
  return 0.0;  // potentials are relative to a resting potential of 0
}

void
eventprop_readout_chiplearn::get_status( Dictionary& d ) const
{
  ChiplearnNode::get_status( d );
  get_readout_receptor_types( d );
  d[ "trial" ] = last_.trial;
  d[ "first_spike_time" ] = last_.seen.first_spike_time;
  d[ "v_max" ] = last_.seen.v_max;
  d[ "t_max" ] = last_.seen.t_max;
  d[ "probability" ] = last_adjoint_.p;
  d[ "target" ] = last_.is_target;
  d[ "loss_derivative" ] = last_adjoint_.loss_derivative;
  d[ "trial_loss" ] = last_.is_target ? last_loss_ : std::numeric_limits< double >::quiet_NaN();
  d[ "held_trials" ] = held_trials();
}

void
eventprop_readout_chiplearn::pre_run_hook()
{
  prepare_run();
  const auto& simulation = nest::kernel().simulation_manager;
  const long steps = simulation.get_eprop_update_interval().get_steps();
  const long min_delay = nest::kernel().connection_manager.get_min_delay();
  // the logits of a trial reach the other outputs in the next slice of min_delay steps; the next trial must
  // not have ended by then
  if ( steps < 2 * min_delay )
  {
    refuse( get_name(), "eprop_update_interval", simulation.get_eprop_update_interval().get_ms(), "ms",
      "eprop_update_interval >= 2 min_delay (" + format_number( 2 * min_delay * h_ ) + " ms), the trial length" );
  }
  // the loss's exponentials of t / tau_0 and t / tau_1 (t up to the trial length) must stay finite
  const double trial_ms = steps * h_;
  for ( const auto& [ name, tau ] : { std::pair { tau_0, P_.first_spike.tau_0 }, std::pair { tau_1, P_.first_spike.tau_1 } } )
  {
    if ( tau < trial_ms / max_exponent )
    {
      refuse( get_name(), name, tau, "ms",
        name + " >= eprop_update_interval / " + format_number( max_exponent ) + " (" + format_number( trial_ms / max_exponent )
          + " ms), so that e^{t/" + name + "} stays finite over a trial" );
    }
  }
  if ( not( grid_ == core::IntervalGrid { steps, 0 } ) )
  {
    set_trial_grid( { steps, 0 } );
    pending_.reset();
    feedback_.clear();
  }
}

void
eventprop_readout_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  if ( pending_ )
  {
    finish_trial();
  }
  const long min_delay = nest::kernel().connection_manager.get_min_delay();
  std::vector< double > logits( min_delay, std::numeric_limits< double >::quiet_NaN() );
  std::vector< double > feedback( min_delay, std::numeric_limits< double >::quiet_NaN() );
  for ( long lag = from; lag < to; ++lag )
  {
    const long step = origin.get_steps() + lag;
    const long trial = grid_.interval_of( step );
    const long step_in_trial = grid_.step_in_interval( step );
    if ( step_in_trial == 0 )
    {
      S_.membrane = {};
      seen_ = {};
    }
    spikes_.clear();
    try
    {
      ep::output_step( S_.membrane, seen_, P_.neuron_model, P_.membrane, step_, step_in_trial * h_,
        precise_input_.take( lag ), spikes_ );
    }
    catch ( const std::overflow_error& error )
    {
      numerical_instability( "spikes", static_cast< double >( spikes_.size() ) );
    }
    require_finite_membrane();
    for ( const ep::Spike& spike : spikes_ )
    {
      emit_precise_spike( origin, lag, h_ - spike.time );
    }
    if ( not feedback_.empty() )
    {
      feedback[ lag ] = feedback_.front();
      feedback_.pop_front();
    }
    if ( step_in_trial == grid_.steps - 1 and trial >= 0 )
    {
      pending_ = Pending { trial, seen_, S_.target_signal > 0.5 };
      const bool silent_target = pending_->is_target and P_.loss == ep::Loss::first_spike_cross_entropy
        and not seen_.spiked();
      logits[ lag ] =
        silent_target ? silent_target_logit : ep::logit( P_.loss, seen_, grid_.steps * h_, P_.first_spike );
    }
    logger_.record_data( step );
  }
  nest::DelayedRateConnectionEvent logit_event;
  logit_event.set_coeffarray( logits );
  nest::kernel().event_delivery_manager.send_secondary( *this, logit_event );
  nest::LearningSignalConnectionEvent feedback_event;
  feedback_event.set_coeffarray( feedback );
  nest::kernel().event_delivery_manager.send_secondary( *this, feedback_event );
}

void
eventprop_readout_chiplearn::finish_trial()
{
  const double T = grid_.steps * h_;
  last_ = *pending_;
  last_adjoint_ = ep::output_adjoint( P_.loss, last_.seen, others_, last_.is_target, target_silent_, T, P_.membrane,
    P_.first_spike, P_.slope_floor );
  last_loss_ = ep::target_loss( P_.loss, last_adjoint_.p, ep::first_spike_time_or_end( last_.seen, T ), P_.first_spike );
  std::vector< ep::AdjointJump > jumps;
  if ( last_adjoint_.jump )
  {
    jumps.push_back( *last_adjoint_.jump );
  }
  finish_trial_adjoint( last_.trial, jumps );
  const FeedbackMessage message { static_cast< long >( get_node_id() ), last_.trial, last_adjoint_.jump.value_or( ep::AdjointJump { 0.0, 0.0 } ), P_.membrane };
  for ( const double value : message.values() )
  {
    feedback_.push_back( value );
  }
  pending_.reset();
  others_ = core::OthersSoftmaxSum();
  target_silent_ = false;
}

void
eventprop_readout_chiplearn::handle( nest::DelayedRateConnectionEvent& e )
{
  for ( auto it = e.begin(); it != e.end(); )
  {
    const double value = e.get_weight() * e.get_coeffvalue( it );  // advances it
    if ( e.get_rport() == TARGET_SIGNAL )
    {
      S_.target_signal = value;
    }
    else if ( value == silent_target_logit )
    {
      target_silent_ = true;
    }
    else if ( not std::isnan( value ) )  // an output's logit, at the end of a trial
    {
      others_.add( value );
    }
  }
}

size_t
eventprop_readout_chiplearn::handles_test_event( nest::DelayedRateConnectionEvent&, size_t receptor_type )
{
  return readout_rate_receptor( receptor_type, get_name() );
}

}  // namespace chiplearn
