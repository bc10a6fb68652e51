/*
 *  ebn_iaf_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ebn_iaf_chiplearn.h"

#include <cmath>

// nestkernel
#include "dict_util.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "core/counter_rng.h"
#include "core/ebn.h"
#include "parameter_checks.h"

namespace nest
{
template <>
void
RecordablesMap< chiplearn::ebn_iaf_chiplearn >::create()
{
  insert_( names::V_m, &chiplearn::ebn_iaf_chiplearn::get_V_m_ );
  insert_( names::I_syn, &chiplearn::ebn_iaf_chiplearn::get_I_syn_ );
}
}  // namespace nest

namespace chiplearn
{

namespace
{
const std::string noise_std_key = "noise_std";
}

nest::RecordablesMap< ebn_iaf_chiplearn > ebn_iaf_chiplearn::recordablesMap_;

void
EbnNeuronParameters::get( Dictionary& d ) const
{
  d[ nest::names::C_m ] = C_m;
  d[ nest::names::E_L ] = E_L;
  d[ nest::names::I_e ] = I_e;
  d[ nest::names::tau_m ] = tau_m;
  d[ nest::names::tau_syn ] = tau_syn;
  d[ nest::names::V_th ] = V_th + E_L;
  d[ nest::names::V_reset ] = V_reset + E_L;
  d[ nest::names::V_min ] = V_min + E_L;
  d[ nest::names::t_ref ] = t_ref;
  d[ noise_std_key ] = noise_std;
}

double
EbnNeuronParameters::set( const Dictionary& d, nest::Node* node )
{
  const double E_L_old = E_L;
  nest::update_value_param( d, nest::names::E_L, E_L, node );
  const double delta_EL = E_L - E_L_old;
  update_relative_potential( d, nest::names::V_th, V_th, E_L, delta_EL, node );
  update_relative_potential( d, nest::names::V_reset, V_reset, E_L, delta_EL, node );
  update_relative_potential( d, nest::names::V_min, V_min, E_L, delta_EL, node );
  nest::update_value_param( d, nest::names::C_m, C_m, node );
  nest::update_value_param( d, nest::names::I_e, I_e, node );
  nest::update_value_param( d, nest::names::tau_m, tau_m, node );
  nest::update_value_param( d, nest::names::tau_syn, tau_syn, node );
  nest::update_value_param( d, nest::names::t_ref, t_ref, node );
  nest::update_value_param( d, noise_std_key, noise_std, node );

  const std::string& model = node->get_name();
  check_membrane( model, C_m, E_L, I_e, tau_m, V_min );
  require_positive( model, nest::names::tau_syn, tau_syn, "ms" );
  require_finite( model, nest::names::V_th, V_th + E_L, "mV" );
  require_finite( model, nest::names::V_reset, V_reset + E_L, "mV" );
  if ( V_reset < V_min )
  {
    refuse( model, nest::names::V_reset, V_reset + E_L, "mV", "V_reset >= V_min (" + format_number( V_min + E_L ) + ")" );
  }
  if ( not( V_th > V_reset ) )
  {
    refuse( model, nest::names::V_th, V_th + E_L, "mV", "V_th > V_reset (" + format_number( V_reset + E_L ) + ")" );
  }
  require_non_negative( model, nest::names::t_ref, t_ref, "ms" );
  require_non_negative( model, noise_std_key, noise_std, "pA" );
  require_finite( model, noise_std_key, noise_std, "pA" );
  return delta_EL;
}

core::CurrentLifParameters
EbnNeuronParameters::dynamics() const
{
  const double h = nest::Time::get_resolution().get_ms();
  return { { { V_th, V_min, nest::Time( nest::Time::ms( t_ref ) ).get_steps() }, V_reset },
    core::exp_current_propagators( h, tau_m, tau_syn, C_m ) };
}

void
EbnNeuronState::get( Dictionary& d, const EbnNeuronParameters& p ) const
{
  d[ nest::names::V_m ] = dynamics.lif.v + p.E_L;
  d[ nest::names::I_syn ] = dynamics.i_syn;
}

void
EbnNeuronState::set( const Dictionary& d, const EbnNeuronParameters& p, double delta_EL, nest::Node* node )
{
  update_relative_potential( d, nest::names::V_m, dynamics.lif.v, p.E_L, delta_EL, node );
  v_before_reset = dynamics.lif.v;
  nest::update_value_param( d, nest::names::I_syn, dynamics.i_syn, node );
  require_finite( node->get_name(), nest::names::V_m, dynamics.lif.v + p.E_L, "mV" );
  require_finite( node->get_name(), nest::names::I_syn, dynamics.i_syn, "pA" );
}

void
ebn_iaf_chiplearn::pre_run_hook()
{
  logger_.init();
  propagators_ = core::leaky_propagators( nest::Time::get_resolution().get_ms(), P_.tau_m, P_.C_m, true );
  dynamics_ = P_.dynamics();
  Dictionary kernel_random;
  nest::kernel().random_manager.get_status( kernel_random );
  noise_seed_ = static_cast< std::uint32_t >( kernel_random.get< long >( nest::names::rng_seed ) );
}

void
ebn_iaf_chiplearn::take_self_term( double dead_zone, double reset_step )
{
  const double shift = core::ebn_self_term_shift(
    membrane_potential(), P_.V_reset + P_.E_L, P_.V_th + P_.E_L, dead_zone, reset_step );
  // E_L and V_reset move by the shift; V_m, V_th and V_min stay, so their values relative to E_L move back
  P_.E_L += shift;
  P_.V_th -= shift;
  P_.V_min -= shift;
  S_.dynamics.lif.v -= shift;
  S_.v_before_reset -= shift;
  dynamics_.reset_lif.lif.V_th = P_.V_th;
  dynamics_.reset_lif.lif.V_min = P_.V_min;
}

void
ebn_iaf_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    const long t = origin.get_steps() + lag;
    double i_in = S_.i_in + P_.I_e;
    if ( P_.noise_std > 0.0 )
    {
      i_in += P_.noise_std
        * core::counter_normal( noise_seed_, core::Stream::membrane_noise, get_node_id(), static_cast< std::uint64_t >( t ) );
    }
    using Dynamics = core::CurrentLifResetToValue;
    Dynamics::integrate( S_.dynamics, dynamics_, propagators_, i_in, spike_input_.get_value( lag ), arithmetic_ );
    S_.v_before_reset = S_.dynamics.lif.v;
    const bool spike = core::lif_crosses_threshold( S_.dynamics.lif, Dynamics::threshold( S_.dynamics, dynamics_ ) );
    Dynamics::set_spike( S_.dynamics, dynamics_, spike, arithmetic_ );
    if ( not std::isfinite( S_.dynamics.lif.v ) )
    {
      numerical_instability( "V_m", membrane_potential() );
    }
    if ( not std::isfinite( S_.dynamics.i_syn ) )
    {
      numerical_instability( "I_syn", S_.dynamics.i_syn );
    }
    if ( spike )
    {
      emit_spike( origin, lag );
    }
    S_.i_in = current_input_.get_value( lag );
    logger_.record_data( t );
  }
}

}  // namespace chiplearn
