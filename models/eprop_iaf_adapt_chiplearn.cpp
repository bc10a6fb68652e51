/*
 *  eprop_iaf_adapt_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_adapt_chiplearn.h"

// nestkernel
#include "dict_util.h"
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "universal_data_logger_impl.h"

// chiplearn
#include "parameter_checks.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eprop_iaf_adapt_chiplearn >::create()
{
  insert_( names::adaptation, &chiplearn::eprop_iaf_adapt_chiplearn::get_adaptation_ );
  insert_( names::V_m, &chiplearn::eprop_iaf_adapt_chiplearn::get_V_m_ );
  insert_( names::V_th_adapt, &chiplearn::eprop_iaf_adapt_chiplearn::get_V_th_adapt_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_iaf_adapt_chiplearn > eprop_iaf_adapt_chiplearn::recordablesMap_;

void
eprop_iaf_adapt_chiplearn::Parameters_::get( Dictionary& d ) const
{
  spiking.get( d );
  d[ nest::names::adapt_beta ] = adapt_beta;
  d[ nest::names::adapt_tau ] = adapt_tau;
}

double
eprop_iaf_adapt_chiplearn::Parameters_::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = spiking.set( d, node, node->get_name() );
  nest::update_value_param( d, nest::names::adapt_beta, adapt_beta, node );
  nest::update_value_param( d, nest::names::adapt_tau, adapt_tau, node );
  require_non_negative( node->get_name(), nest::names::adapt_beta, adapt_beta, "mV" );
  require_positive( node->get_name(), nest::names::adapt_tau, adapt_tau, "ms" );
  return delta_EL;
}

void
eprop_iaf_adapt_chiplearn::State_::get( Dictionary& d, const Parameters_& p ) const
{
  d[ nest::names::V_m ] = alif.lif.v + p.spiking.membrane.E_L;
  d[ nest::names::adaptation ] = alif.adaptation;
}

void
eprop_iaf_adapt_chiplearn::State_::set( const Dictionary& d, const Parameters_& p, double delta_EL,
  nest::Node* node )
{
  p.spiking.membrane.update_relative_potential( d, nest::names::V_m, alif.lif.v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, alif.lif.v + p.spiking.membrane.E_L, "mV" );
  nest::update_value_param( d, nest::names::adaptation, alif.adaptation, node );
  require_non_negative( node->get_name(), nest::names::adaptation, alif.adaptation, "" );
}

eprop_iaf_adapt_chiplearn::eprop_iaf_adapt_chiplearn()
  : LeakyNode()
  , logger_( *this )
{
  recordablesMap_.create();
}

eprop_iaf_adapt_chiplearn::eprop_iaf_adapt_chiplearn( const eprop_iaf_adapt_chiplearn& n )
  : LeakyNode( n )
  , P_( n.P_ )
  , S_( n.S_ )
  , logger_( *this )
{
}

void
eprop_iaf_adapt_chiplearn::get_status( Dictionary& d ) const
{
  P_.get( d );
  S_.get( d, P_ );
  LeakyNode::get_status( d );
  d[ nest::names::recordables ] = recordablesMap_.get_list();
}

void
eprop_iaf_adapt_chiplearn::set_status( const Dictionary& d )
{
  Parameters_ ptmp = P_;
  const double delta_EL = ptmp.set( d, this );
  State_ stmp = S_;
  stmp.set( d, ptmp, delta_EL, this );
  LeakyNode::set_status( d );
  P_ = ptmp;
  S_ = stmp;
}

void
eprop_iaf_adapt_chiplearn::init_buffers_()
{
  clear_input_buffers();
  logger_.reset();
  ArchivingNode::clear_history();
}

void
eprop_iaf_adapt_chiplearn::pre_run_hook()
{
  logger_.init();
  V_.propagators = P_.spiking.membrane.propagators();
  V_.alif = { P_.spiking.lif(), P_.adapt_beta, core::decay_factor( nest::Time::get_resolution().get_ms(), P_.adapt_tau ) };
}

void
eprop_iaf_adapt_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    core::alif_integrate( S_.alif, V_.alif, V_.propagators, S_.i_in, spike_input_.get_value( lag ) );
    const bool spike =
      spike_event_is_due( core::lif_crosses_threshold( S_.alif.lif, core::adaptive_threshold( S_.alif, V_.alif ) ) );
    core::lif_set_spike( S_.alif.lif, V_.alif.lif, spike );
    if ( spike )
    {
      set_spiketime( nest::Time::step( origin.get_steps() + lag + 1 ) );
      nest::SpikeEvent se;
      nest::kernel().event_delivery_manager.send( *this, se, lag );
    }
    S_.i_in = current_input_.get_value( lag ) + P_.spiking.membrane.I_e;
    logger_.record_data( origin.get_steps() + lag );
  }
}

void
eprop_iaf_adapt_chiplearn::handle( nest::DataLoggingRequest& e )
{
  logger_.handle( e );
}

size_t
eprop_iaf_adapt_chiplearn::handles_test_event( nest::DataLoggingRequest& dlr, size_t receptor_type )
{
  require_receptor_zero( receptor_type );
  return logger_.connect_logging_device( dlr, recordablesMap_ );
}

}  // namespace chiplearn
