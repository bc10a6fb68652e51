/*
 *  eprop_iaf_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_chiplearn.h"

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
RecordablesMap< chiplearn::eprop_iaf_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::eprop_iaf_chiplearn::get_V_m_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_iaf_chiplearn > eprop_iaf_chiplearn::recordablesMap_;

void
eprop_iaf_chiplearn::State_::get( Dictionary& d, const Parameters_& p ) const
{
  d[ nest::names::V_m ] = lif.v + p.membrane.E_L;
}

void
eprop_iaf_chiplearn::State_::set( const Dictionary& d, const Parameters_& p, double delta_EL, nest::Node* node )
{
  p.membrane.update_relative_potential( d, nest::names::V_m, lif.v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, lif.v + p.membrane.E_L, "mV" );
}

eprop_iaf_chiplearn::eprop_iaf_chiplearn()
  : LeakyNode()
  , logger_( *this )
{
  recordablesMap_.create();
}

eprop_iaf_chiplearn::eprop_iaf_chiplearn( const eprop_iaf_chiplearn& n )
  : LeakyNode( n )
  , P_( n.P_ )
  , S_( n.S_ )
  , logger_( *this )
{
}

void
eprop_iaf_chiplearn::get_status( Dictionary& d ) const
{
  P_.get( d );
  S_.get( d, P_ );
  LeakyNode::get_status( d );
  d[ nest::names::recordables ] = recordablesMap_.get_list();
}

void
eprop_iaf_chiplearn::set_status( const Dictionary& d )
{
  Parameters_ ptmp = P_;
  const double delta_EL = ptmp.set( d, this, get_name() );
  State_ stmp = S_;
  stmp.set( d, ptmp, delta_EL, this );
  LeakyNode::set_status( d );
  P_ = ptmp;
  S_ = stmp;
}

void
eprop_iaf_chiplearn::init_buffers_()
{
  clear_input_buffers();
  logger_.reset();
  ArchivingNode::clear_history();
}

void
eprop_iaf_chiplearn::pre_run_hook()
{
  logger_.init();
  V_.propagators = P_.membrane.propagators();
  V_.lif = P_.lif();
}

void
eprop_iaf_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    core::lif_integrate( S_.lif, V_.lif, V_.propagators, S_.i_in, spike_input_.get_value( lag ) );
    const bool spike = spike_event_is_due( core::lif_crosses_threshold( S_.lif, V_.lif.V_th ) );
    core::lif_set_spike( S_.lif, V_.lif, spike );
    if ( spike )
    {
      set_spiketime( nest::Time::step( origin.get_steps() + lag + 1 ) );
      nest::SpikeEvent se;
      nest::kernel().event_delivery_manager.send( *this, se, lag );
    }
    S_.i_in = current_input_.get_value( lag ) + P_.membrane.I_e;
    logger_.record_data( origin.get_steps() + lag );
  }
}

void
eprop_iaf_chiplearn::handle( nest::DataLoggingRequest& e )
{
  logger_.handle( e );
}

size_t
eprop_iaf_chiplearn::handles_test_event( nest::DataLoggingRequest& dlr, size_t receptor_type )
{
  require_receptor_zero( receptor_type );
  return logger_.connect_logging_device( dlr, recordablesMap_ );
}

}  // namespace chiplearn
