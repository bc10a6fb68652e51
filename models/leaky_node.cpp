/*
 *  leaky_node.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "leaky_node.h"

#include <cmath>

// nestkernel
#include "dict_util.h"
#include "exceptions.h"
#include "event_delivery_manager_impl.h"
#include "kernel_manager.h"
#include "nest_names.h"
#include "nest_time.h"

// chiplearn
#include "parameter_checks.h"

namespace chiplearn
{

void
MembraneParameters::get( Dictionary& d ) const
{
  d[ nest::names::C_m ] = C_m;
  d[ nest::names::E_L ] = E_L;
  d[ nest::names::I_e ] = I_e;
  d[ nest::names::tau_m ] = tau_m;
  d[ nest::names::V_min ] = V_min + E_L;
  d[ nest::names::regular_spike_arrival ] = regular_spike_arrival;
}

double
MembraneParameters::set( const Dictionary& d, nest::Node* node )
{
  const double E_L_old = E_L;
  nest::update_value_param( d, nest::names::E_L, E_L, node );
  const double delta_EL = E_L - E_L_old;
  update_relative_potential( d, nest::names::V_min, V_min, delta_EL, node );
  nest::update_value_param( d, nest::names::C_m, C_m, node );
  nest::update_value_param( d, nest::names::I_e, I_e, node );
  nest::update_value_param( d, nest::names::tau_m, tau_m, node );
  nest::update_value_param( d, nest::names::regular_spike_arrival, regular_spike_arrival, node );
  check( node->get_name() );
  return delta_EL;
}

void
update_relative_potential( const Dictionary& d,
  const std::string& name,
  double& value,
  double E_L,
  double delta_EL,
  nest::Node* node )
{
  if ( nest::update_value_param( d, name, value, node ) )
  {
    value -= E_L;
  }
  else
  {
    value -= delta_EL;
  }
}

void
MembraneParameters::update_relative_potential( const Dictionary& d, const std::string& name, double& value,
  double delta_EL, nest::Node* node ) const
{
  chiplearn::update_relative_potential( d, name, value, E_L, delta_EL, node );
}

void
check_membrane( const std::string& model, double C_m, double E_L, double I_e, double tau_m, double V_min )
{
  require_positive( model, nest::names::C_m, C_m, "pF" );
  require_finite( model, nest::names::E_L, E_L, "mV" );
  require_finite( model, nest::names::I_e, I_e, "pA" );
  require_positive( model, nest::names::tau_m, tau_m, "ms" );
  if ( not std::isfinite( tau_m / C_m ) )
  {
    refuse( model, nest::names::C_m, C_m, "pF", "C_m large enough that tau_m / C_m is finite" );
  }
  // -inf and the largest negative double both mean "no bound".
  if ( std::isnan( V_min ) or V_min == std::numeric_limits< double >::infinity() )
  {
    refuse( model, nest::names::V_min, V_min + E_L, "mV", "-inf <= V_min < inf mV" );
  }
}

void
MembraneParameters::check( const std::string& model ) const
{
  check_membrane( model, C_m, E_L, I_e, tau_m, V_min );
}

core::LeakyPropagators
MembraneParameters::propagators() const
{
  return core::leaky_propagators( nest::Time::get_resolution().get_ms(), tau_m, C_m, regular_spike_arrival );
}

void
SpikingParameters::get( Dictionary& d ) const
{
  membrane_parameters.get( d );
  d[ nest::names::V_th ] = V_th + membrane_parameters.E_L;
  d[ nest::names::t_ref ] = t_ref;
}

double
SpikingParameters::set( const Dictionary& d, nest::Node* node )
{
  const double delta_EL = membrane_parameters.set( d, node );
  membrane_parameters.update_relative_potential( d, nest::names::V_th, V_th, delta_EL, node );
  nest::update_value_param( d, nest::names::t_ref, t_ref, node );

  const std::string& model = node->get_name();
  require_finite( model, nest::names::V_th, V_th + membrane_parameters.E_L, "mV" );
  if ( V_th < membrane_parameters.V_min )
  {
    refuse( model, nest::names::V_th, V_th + membrane_parameters.E_L, "mV", "V_th >= V_min" );
  }
  require_non_negative( model, nest::names::t_ref, t_ref, "ms" );
  return delta_EL;
}

core::LifParameters
SpikingParameters::dynamics() const
{
  return { V_th, membrane_parameters.V_min, nest::Time( nest::Time::ms( t_ref ) ).get_steps() };
}

size_t
LeakyNode::send_test_event( nest::Node& target, size_t receptor_type, nest::synindex, bool )
{
  nest::SpikeEvent e;
  e.set_sender( *this );
  return target.handles_test_event( e, receptor_type );
}

void
LeakyNode::require_receptor_zero( size_t receptor_type ) const
{
  if ( receptor_type != 0 )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
}

void
LeakyNode::numerical_instability( const std::string& quantity, double value ) const
{
  throw nest::NumericalInstability( get_name() + " (node " + std::to_string( get_node_id() ) + "): " + quantity + " = "
    + format_number( value ) );
}

void
LeakyNode::refuse_unknown_parameters( const Dictionary& d ) const
{
  Dictionary archiving;
  nest::ArchivingNode::get_status( archiving );
  std::vector< std::string > read_later { nest::names::frozen };
  for ( const auto& [ key, entry ] : archiving )
  {
    read_later.push_back( key );
  }
  refuse_unknown_keys(
    d, get_name(), "parameter", [ & ]( const std::string& key ) { return d.has_been_accessed( key ) or is_one_of( key, read_later ); } );
}

size_t
LeakyNode::handles_test_event( nest::SpikeEvent&, size_t receptor_type )
{
  require_receptor_zero( receptor_type );
  return 0;
}

size_t
LeakyNode::handles_test_event( nest::CurrentEvent&, size_t receptor_type )
{
  require_receptor_zero( receptor_type );
  return 0;
}

void
LeakyNode::handle( nest::SpikeEvent& e )
{
  spike_input_.add_value( input_offset( e, spike_input_ ), e.get_weight() * e.get_multiplicity() );
}

void
LeakyNode::handle( nest::CurrentEvent& e )
{
  current_input_.add_value( input_offset( e, current_input_ ), e.get_weight() * e.get_current() );
}

long
LeakyNode::input_offset( const nest::Event& e, const nest::RingBuffer& buffer ) const
{
  return chiplearn::input_offset( *this, e, buffer );
}

long
input_offset( const nest::Node& node, const nest::Event& e, const nest::RingBuffer& buffer )
{
  const long offset = e.get_rel_delivery_steps( nest::kernel().simulation_manager.get_slice_origin() );
  // NEST sizes the buffers by the kernel's delay range. After a refused nest.SetDefaults of a synapse model NEST
  // can leave that range stale (it stops widening with new connections): an event due later than the buffer
  // reaches would be written beyond it.
  if ( offset < 0 or static_cast< size_t >( offset ) >= buffer.size() )
  {
    throw nest::KernelException( "chiplearn: " + node.get_name() + " (node " + std::to_string( node.get_node_id() )
      + ") received an event due in " + std::to_string( offset ) + " steps, beyond its input buffer of "
      + std::to_string( buffer.size() ) + " steps: NEST's delay range (min_delay, max_delay) is stale, which NEST "
      + "leaves so after a refused nest.SetDefaults of a synapse model; call nest.ResetKernel()." );
  }
  return offset;
}

void
LeakyNode::emit_spike( const nest::Time& origin, long lag )
{
  set_spiketime( nest::Time::step( origin.get_steps() + lag + 1 ) );
  nest::SpikeEvent se;
  nest::kernel().event_delivery_manager.send( *this, se, lag );
}

void
LeakyNode::emit_precise_spike( const nest::Time& origin, long lag, double offset )
{
  set_spiketime( nest::Time::step( origin.get_steps() + lag + 1 ), offset );
  nest::SpikeEvent se;
  se.set_offset( offset );
  nest::kernel().event_delivery_manager.send( *this, se, lag );
}

void
LeakyNode::clear_input_buffers()
{
  spike_input_.clear();
  current_input_.clear();
}

}  // namespace chiplearn
