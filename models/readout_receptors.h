/*
 *  readout_receptors.h -- the rate receptors of chiplearn's readouts (eprop_readout_chiplearn and
 *  eventprop_readout_chiplearn): the signals of the other readouts of a task (for their softmax), and the target.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_READOUT_RECEPTORS_H
#define CHIPLEARN_READOUT_RECEPTORS_H

#include <cstddef>
#include <string>

// nestkernel
#include "dictionary.h"
#include "exceptions.h"
#include "nest_names.h"

namespace chiplearn
{

//! The receptors of a readout's rate connections (rate_connection_delayed).
enum ReadoutRateReceptor : size_t
{
  READOUT_SIGNAL = 1,  //!< the signal of another readout of the task
  TARGET_SIGNAL = 2    //!< the target, from a step_rate_generator
};

//! Writes the receptor_types entry of a readout's status: the receptors by name.
inline void
get_readout_receptor_types( Dictionary& d )
{
  Dictionary receptors;
  receptors[ nest::names::readout_signal ] = static_cast< long >( READOUT_SIGNAL );
  receptors[ nest::names::target_signal ] = static_cast< long >( TARGET_SIGNAL );
  d[ nest::names::receptor_types ] = receptors;
}

//! receptor_type if it is one of a readout's rate receptors; NEST's UnknownReceptorType naming the model otherwise.
inline size_t
readout_rate_receptor( size_t receptor_type, const std::string& model )
{
  if ( receptor_type != READOUT_SIGNAL and receptor_type != TARGET_SIGNAL )
  {
    throw nest::UnknownReceptorType( receptor_type, model );
  }
  return receptor_type;
}

}  // namespace chiplearn

#endif
