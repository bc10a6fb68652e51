/*
 *  chiplearn_module.cpp -- the entry object NEST's module loader looks for, registering chiplearn's models.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

// nestkernel
#include "nest_extension_interface.h"
#include "nest.h"

// chiplearn
#include "ebn_iaf_chiplearn.h"
#include "ebn_synapse_chiplearn.h"
#include "eprop_iaf_adapt_chiplearn.h"
#include "eprop_iaf_chiplearn.h"
#include "eprop_learning_signal_connection_chiplearn.h"
#include "eprop_readout_chiplearn.h"
#include "eprop_synapse_chiplearn.h"
#include "eventprop_feedback_connection_chiplearn.h"
#include "eventprop_iaf_chiplearn.h"
#include "eventprop_readout_chiplearn.h"
#include "eventprop_synapse_chiplearn.h"
#include "reckon_chip_chiplearn.h"

namespace chiplearn
{

class ChiplearnModule : public nest::NESTExtensionInterface
{
public:
  void
  initialize() override
  {
    nest::register_node_model< eprop_iaf_chiplearn >( "eprop_iaf_chiplearn" );
    nest::register_node_model< eprop_iaf_adapt_chiplearn >( "eprop_iaf_adapt_chiplearn" );
    nest::register_node_model< eprop_readout_chiplearn >( "eprop_readout_chiplearn" );
    nest::register_connection_model< eprop_synapse_chiplearn >( "eprop_synapse_chiplearn" );
    nest::register_connection_model< eprop_learning_signal_connection_chiplearn >(
      "eprop_learning_signal_connection_chiplearn" );
    nest::register_node_model< ebn_iaf_chiplearn >( "ebn_iaf_chiplearn" );
    nest::register_connection_model< ebn_synapse_chiplearn >( "ebn_synapse_chiplearn" );
    nest::register_node_model< eventprop_readout_chiplearn >( "eventprop_readout_chiplearn" );
    nest::register_connection_model< eventprop_synapse_chiplearn >( "eventprop_synapse_chiplearn" );
    nest::register_node_model< reckon_chip_chiplearn >( "reckon_chip_chiplearn" );
    nest::register_node_model< eventprop_iaf_chiplearn >( "eventprop_iaf_chiplearn" );
    nest::register_connection_model< eventprop_feedback_connection_chiplearn >(
      "eventprop_feedback_connection_chiplearn" );
  }
};

}  // namespace chiplearn

// libltdl resolves "module" in chiplearn.so as the symbol chiplearn_LTX_module: file and object names agree.
chiplearn::ChiplearnModule chiplearn_LTX_module;
