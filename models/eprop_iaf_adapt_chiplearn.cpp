/*
 *  eprop_iaf_adapt_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_iaf_adapt_chiplearn.h"

// nestkernel
#include "dict_util.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::eprop_iaf_adapt_chiplearn >::create()
{
  chiplearn::insert_recurrent_recordables( *this );
  insert_( names::adaptation, &chiplearn::eprop_iaf_adapt_chiplearn::get_adaptation_ );
  insert_( names::V_th_adapt, &chiplearn::eprop_iaf_adapt_chiplearn::get_V_th_adapt_ );
}
}  // namespace nest

namespace chiplearn
{

void
AdaptiveSpikingParameters::get( Dictionary& d ) const
{
  spiking.get( d );
  d[ nest::names::adapt_beta ] = adapt_beta;
  d[ nest::names::adapt_tau ] = adapt_tau;
}

double
AdaptiveSpikingParameters::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = spiking.set( d, node );
  nest::update_value_param( d, nest::names::adapt_beta, adapt_beta, node );
  nest::update_value_param( d, nest::names::adapt_tau, adapt_tau, node );
  require_non_negative( node->get_name(), nest::names::adapt_beta, adapt_beta, "mV" );
  require_positive( node->get_name(), nest::names::adapt_tau, adapt_tau, "ms" );
  return delta_EL;
}

core::AlifParameters
AdaptiveSpikingParameters::dynamics() const
{
  return { spiking.dynamics(), adapt_beta, core::decay_factor( nest::Time::get_resolution().get_ms(), adapt_tau ) };
}

void
AlifModel::get_state( const core::AlifState& s, Dictionary& d )
{
  d[ nest::names::adaptation ] = s.adaptation;
}

void
AlifModel::set_state( core::AlifState& s, const Dictionary& d, nest::Node* node )
{
  nest::update_value_param( d, nest::names::adaptation, s.adaptation, node );
  require_non_negative( node->get_name(), nest::names::adaptation, s.adaptation, "" );
}

}  // namespace chiplearn
