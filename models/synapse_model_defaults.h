/*
 *  synapse_model_defaults.h -- setting a chiplearn synapse model's defaults without leaving NEST's delay
 *  checker frozen when the setting is refused.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_SYNAPSE_MODEL_DEFAULTS_H
#define CHIPLEARN_SYNAPSE_MODEL_DEFAULTS_H

// nestkernel
#include "kernel_manager.h"

namespace chiplearn
{

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
