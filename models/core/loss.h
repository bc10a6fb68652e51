/*
 *  loss.h -- chiplearn numerical core: the losses of readout neurons and the signals they exchange.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  A readout k of a task has the readout signal y_k and the error y_k - y*_k against its target. With the
 *  mean-squared error y_k = V_k; with the cross-entropy y_k is the softmax over the task's readouts,
 *  y_k = exp(V_k) / sum_l exp(V_l). In a simulator the readouts cannot see each other's membranes: each
 *  sends its unnormalized signal (V_k or exp(V_k)) to the others and normalizes its own with the sum it
 *  receives.
 */

#ifndef CHIPLEARN_CORE_LOSS_H
#define CHIPLEARN_CORE_LOSS_H

#include <cmath>
#include <string>
#include <vector>

namespace chiplearn::core
{

enum class Loss
{
  mean_squared_error,
  cross_entropy
};

inline const std::vector< std::string >&
loss_names()
{
  static const std::vector< std::string > names { "mean_squared_error", "cross_entropy" };
  return names;
}

//! What a readout with membrane potential V_m (mV) sends the other readouts of its task.
inline double
unnormalized_readout_signal( Loss loss, double V_m )
{
  return loss == Loss::cross_entropy ? std::exp( V_m ) : V_m;
}

//! The readout signal y from a readout's own unnormalized signal and the sum of the others'.
inline double
readout_signal( Loss loss, double own_unnormalized, double others_unnormalized )
{
  return loss == Loss::cross_entropy ? own_unnormalized / ( others_unnormalized + own_unnormalized ) : own_unnormalized;
}

//! The error y - y* that a readout feeds back as its learning signal.
inline double
error_signal( double readout, double target )
{
  return readout - target;
}

}  // namespace chiplearn::core

#endif
