/*
 *  eprop_readout_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_readout_chiplearn.h"

// nestkernel
#include "dict_util.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "universal_data_logger_impl.h"

// chiplearn
#include "parameter_checks.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eprop_readout_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::eprop_readout_chiplearn::get_V_m_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_readout_chiplearn > eprop_readout_chiplearn::recordablesMap_;

void
eprop_readout_chiplearn::State_::get( Dictionary& d, const MembraneParameters& p ) const
{
  d[ nest::names::V_m ] = v + p.E_L;
}

void
eprop_readout_chiplearn::State_::set( const Dictionary& d, const MembraneParameters& p, double delta_EL,
  nest::Node* node )
{
  p.update_relative_potential( d, nest::names::V_m, v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, v + p.E_L, "mV" );
}

eprop_readout_chiplearn::eprop_readout_chiplearn()
  : LeakyNode()
  , logger_( *this )
{
  P_.E_L = 0.0;
  recordablesMap_.create();
}

eprop_readout_chiplearn::eprop_readout_chiplearn( const eprop_readout_chiplearn& n )
  : LeakyNode( n )
  , P_( n.P_ )
  , S_( n.S_ )
  , logger_( *this )
{
}

void
eprop_readout_chiplearn::get_status( Dictionary& d ) const
{
  P_.get( d );
  S_.get( d, P_ );
  LeakyNode::get_status( d );
  d[ nest::names::recordables ] = recordablesMap_.get_list();
}

void
eprop_readout_chiplearn::set_status( const Dictionary& d )
{
  MembraneParameters ptmp = P_;
  const double delta_EL = ptmp.set( d, this );
  ptmp.check( get_name() );
  State_ stmp = S_;
  stmp.set( d, ptmp, delta_EL, this );
  LeakyNode::set_status( d );
  P_ = ptmp;
  S_ = stmp;
}

void
eprop_readout_chiplearn::init_buffers_()
{
  clear_input_buffers();
  logger_.reset();
  ArchivingNode::clear_history();
}

void
eprop_readout_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = P_.propagators();
}

void
eprop_readout_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    S_.v = core::leaky_step( S_.v, propagators_, S_.i_in, spike_input_.get_value( lag ), P_.V_min );
    S_.i_in = current_input_.get_value( lag ) + P_.I_e;
    logger_.record_data( origin.get_steps() + lag );
  }
}

void
eprop_readout_chiplearn::handle( nest::DataLoggingRequest& e )
{
  logger_.handle( e );
}

size_t
eprop_readout_chiplearn::handles_test_event( nest::DataLoggingRequest& dlr, size_t receptor_type )
{
  require_receptor_zero( receptor_type );
  return logger_.connect_logging_device( dlr, recordablesMap_ );
}

}  // namespace chiplearn
