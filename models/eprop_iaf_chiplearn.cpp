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
  insert_( names::learning_signal, &chiplearn::eprop_iaf_chiplearn::get_learning_signal_ );
  insert_( names::surrogate_gradient, &chiplearn::eprop_iaf_chiplearn::get_surrogate_gradient_ );
  insert_( names::eprop_history_duration, &chiplearn::eprop_iaf_chiplearn::eprop_history_duration );
  insert_( names::V_m, &chiplearn::eprop_iaf_chiplearn::get_V_m_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_iaf_chiplearn > eprop_iaf_chiplearn::recordablesMap_;

void
LifNodeParameters::get( Dictionary& d ) const
{
  spiking.get( d );
  learning.get( d );
}

double
LifNodeParameters::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = spiking.set( d, node );
  learning.set( d, node );
  return delta_EL;
}

void
LifNodeState::get( Dictionary& d, const LifNodeParameters& p ) const
{
  d[ nest::names::V_m ] = lif.v + p.spiking.membrane.E_L;
}

void
LifNodeState::set( const Dictionary& d, const LifNodeParameters& p, double delta_EL, nest::Node* node )
{
  const MembraneParameters& membrane = p.spiking.membrane;
  membrane.update_relative_potential( d, nest::names::V_m, lif.v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, lif.v + membrane.E_L, "mV" );
}

core::EligibilityParameters
eprop_iaf_chiplearn::eligibility_parameters() const
{
  return { propagators_.P_v, propagators_.P_z, kappa_, 0.0, 0.0 };
}

void
eprop_iaf_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = P_.spiking.membrane.propagators();
  lif_ = P_.spiking.lif();
  prepare_eprop();
}

void
eprop_iaf_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    const long t = origin.get_steps() + lag;
    if ( begin_eprop_step( t ) )
    {
      S_.lif = core::LifState();
    }
    core::lif_integrate( S_.lif, lif_, propagators_, S_.i_in, spike_input_.get_value( lag ) );
    const double psi = surrogate_gradient( S_.lif.refractory_left > 0, S_.lif.v, lif_.V_th );
    const bool spike = spike_event_is_due( core::lif_crosses_threshold( S_.lif, lif_.V_th ) );
    core::lif_set_spike( S_.lif, lif_, spike );
    if ( spike )
    {
      emit_spike( origin, lag );
    }
    record_eprop_step( psi, spike );
    S_.i_in = current_input_.get_value( lag ) + P_.spiking.membrane.I_e;
    logger_.record_data( t );
  }
}

}  // namespace chiplearn
