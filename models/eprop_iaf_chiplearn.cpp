/*
 *  eprop_iaf_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_chiplearn.h"

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
RecordablesMap< chiplearn::eprop_iaf_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::eprop_iaf_chiplearn::get_V_m_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_iaf_chiplearn > eprop_iaf_chiplearn::recordablesMap_;

void
LifNodeState::get( Dictionary& d, const SpikingParameters& p ) const
{
  d[ nest::names::V_m ] = lif.v + p.membrane.E_L;
}

void
LifNodeState::set( const Dictionary& d, const SpikingParameters& p, double delta_EL, nest::Node* node )
{
  p.membrane.update_relative_potential( d, nest::names::V_m, lif.v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, lif.v + p.membrane.E_L, "mV" );
}

void
eprop_iaf_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = P_.membrane.propagators();
  lif_ = P_.lif();
}

void
eprop_iaf_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    core::lif_integrate( S_.lif, lif_, propagators_, S_.i_in, spike_input_.get_value( lag ) );
    const bool spike = spike_event_is_due( core::lif_crosses_threshold( S_.lif, lif_.V_th ) );
    core::lif_set_spike( S_.lif, lif_, spike );
    if ( spike )
    {
      emit_spike( origin, lag );
    }
    S_.i_in = current_input_.get_value( lag ) + P_.membrane.I_e;
    logger_.record_data( origin.get_steps() + lag );
  }
}

}  // namespace chiplearn
