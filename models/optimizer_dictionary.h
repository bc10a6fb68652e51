/*
 *  optimizer_dictionary.h -- the "optimizer" dictionary of chiplearn's learning synapses: NEST's names for
 *  the core's optimizer parameters and weight grid, read and checked as a whole.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_OPTIMIZER_DICTIONARY_H
#define CHIPLEARN_OPTIMIZER_DICTIONARY_H

#include <functional>
#include <string>

// nestkernel
#include "dictionary.h"

// chiplearn
#include "core/optimizer.h"
#include "core/weight_grid.h"

namespace chiplearn
{

//! Writes type, eta (the latest), batch_size, Wmin, Wmax, beta_1, beta_2 and epsilon into d["optimizer"].
void get_optimizer( Dictionary& d, const core::OptimizerParameters& optimizer, const core::WeightGrid& grid );

/**
 * Updates optimizer and grid from d["optimizer"], if given; a new eta applies from the first batch (of the
 * new batch size) that starts after now, first_batch_after_now(batch_size).
 * Throws BadProperty naming the model and the first setting out of range, and then changes nothing.
 */
void set_optimizer( const Dictionary& d,
  core::OptimizerParameters& optimizer,
  core::WeightGrid& grid,
  const std::string& model,
  const std::function< long( long ) >& first_batch_after_now );

}  // namespace chiplearn

#endif
