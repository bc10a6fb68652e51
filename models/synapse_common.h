/*
 *  synapse_common.h -- what chiplearn's synapse models share: the dummy target of NEST's connection test,
 *  setting a model's defaults without leaving NEST's delay checker frozen when the setting is refused, the
 *  checks of a weight against the model's weight range and of a change of that range, and the status entries
 *  of one learning synapse (weight, delay, Adam state) with their checks.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_SYNAPSE_COMMON_H
#define CHIPLEARN_SYNAPSE_COMMON_H

#include <cstdint>
#include <string>
#include <vector>

// nestkernel
#include "connection.h"
#include "connector_model.h"
#include "dictionary.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
#include "core/counter_rng.h"
#include "core/optimizer.h"
#include "parameter_checks.h"

namespace chiplearn
{

/**
 * The dummy target of NEST's connection test for chiplearn's synapse models: they take their sources'
 * spikes only through their own send(), so the dummy accepts no spike event.
 */
class SpikeSynapseTestDummyNode : public nest::ConnTestDummyNodeBase
{
public:
  using nest::ConnTestDummyNodeBase::handles_test_event;

  size_t
  handles_test_event( nest::SpikeEvent&, size_t ) override
  {
    return nest::invalid_port;
  }

  size_t
  handles_test_event( nest::DSSpikeEvent&, size_t ) override
  {
    return nest::invalid_port;
  }
};

/**
 * Runs set(), the setting of a synapse model's defaults. NEST freezes its delay checker around it and thaws
 * it only if it succeeds: a refusal would leave the checker frozen, so that later connections no longer
 * widen the kernel's delay range and their spikes land beyond the neurons' input buffers. So a refusal thaws
 * it before it is passed on.
 */
template < typename Set >
void
set_model_defaults( const Set& set )
{
  try
  {
    set();
  }
  catch ( ... )
  {
    nest::kernel().connection_manager.get_delay_checker().enable_delay_update();
    throw;
  }
}

//! Whether `connection` is its model's default connection (the one nest.SetDefaults and nest.CopyModel set).
template < typename ConnectionT >
bool
is_model_default( const ConnectionT& connection, const nest::ConnectorModel& cm )
{
  return &dynamic_cast< const nest::GenericConnectorModel< ConnectionT >& >( cm ).get_default_connection() == &connection;
}

//! Runs set(), a connection's set_status: through set_model_defaults if it sets the model's defaults.
template < typename Set >
void
set_connection_status( bool model_default, const Set& set )
{
  if ( model_default )
  {
    set_model_defaults( set );
  }
  else
  {
    set();
  }
}

//! Throws BadProperty "<model>: delay = <delay> ms is out of range; allowed: one simulation step (<h> ms)."
[[noreturn]] inline void
refuse_delay_other_than_one_step( const std::string& model, double delay_ms )
{
  refuse( model, nest::names::delay, delay_ms, "ms",
    "one simulation step (" + format_number( nest::Time::get_resolution().get_ms() ) + " ms)" );
}

/**
 * Refuses a weight outside [lo, hi]: "<model>: weight = <w> <unit> is out of range; allowed: <bounds> (<lo> to
 * <hi> <unit>)". bounds names the range as the model's parameters make it ("Wmin <= weight <= Wmax").
 */
inline void
require_weight_in_range( const std::string& model,
  double weight,
  double lo,
  double hi,
  const std::string& unit,
  const std::string& bounds = "Wmin <= weight <= Wmax" )
{
  if ( not( weight >= lo and weight <= hi ) )
  {
    const std::string unit_suffix = unit.empty() ? "" : " " + unit;
    refuse( model, nest::names::weight, weight, unit,
      bounds + " (" + format_number( lo ) + " to " + format_number( hi ) + unit_suffix + ")" );
  }
}

/**
 * Refuses a new weight range [new_min, new_max] of a synapse model that is narrower than [old_min, old_max]
 * while connections of the model exist: their weights lie in the old range, and a narrower one could leave
 * some outside it. range_name says which parameters set the range ("optimizer Wmin and Wmax").
 */
inline void
require_widening_while_connected( const std::string& model,
  const std::string& range_name,
  double old_min,
  double old_max,
  double new_min,
  double new_max,
  nest::synindex syn_id )
{
  if ( ( new_min > old_min or new_max < old_max ) and nest::kernel().connection_manager.get_num_connections( syn_id ) > 0 )
  {
    throw nest::BadProperty( model + ": " + range_name + " can only widen while connections of the model exist (now "
      + format_number( old_min ) + " to " + format_number( old_max ) + "); their weights lie in the present range." );
  }
}

