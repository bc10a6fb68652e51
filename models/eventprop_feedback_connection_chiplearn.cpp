/*
 *  eventprop_feedback_connection_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_feedback_connection_chiplearn.h"

// nestkernel
#include "connector_model_impl.h"
#include "nest_names.h"
#include "target_identifier.h"

// chiplearn
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
const std::string model_name = "eventprop_feedback_connection_chiplearn";
const std::string forward_key = "forward_synapse_model";

//! The common properties of the eventprop_synapse_chiplearn model `name` on `thread`, or nullptr if it is none.
const EventpropSynapseCommonProperties*
forward_properties( const std::string& name, size_t thread )
{
  auto& models = nest::kernel().model_manager;
  const size_t id = models.get_synapse_model_id( name );
  nest::ConnectorModel& cm = models.get_connection_model( id, thread );
  if ( const auto* m = dynamic_cast< const nest::GenericConnectorModel<
         eventprop_synapse_chiplearn< nest::TargetIdentifierPtrRport > >* >( &cm ) )
  {
    return &m->get_common_properties();
  }
  if ( const auto* m = dynamic_cast< const nest::GenericConnectorModel<
         eventprop_synapse_chiplearn< nest::TargetIdentifierIndex > >* >( &cm ) )
  {
    return &m->get_common_properties();
  }
  return nullptr;
}
}  // namespace

void
EventpropFeedbackCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ forward_key ] = forward_synapse_model;
}

void
EventpropFeedbackCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  set_model_defaults(
    [ & ]
    {
      std::string name = forward_synapse_model;
      d.update_value( forward_key, name );
      const EventpropSynapseCommonProperties* forward = nullptr;
      try
      {
        forward = forward_properties( name, nest::kernel().vp_manager.get_thread_id() );
      }
      catch ( const nest::KernelException& )
      {
      }
      if ( forward == nullptr )
      {
        throw nest::BadProperty( model_name + ": " + forward_key + " = \"" + name
          + "\" is not an eventprop_synapse_chiplearn model; allowed: eventprop_synapse_chiplearn or a copy of it." );
      }
      check_eventprop_feedback_entries( d, true );
      nest::CommonSynapseProperties::set_status( d, cm );
      forward_synapse_model = name;
    } );
}

const EventpropSynapseCommonProperties&
EventpropFeedbackCommonProperties::forward( size_t thread ) const
{
  const EventpropSynapseCommonProperties* p = forward_properties( forward_synapse_model, thread );
  if ( p == nullptr )
  {
    throw nest::KernelException( model_name + ": " + forward_key + " \"" + forward_synapse_model
      + "\" is not an eventprop_synapse_chiplearn model." );
  }
  return *p;
}

void
check_eventprop_feedback_entries( const Dictionary& d, bool model_defaults )
{
  check_learning_synapse_entries(
    d,
    model_name,
    [ & ]( double weight ) { require_finite( model_name, nest::names::weight, weight, "pA" ); },
    model_defaults ? std::vector< std::string > { forward_key, nest::names::weight_recorder }
                   : std::vector< std::string > {} );
}

}  // namespace chiplearn
