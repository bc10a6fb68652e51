/*
 *  eprop_iaf_adapt_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_adapt_chiplearn.h"

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
RecordablesMap< chiplearn::eprop_iaf_adapt_chiplearn >::create()
{
  insert_( names::adaptation, &chiplearn::eprop_iaf_adapt_chiplearn::get_adaptation_ );
  insert_( names::learning_signal, &chiplearn::eprop_iaf_adapt_chiplearn::get_learning_signal_ );
  insert_( names::surrogate_gradient, &chiplearn::eprop_iaf_adapt_chiplearn::get_surrogate_gradient_ );
  insert_( names::eprop_history_duration, &chiplearn::eprop_iaf_adapt_chiplearn::eprop_history_duration );
  insert_( names::V_m, &chiplearn::eprop_iaf_adapt_chiplearn::get_V_m_ );
  insert_( names::V_th_adapt, &chiplearn::eprop_iaf_adapt_chiplearn::get_V_th_adapt_ );
}
}  // namespace nest

namespace chiplearn
{

nest::RecordablesMap< eprop_iaf_adapt_chiplearn > eprop_iaf_adapt_chiplearn::recordablesMap_;

void
AlifNodeParameters::get( Dictionary& d ) const
{
  spiking.get( d );
  d[ nest::names::adapt_beta ] = adapt_beta;
  d[ nest::names::adapt_tau ] = adapt_tau;
  learning.get( d );
}

double
AlifNodeParameters::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = spiking.set( d, node );
  nest::update_value_param( d, nest::names::adapt_beta, adapt_beta, node );
  nest::update_value_param( d, nest::names::adapt_tau, adapt_tau, node );
  require_non_negative( node->get_name(), nest::names::adapt_beta, adapt_beta, "mV" );
  require_positive( node->get_name(), nest::names::adapt_tau, adapt_tau, "ms" );
  learning.set( d, node );
  return delta_EL;
}

void
AlifNodeState::get( Dictionary& d, const AlifNodeParameters& p ) const
{
  d[ nest::names::V_m ] = alif.lif.v + p.spiking.membrane.E_L;
  d[ nest::names::adaptation ] = alif.adaptation;
}

void
AlifNodeState::set( const Dictionary& d, const AlifNodeParameters& p, double delta_EL, nest::Node* node )
{
  p.spiking.membrane.update_relative_potential( d, nest::names::V_m, alif.lif.v, delta_EL, node );
  require_finite( node->get_name(), nest::names::V_m, alif.lif.v + p.spiking.membrane.E_L, "mV" );
  nest::update_value_param( d, nest::names::adaptation, alif.adaptation, node );
  require_non_negative( node->get_name(), nest::names::adaptation, alif.adaptation, "" );
}

core::EligibilityParameters
eprop_iaf_adapt_chiplearn::eligibility_parameters() const
{
  return { propagators_.P_v, propagators_.P_z, kappa_, alif_.adapt_beta, alif_.P_adapt };
}

void
eprop_iaf_adapt_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = P_.spiking.membrane.propagators();
  alif_ = { P_.spiking.lif(), P_.adapt_beta, core::decay_factor( nest::Time::get_resolution().get_ms(), P_.adapt_tau ) };
  prepare_eprop();
}

void
eprop_iaf_adapt_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    const long t = origin.get_steps() + lag;
    if ( begin_eprop_step( t ) )
    {
      S_.alif = core::AlifState();
    }
    core::alif_integrate( S_.alif, alif_, propagators_, S_.i_in, spike_input_.get_value( lag ) );
    const double threshold = core::adaptive_threshold( S_.alif, alif_ );
    const double psi = surrogate_gradient( S_.alif.lif.refractory_left > 0, S_.alif.lif.v, threshold );
    const bool spike = spike_event_is_due( core::lif_crosses_threshold( S_.alif.lif, threshold ) );
    core::lif_set_spike( S_.alif.lif, alif_.lif, spike );
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
