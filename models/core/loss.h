/*
 *  loss.h -- chiplearn numerical core: the losses of readout neurons and the signals they exchange.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  A readout k of a task has the readout signal y_k and the error y_k - y*_k against its target. With the
 *  mean-squared error y_k = V_k; with the cross-entropy y_k is the softmax over the task's readouts,
 *  y_k = exp(V_k) / sum_l exp(V_l). In a simulator the readouts cannot see each other's membranes: each
 *  sends its membrane potential to the others and normalizes its own with what it receives. The softmax is
 *  computed as y_k = 1 / (1 + sum_{l != k} exp(V_l - V_k)), with the others' sum kept as a log-sum-exp, so
 *  that no membrane potential, however large, makes it overflow to inf / inf.
 */

#ifndef CHIPLEARN_CORE_LOSS_H
#define CHIPLEARN_CORE_LOSS_H

#include <cmath>
#include <limits>
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

/** sum_l exp(V_l) of the other readouts, accumulated as they arrive, as exp(max) * sum_l exp(V_l - max). */
class OthersSoftmaxSum
{
public:
  void
  add( double V )
  {
    if ( V > max_ )
    {
      sum_ = sum_ * std::exp( max_ - V ) + 1.0;
      max_ = V;
    }
    else
    {
      sum_ += std::exp( V - max_ );
    }
  }

  //! sum_l exp(V_l - V), which may be inf (then the softmax of V is 0) but never NaN for finite V_l.
  double
  relative_to( double V ) const
  {
    return sum_ == 0.0 ? 0.0 : sum_ * std::exp( max_ - V );
  }

private:
  double max_ = -std::numeric_limits< double >::infinity();
  double sum_ = 0.0;
};

//! The readout signal y of a readout with membrane potential V_m (mV), given the others of its task.
inline double
readout_signal( Loss loss, double V_m, const OthersSoftmaxSum& others )
{
  return loss == Loss::cross_entropy ? 1.0 / ( 1.0 + others.relative_to( V_m ) ) : V_m;
}

//! The error y - y* that a readout feeds back as its learning signal.
inline double
error_signal( double readout, double target )
{
  return readout - target;
}

}  // namespace chiplearn::core

#endif