/**
 * The status keys that NEST's connector model reads itself, not the connection: the target's port
 * (receptor_type, and music_channel, its alias in a NEST with MUSIC). NEST's Connect hands them to the new
 * connection's set_status with the connection's own entries, so a connection's check of its keys lets them
 * pass; at the SetStatus of an existing connection nothing reads them, and NEST refuses them as unaccessed,
 * as it does for its own synapses.
 */
inline const std::vector< std::string > connector_model_keys { nest::names::receptor_type, nest::names::music_channel };

//! Names of a learning synapse's Adam state in its status dictionary.
inline const std::string adam_m = "adam_m";
inline const std::string adam_v = "adam_v";
inline const std::string adam_steps = "adam_steps";

/**
 * Checks the entries of d that belong to one learning synapse, without changing anything: the weight (with
 * check_weight, which throws BadProperty if the model refuses it), the delay (NEST's delay rules), the Adam state
 * (adam_m finite, adam_v >= 0, adam_steps >= 0), and that every key of d is one of these, of connector_model_keys
 * or of more_keys.
 * BadProperty "<model>: ..." names the first entry out of range or unknown. A model's defaults are checked so
 * before any of them is set, because NEST sets the common properties first and the default connection after
 * them.
 */
template < typename CheckWeight >
void
check_learning_synapse_entries( const Dictionary& d,
  const std::string& model,
  const CheckWeight& check_weight,
  const std::vector< std::string >& more_keys )
{
  double weight = 0.0;
  if ( d.update_value( nest::names::weight, weight ) )
  {
    check_weight( weight );
  }
  double delay = 0.0;
  if ( d.update_value( nest::names::delay, delay ) )
  {
    nest::kernel().connection_manager.get_delay_checker().assert_valid_delay_ms( delay );
  }
  core::OptimizerState state;
  d.update_value( adam_m, state.m );
  d.update_value( adam_v, state.v );
  d.update_value( adam_steps, state.adam_steps );
  require_finite( model, adam_m, state.m, "" );
  require_non_negative( model, adam_v, state.v, "" );
  if ( state.adam_steps < 0 )
  {
    refuse( model, adam_steps, state.adam_steps, "", "adam_steps >= 0" );
  }
  std::vector< std::string > allowed { nest::names::weight, nest::names::delay, adam_m, adam_v, adam_steps };
  allowed.insert( allowed.end(), connector_model_keys.begin(), connector_model_keys.end() );
  allowed.insert( allowed.end(), more_keys.begin(), more_keys.end() );
  refuse_unknown_keys(
    d, model, "synapse property", [ & ]( const std::string& key ) { return is_one_of( key, allowed ); } );
}

//! Writes a synapse's Adam state into its status dictionary.
inline void
get_optimizer_state( Dictionary& d, const core::OptimizerState& state )
{
  d[ adam_m ] = state.m;
  d[ adam_v ] = state.v;
  d[ adam_steps ] = state.adam_steps;
}

//! Reads the Adam state entries of d that are there (checked before by check_learning_synapse_entries).
inline void
update_optimizer_state( const Dictionary& d, core::OptimizerState& state )
{
  d.update_value( adam_m, state.m );
  d.update_value( adam_v, state.v );
  d.update_value( adam_steps, state.adam_steps );
}

/**
 * The random number with which a learning synapse rounds its weight stochastically onto its grid after the
 * optimizer steps that leave batch `batch` open (core::optimized_weight): a number in [0, 1) from the
 * counter-based generator keyed by the kernel's rng_seed, the synapse (source and target node ids) and the
 * batch, so the same for any number of threads and MPI ranks and whenever the synapse takes its steps.
 */
struct WeightRoundingDraw
{
  size_t source;
  size_t target;

  double
  operator()( long batch ) const
  {
    Dictionary kernel_random;  // NEST exposes its seed only in the random manager's status
    nest::kernel().random_manager.get_status( kernel_random );
    const auto seed = static_cast< std::uint32_t >( kernel_random.get< long >( nest::names::rng_seed ) );
    return 1.0
      - core::counter_uniform(
        seed, core::Stream::weight_rounding, core::synapse_id( source, target ), static_cast< std::uint64_t >( batch ) );
  }
};

}  // namespace chiplearn

#endif
