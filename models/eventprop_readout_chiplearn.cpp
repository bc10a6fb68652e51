/*
 *  eventprop_readout_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_readout_chiplearn.h"

#include <cmath>
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
const std::string tau_syn = "tau_syn";
const std::string neuron_model_key = "neuron_model";
const std::string tau_0 = "tau_0";
const std::string tau_1 = "tau_1";
const std::string alpha = "alpha";
const std::string slope_floor_key = "slope_floor";
const std::string I_syn = "I_syn";
//! Largest t / tau in the loss's exponentials (e^709 is the largest power of e below the double range).
constexpr double max_exponent = 700.0;
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
  d[ nest::names::C_m ] = membrane.C_m;
  d[ nest::names::tau_m ] = membrane.tau_m;
  d[ tau_syn ] = membrane.tau_s;
  d[ nest::names::V_th ] = membrane.V_th;
  d[ neuron_model_key ] = core::name_of_choice( ep::neuron_model_names(), neuron_model );
  d[ nest::names::loss ] = core::name_of_choice( ep::loss_names(), loss );
  d[ tau_0 ] = first_spike.tau_0;
  d[ tau_1 ] = first_spike.tau_1;
  d[ alpha ] = first_spike.alpha;
  d[ slope_floor_key ] = slope_floor;
}

double
EventpropReadoutParameters::set( const Dictionary& d, nest::Node* node )
{
  const std::string& model = node->get_name();
  d.update_value( nest::names::C_m, membrane.C_m );
  d.update_value( nest::names::tau_m, membrane.tau_m );
  d.update_value( tau_syn, membrane.tau_s );
  d.update_value( nest::names::V_th, membrane.V_th );
  check_parameters( model, [ & ] { membrane.check(); } );
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
  check_parameters( model, [ & ] { first_spike.check(); } );
  d.update_value( slope_floor_key, slope_floor );
  require_positive( model, slope_floor_key, slope_floor, "mV" );
  return 0.0;  // potentials are relative to a resting potential of 0
}

void
EventpropReadoutState::get( Dictionary& d, const EventpropReadoutParameters& ) const
{
  d[ nest::names::V_m ] = membrane.v;
  d[ I_syn ] = membrane.i;
}

void
EventpropReadoutState::set( const Dictionary& d, const EventpropReadoutParameters&, double, nest::Node* node )
{
  d.update_value( nest::names::V_m, membrane.v );
  d.update_value( I_syn, membrane.i );
  require_finite( node->get_name(), nest::names::V_m, membrane.v, "mV" );
  require_finite( node->get_name(), I_syn, membrane.i, "pA" );
}

void
eventprop_readout_chiplearn::get_status( Dictionary& d ) const
{
  ChiplearnNode::get_status( d );
  Dictionary receptors;
  receptors[ nest::names::readout_signal ] = static_cast< long >( READOUT_SIGNAL );
  receptors[ nest::names::target_signal ] = static_cast< long >( TARGET_SIGNAL );
  d[ nest::names::receptor_types ] = receptors;
  d[ "trial" ] = last_.trial;
  d[ "first_spike_time" ] = last_.seen.first_spike_time;
  d[ "v_max" ] = last_.seen.v_max;
  d[ "t_max" ] = last_.seen.t_max;
  d[ "probability" ] = last_adjoint_.p;
  d[ "target" ] = last_.is_target;
  d[ "loss_derivative" ] = last_adjoint_.loss_derivative;
  d[ "trial_loss" ] = last_.is_target ? last_loss_ : std::numeric_limits< double >::quiet_NaN();
  d[ "held_trials" ] = static_cast< long >( held_.size() );
}

void
eventprop_readout_chiplearn::pre_run_hook()
{
  logger_.init();
  h_ = nest::Time::get_resolution().get_ms();
  propagators_ = core::exp_current_propagators( h_, P_.membrane.tau_m, P_.membrane.tau_s, P_.membrane.C_m );
  P_v_ = core::decay_factor( h_, P_.membrane.tau_m );
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
    grid_ = { steps, 0 };
    held_.clear();
    pending_.reset();
  }
}

void
eventprop_readout_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  if ( pending_ )
  {
    finish_trial();
  }
  std::vector< double > logits( nest::kernel().connection_manager.get_min_delay(),
    std::numeric_limits< double >::quiet_NaN() );
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
    const bool spike = ep::output_step( S_.membrane, seen_, P_.neuron_model, P_.membrane, propagators_, P_v_, h_,
      step_in_trial * h_, spike_input_.get_value( lag ) );
    if ( not( std::isfinite( S_.membrane.v ) and std::isfinite( S_.membrane.i ) ) )
    {
      numerical_instability( "V_m", S_.membrane.v );
    }
    if ( spike )
    {
      emit_spike( origin, lag );
    }
    if ( step_in_trial == grid_.steps - 1 and trial >= 0 )
    {
      pending_ = Pending { trial, seen_, S_.target_signal > 0.5 };
      logits[ lag ] = ep::logit( P_.loss, seen_, grid_.steps * h_, P_.first_spike );
    }
    logger_.record_data( step );
  }
  nest::DelayedRateConnectionEvent logit_event;
  logit_event.set_coeffarray( logits );
  nest::kernel().event_delivery_manager.send_secondary( *this, logit_event );
}

void
eventprop_readout_chiplearn::finish_trial()
{
  const double T = grid_.steps * h_;
  last_ = *pending_;
  last_adjoint_ = ep::output_adjoint(
    P_.loss, last_.seen, others_, last_.is_target, T, P_.membrane, P_.first_spike, P_.slope_floor );
  last_loss_ = ep::target_loss( P_.loss, last_adjoint_.p, ep::first_spike_time_or_end( last_.seen, T ), P_.first_spike );
  const auto held = held_.find( last_.trial );
  if ( held != held_.end() )
  {
    held->second.jump = last_adjoint_.jump;
    held->second.final = true;
  }
  pending_.reset();
  others_ = core::OthersSoftmaxSum();
}

void
eventprop_readout_chiplearn::acquire_trial( long trial )
{
  ++held_[ trial ].holders;
}

bool
eventprop_readout_chiplearn::trial_final( long trial ) const
{
  const auto held = held_.find( trial );
  return held != held_.end() and held->second.final;
}

double
eventprop_readout_chiplearn::take_gradient( long trial, std::span< const double > arrivals )
{
  const auto held = held_.find( trial );
  if ( held == held_.end() or not held->second.final )
  {
    throw nest::KernelException( get_name() + ": the gradient of trial " + std::to_string( trial )
      + " was taken before its loss was known." );
  }
  double gradient = 0.0;
  if ( held->second.jump )
  {
    gradient = ep::weight_gradient( P_.membrane, std::span( &*held->second.jump, 1 ), arrivals );
  }
  if ( --held->second.holders == 0 )
  {
    held_.erase( held );
  }
  return gradient;
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
    else if ( not std::isnan( value ) )  // an output's logit, at the end of a trial
    {
      others_.add( value );
    }
  }
}

size_t
eventprop_readout_chiplearn::handles_test_event( nest::DelayedRateConnectionEvent&, size_t receptor_type )
{
  if ( receptor_type != READOUT_SIGNAL and receptor_type != TARGET_SIGNAL )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return receptor_type;
}

}  // namespace chiplearn
