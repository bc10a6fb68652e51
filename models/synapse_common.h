/*
 *  synapse_common.h -- what chiplearn's synapse models share: the dummy target of NEST's connection test,
 *  and setting a model's defaults without leaving NEST's delay checker frozen when the setting is refused.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_SYNAPSE_COMMON_H
#define CHIPLEARN_SYNAPSE_COMMON_H

// nestkernel
#include "connection.h"
#include "kernel_manager.h"

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

}  // namespace chiplearn

#endif
