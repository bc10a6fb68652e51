/*
 *  eventprop_synapse_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eventprop_synapse_chiplearn.h"

#include <algorithm>
#include <stdexcept>

// nestkernel
#include "connector_model_impl.h"
#include "nest_names.h"
#include "target_identifier.h"

// chiplearn
#include "optimizer_dictionary.h"
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
const std::string model_name = "eventprop_synapse_chiplearn";

//! The first batch of trials that starts now or later: a new learning rate applies from there (trials start at 0).
long
first_batch_after_now( long batch_size )
{
  const auto& simulation = nest::kernel().simulation_manager;
  const long steps = std::max( 1L, simulation.get_eprop_update_interval().get_steps() );
  const long first_trial = -core::floor_div( -simulation.get_clock().get_steps(), steps );  // ceil(now / steps)
  return -core::floor_div( -first_trial, batch_size );
}
}  // namespace

void
check_eventprop_synapse_entries( const Dictionary& d, const core::WeightGrid& grid, bool model_defaults )
{
  check_learning_synapse_entries(
    d,
    model_name,
    [ & ]( double weight ) { require_weight_in_range( model_name, weight, grid.Wmin, grid.Wmax, "pA" ); },
    model_defaults ? std::vector< std::string > { nest::names::optimizer, nest::names::weight_recorder }
                   : std::vector< std::string > {} );
}

void
EventpropLearnedWeight::take( long trial,
  double gradient,
  const EventpropSynapseCommonProperties& cp,
  size_t source,
  size_t target )
{
  try
  {
    weight = core::optimized_weight(
      optimizer, cp.optimizer, cp.weight_grid, trial, 0.0, weight, WeightRoundingDraw { source, target } );
  }
  catch ( const std::overflow_error& error )
  {
    throw nest::NumericalInstability( model_name + " (from node " + std::to_string( source ) + " to node "
      + std::to_string( target ) + "): " + error.what() );
  }
  optimizer.summed_gradient += gradient;
}

void
EventpropLearnedWeight::get( Dictionary& d ) const
{
  d[ nest::names::weight ] = weight;
  get_optimizer_state( d, optimizer );
}

void
EventpropLearnedWeight::set( const Dictionary& d )
{
  d.update_value( nest::names::weight, weight );
  update_optimizer_state( d, optimizer );
}

void
EventpropSynapseCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  get_optimizer( d, optimizer, weight_grid );
}

void
EventpropSynapseCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  set_model_defaults(
    [ & ]
    {
      core::OptimizerParameters new_optimizer = optimizer;
      core::WeightGrid grid = weight_grid;
      set_optimizer( d, new_optimizer, grid, model_name, first_batch_after_now );
      check_eventprop_synapse_entries( d, grid, true );
      require_widening_while_connected( model_name, "optimizer Wmin and Wmax", weight_grid.Wmin, weight_grid.Wmax,
        grid.Wmin, grid.Wmax, cm.get_syn_id() );
      nest::CommonSynapseProperties::set_status( d, cm );
      optimizer = new_optimizer;
      weight_grid = grid;
    } );
}

}  // namespace chiplearn
