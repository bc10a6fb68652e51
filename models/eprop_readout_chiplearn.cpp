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
ReadoutNodeState::get( Dictionary& d, const MembraneParameters& p ) const
{
  d[ nest::names::V_m ] = v + p.E_L;
}

void
ReadoutNodeState::set( const Dictionary& d, const MembraneParameters& p, double delta_EL, nest::Node* node )
{
  p.update_relative_potential( d, nest::names::V_m, v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, v + p.E_L, "mV" );
}

eprop_readout_chiplearn::eprop_readout_chiplearn()
{
  P_.E_L = 0.0;  // the readout signal is V_m itself
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

}  // namespace chiplearn
