/*
 *  eprop_readout_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_readout_chiplearn.h"

#include <cmath>

// nestkernel
#include "dict_util.h"
#include "genericmodel.h"
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eprop_readout_chiplearn >::create()
{
  insert_( names::error_signal, &chiplearn::eprop_readout_chiplearn::get_error_signal_ );
  insert_( names::readout_signal, &chiplearn::eprop_readout_chiplearn::get_readout_signal_ );
  insert_( names::readout_signal_unnorm, &chiplearn::eprop_readout_chiplearn::get_readout_signal_unnorm_ );
  insert_( names::target_signal, &chiplearn::eprop_readout_chiplearn::get_target_signal_ );
  insert_( names::eprop_history_duration, &chiplearn::eprop_readout_chiplearn::eprop_history_duration );
  insert_( names::V_m, &chiplearn::eprop_readout_chiplearn::get_V_m_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_readout_chiplearn > eprop_readout_chiplearn::recordablesMap_;

ReadoutNodeParameters::ReadoutNodeParameters()
{
  membrane.E_L = 0.0;  // the readout signal is V_m itself
}

void
ReadoutNodeParameters::get( Dictionary& d ) const
{
  membrane.get( d );
  d[ nest::names::loss ] = core::name_of_choice( core::loss_names(), loss );
}

double
ReadoutNodeParameters::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = membrane.set( d, node );
  std::string name = core::name_of_choice( core::loss_names(), loss );
  d.update_value( nest::names::loss, name );
  loss = choice_parameter< core::Loss >( node->get_name(), core::loss_names(), nest::names::loss, name );
  return delta_EL;
}

void
ReadoutNodeState::get( Dictionary& d, const ReadoutNodeParameters& p ) const
{
  d[ nest::names::V_m ] = v + p.membrane.E_L;
}

void
ReadoutNodeState::set( const Dictionary& d, const ReadoutNodeParameters& p, double delta_EL, nest::Node* node )
{
  p.membrane.update_relative_potential( d, nest::names::V_m, v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, v + p.membrane.E_L, "mV" );
}

bool
is_eprop_readout( const nest::Node& node )
{
  const auto* model = nest::kernel().model_manager.get_node_model( node.get_model_id() );
  return dynamic_cast< const nest::GenericModel< eprop_readout_chiplearn >* >( model ) != nullptr;
}

void
eprop_readout_chiplearn::get_status( Dictionary& d ) const
{
  ChiplearnNode::get_status( d );
  get_readout_receptor_types( d );
  d[ eprop_interval_offset ] = eprop_delays::readout_signal_offset;
}

void
eprop_readout_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = P_.membrane.propagators();
  learning_window_steps_ = nest::kernel().simulation_manager.get_eprop_learning_window().get_steps();
  configure_eprop( get_name(), eprop_delays::readout_shift );
  eprop_history_.gradient().kernel = { propagators_.P_v, propagators_.P_z };
}

void
eprop_readout_chiplearn::compute_error_signal()
{
  // The readout signal of step t is the one that reached the other readouts, from step t - 1: softmax
  // normalization needs every readout's signal, and they arrive one step late (NEST's bsshslm_2020 models
  // and the original e-prop code align mean-squared error the same way).
  S_.readout_signal = core::readout_signal( P_.loss, S_.sent_V_m, others_ );
  S_.sent_V_m = S_.v + P_.membrane.E_L;
  S_.error_signal = core::error_signal( S_.readout_signal, S_.target_signal );
}

void
eprop_readout_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  const size_t buffer_size = nest::kernel().connection_manager.get_min_delay();
  std::vector< double > error_signals( buffer_size, 0.0 );
  std::vector< double > membrane_potentials( buffer_size, 0.0 );

  for ( long lag = from; lag < to; ++lag )
  {
    const long t = origin.get_steps() + lag;
    const long key = t - eprop_delays::readout_normalization;  // the step whose V_m the error signal reflects
    eprop_clock_.advance( key );
    // the membrane's interval starts in the step after the last one of key's interval
    if ( eprop_clock_.at_last_step() )
    {
      eprop_history_.forget_unused( eprop_clock_.interval() );
      if ( resets_on_update() )
      {
        S_.v = 0.0;
      }
    }

    S_.v = core::leaky_step( S_.v, propagators_, S_.i_in, spike_input_.get_value( lag ), P_.membrane.V_min, arithmetic_ );
    if ( not std::isfinite( S_.v + P_.membrane.E_L ) )
    {
      numerical_instability( "V_m", S_.v + P_.membrane.E_L );
    }
    compute_error_signal();
    // no error outside the learning window, nor before the first trial (the steps before the first interval)
    if ( eprop_clock_.interval() < 0 or eprop_clock_.step_in_interval() < grid_.steps - learning_window_steps_ )
    {
      S_.target_signal = 0.0;
      S_.readout_signal = 0.0;
      S_.error_signal = 0.0;
    }
    others_ = core::OthersSoftmaxSum();
    membrane_potentials[ lag ] = S_.sent_V_m;
    error_signals[ lag ] = S_.error_signal;
    if ( records_eprop_history() and eprop_clock_.interval() >= 0 )  // trials start at interval 0
    {
      eprop_history_.record( key, { .error_signal = S_.error_signal } );
      if ( eprop_clock_.at_last_step() )
      {
        seal_interval( eprop_clock_.interval() );
      }
    }

    S_.i_in = current_input_.get_value( lag ) + P_.membrane.I_e;
    logger_.record_data( t );
  }

  nest::LearningSignalConnectionEvent learning_signal_event;
  learning_signal_event.set_coeffarray( error_signals );
  nest::kernel().event_delivery_manager.send_secondary( *this, learning_signal_event );

  if ( P_.loss == core::Loss::cross_entropy )
  {
    nest::DelayedRateConnectionEvent readout_signal_event;
    readout_signal_event.set_coeffarray( membrane_potentials );
    nest::kernel().event_delivery_manager.send_secondary( *this, readout_signal_event );
  }
}

void
eprop_readout_chiplearn::handle( nest::DelayedRateConnectionEvent& e )
{
  auto it = e.begin();
  const double signal = e.get_weight() * e.get_coeffvalue( it );
  if ( not std::isfinite( signal ) )
  {
    numerical_instability( e.get_rport() == READOUT_SIGNAL ? "a readout signal received" : "target_signal", signal );
  }
  if ( e.get_rport() == READOUT_SIGNAL )
  {
    others_.add( signal );
  }
  else
  {
    S_.target_signal = signal;
  }
}

size_t
eprop_readout_chiplearn::handles_test_event( nest::DelayedRateConnectionEvent&, size_t receptor_type )
{
  return readout_rate_receptor( receptor_type, get_name() );
}

}  // namespace chiplearn
