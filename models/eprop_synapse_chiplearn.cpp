/*
 *  eprop_synapse_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_synapse_chiplearn.h"

// nestkernel
#include "nest_names.h"

// chiplearn
#include "optimizer_dictionary.h"
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
const std::string model_name = "eprop_synapse_chiplearn";
}

EpropTarget&
eprop_target_of( nest::Node& target, const std::string& synapse_model )
{
  auto* node = dynamic_cast< LeakyNode* >( &target );
  EpropTarget* eprop = node ? node->eprop_target() : nullptr;
  if ( not eprop )
  {
    throw nest::IllegalConnection( synapse_model + " connects only to chiplearn's e-prop neurons "
      + "(eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn, eprop_readout_chiplearn), not to " + target.get_name()
      + "." );
  }
  return *eprop;
}

namespace
{
/**
 * The first batch of update intervals that starts after the current time: a new learning rate applies
 * from there. Intervals start at k * interval + shift with shift >= recurrent_shift.
 */
long
first_batch_after_now( long batch_size )
{
  const auto& simulation = nest::kernel().simulation_manager;
  const long batch_steps = batch_size * simulation.get_eprop_update_interval().get_steps();
  const long now = simulation.get_clock().get_steps();
  return core::floor_div( now - eprop_delays::recurrent_shift, batch_steps ) + 1;
}
}  // namespace

void
EpropSynapseCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ nest::names::average_gradient ] = average_gradient;
  get_optimizer( d, optimizer, weight_grid );
}

void
EpropSynapseCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  nest::CommonSynapseProperties::set_status( d, cm );
  bool average = average_gradient;
  d.update_value( nest::names::average_gradient, average );
  set_optimizer( d, optimizer, weight_grid, model_name, first_batch_after_now );
  average_gradient = average;
}

}  // namespace chiplearn
