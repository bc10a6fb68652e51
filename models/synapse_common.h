/*
 *  synapse_common.h -- what chiplearn's synapse models share: the dummy target of NEST's connection test,
 *  setting a model's defaults without leaving NEST's delay checker frozen when the setting is refused, and
 *  the checks of a weight against the model's weight range and of a change of that range.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_SYNAPSE_COMMON_H
#define CHIPLEARN_SYNAPSE_COMMON_H

#include <string>

// nestkernel
#include "connection.h"
#include "kernel_manager.h"
#include "nest_names.h"

// chiplearn
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

}  // namespace chiplearn

#endif
