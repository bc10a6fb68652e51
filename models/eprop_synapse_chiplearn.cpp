/*
 *  eprop_synapse_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_synapse_chiplearn.h"

#include <algorithm>

// nestkernel
#include "connector_model_impl.h"
#include "target_identifier.h"

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

void
check_weight( double weight, const core::WeightGrid& grid )
{
  require_weight_in_range( model_name, weight, grid.Wmin, grid.Wmax, "" );
}

const std::vector< std::string >&
model_defaults_keys()
{
  static const std::vector< std::string > keys { nest::names::average_gradient, nest::names::optimizer,
    nest::names::weight_recorder };
  return keys;
}

void
check_synapse_entries( const Dictionary& d, const core::WeightGrid& grid, const std::vector< std::string >& known )
{
  std::vector< std::string > more_keys = known;
  more_keys.push_back( apply_held_gradient_key );
  check_learning_synapse_entries(
    d, model_name, [ & ]( double weight ) { check_weight( weight, grid ); }, more_keys );
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
  const long now = simulation.get_clock().get_steps();
  // floor(floor(a / b) / c) = floor(a / (b c)), without the product, which a large batch_size would overflow. An
  // interval of less than a step (which the models refuse when the simulation starts) counts as one step here.
  const long interval_steps = std::max( 1L, simulation.get_eprop_update_interval().get_steps() );
  const long interval = core::floor_div( now - eprop_delays::recurrent_shift, interval_steps );
  return core::floor_div( interval, batch_size ) + 1;
}
}  // namespace

void
EpropSynapseCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ nest::names::average_gradient ] = average_gradient;
  get_optimizer( d, optimizer, weight_grid );
}

namespace
{
//! The weight of the model's default connection, or of d if d sets it.
double
default_weight( const Dictionary& d, const nest::ConnectorModel& cm )
{
  double weight = 1.0;
  if ( auto* model = dynamic_cast< const nest::GenericConnectorModel< eprop_synapse_chiplearn< nest::TargetIdentifierPtrRport > >* >( &cm ) )
  {
    weight = model->get_default_connection().get_weight();
  }
  else if ( auto* model = dynamic_cast< const nest::GenericConnectorModel< eprop_synapse_chiplearn< nest::TargetIdentifierIndex > >* >( &cm ) )
  {
    weight = model->get_default_connection().get_weight();
  }
  d.update_value( nest::names::weight, weight );
  return weight;
}
}  // namespace

void
EpropSynapseCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  set_model_defaults( [ & ] { set_common_status( d, cm ); } );
}

void
EpropSynapseCommonProperties::set_common_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  bool average = average_gradient;
  d.update_value( nest::names::average_gradient, average );
  core::OptimizerParameters new_optimizer = optimizer;
  core::WeightGrid grid = weight_grid;
  set_optimizer( d, new_optimizer, grid, model_name, first_batch_after_now );
  check_synapse_entries( d, grid, model_defaults_keys() );
  const double weight = default_weight( d, cm );
  if ( not( weight >= grid.Wmin and weight <= grid.Wmax ) )
  {
    throw nest::BadProperty( model_name + ": optimizer Wmin = " + format_number( grid.Wmin ) + " and Wmax = "
      + format_number( grid.Wmax ) + " leave out the model's default weight " + format_number( weight )
      + "; allowed: Wmin <= weight <= Wmax (set a default weight in the range too)." );
  }
  require_widening_while_connected(
    model_name, "optimizer Wmin and Wmax", weight_grid.Wmin, weight_grid.Wmax, grid.Wmin, grid.Wmax, cm.get_syn_id() );
  nest::CommonSynapseProperties::set_status( d, cm );
  optimizer = new_optimizer;
  weight_grid = grid;
  average_gradient = average;
}

}  // namespace chiplearn
