/*
 *  optimizer.h -- chiplearn numerical core: optimizers of synaptic weights (gradient descent, Adam) over
 *  batches of update intervals, with a learning rate that can change between batches.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Shared by every learning rule whose synapses take one gradient per update interval (trial): e-prop,
 *  EventProp. A synapse adds the gradient of each interval to its open batch; when an interval of a later
 *  batch arrives, the optimizer steps and the weight is put on the synapse model's weight grid.
 */

#ifndef CHIPLEARN_CORE_OPTIMIZER_H
#define CHIPLEARN_CORE_OPTIMIZER_H

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "checks.h"
#include "time_grid.h"
#include "weight_grid.h"

namespace chiplearn::core
{

enum class OptimizerType
{
  gradient_descent,
  adam
};

inline const std::vector< std::string >&
optimizer_type_names()
{
  static const std::vector< std::string > names { "gradient_descent", "adam" };
  return names;
}

/**
 * Learning rate by batch. A change applies to the batches that start after it, so that a batch that is
 * still collecting gradients (or completed but not yet applied: synapses update at their next spike) keeps
 * the learning rate it was trained with. A learning rate of 0 freezes weights and optimizer state, for
 * validation and test trials.
 */
class EtaSchedule
{
public:
  explicit EtaSchedule( double eta = 1e-4 )
    : changes_ { { std::numeric_limits< long >::min(), eta } }
  {
  }

  //! Learning rate of the batches from first_batch on.
  void
  set( long first_batch, double eta )
  {
    while ( changes_.size() > 1 and changes_.back().first >= first_batch )
    {
      changes_.pop_back();
    }
    if ( changes_.back().second != eta )
    {
      changes_.emplace_back( first_batch, eta );
    }
  }

  double
  at( long batch ) const
  {
    auto it = changes_.rbegin();
    while ( it->first > batch )
    {
      ++it;
    }
    return it->second;
  }

  //! The learning rate of the latest change.
  double
  latest() const
  {
    return changes_.back().second;
  }

private:
  std::vector< std::pair< long, double > > changes_;  //!< (first batch, learning rate), increasing batches
};

struct OptimizerParameters
{
  OptimizerType type = OptimizerType::gradient_descent;
  EtaSchedule eta;         //!< learning rate
  long batch_size = 1;     //!< update intervals (trials) whose gradients are averaged into one step
  double beta_1 = 0.9;     //!< Adam: decay of the first moment
  double beta_2 = 0.999;   //!< Adam: decay of the second moment
  double epsilon = 1e-7;   //!< Adam: added to sqrt(v) (TensorFlow/Keras form); > 0, or a zero gradient gives 0 / 0

  //! Throws std::invalid_argument naming the first setting out of range (names as in the "optimizer" dictionary).
  void
  check() const
  {
    require_non_negative( "optimizer eta", eta.latest(), "" );
    if ( batch_size < 1 )
    {
      refuse( "optimizer batch_size", batch_size, "", "batch_size >= 1" );
    }
    if ( not( beta_1 >= 0.0 and beta_1 < 1.0 ) )
    {
      refuse( "optimizer beta_1", beta_1, "", "0 <= beta_1 < 1" );
    }
    if ( not( beta_2 >= 0.0 and beta_2 < 1.0 ) )
    {
      refuse( "optimizer beta_2", beta_2, "", "0 <= beta_2 < 1" );
    }
    require_positive( "optimizer epsilon", epsilon, "" );
  }
};

/** Per-synapse optimizer state. */
struct OptimizerState
{
  double summed_gradient = 0.0;  //!< gradients of the intervals of the open batch
  long batch = 0;                //!< index of the open batch
  long adam_steps = 0;           //!< Adam steps taken (for the bias correction)
  double m = 0.0;                //!< Adam: first moment
  double v = 0.0;                //!< Adam: second moment
};

/** The random number of stochastic rounding for no batch: for grids that round to the nearest level. */
struct NoRoundingDraw
{
  double
  operator()( long ) const
  {
    return 0.0;
  }
};

/**
 * Adds the gradient of update interval `interval` to the open batch and returns the weight after the
 * optimizer steps that are due: one per completed batch of batch_size intervals, the first with the batch's
 * mean gradient and any further ones (batches without gradient for this synapse) with zero gradient, so
 * that Adam's moments decay as for a synapse updated every batch. Batches with learning rate 0 change
 * nothing. The stepped weight ends on a level of the grid: the nearest, or with stochastic rounding the one
 * chosen by `uniform_for_batch(b)`, a number in [0, 1) for the batch b that is open after the steps (so the
 * draw is the same whenever the synapse takes its steps). Throws std::overflow_error if the step makes the
 * weight or Adam's moments infinite or NaN.
 */
template < typename Draw = NoRoundingDraw >
inline double
optimized_weight( OptimizerState& s,
  const OptimizerParameters& p,
  const WeightGrid& grid,
  long interval,
  double gradient,
  double weight,
  const Draw& uniform_for_batch = Draw {} )
{
  s.summed_gradient += gradient;
  const long open_batch = floor_div( interval, p.batch_size );
  if ( open_batch <= s.batch )
  {
    return weight;
  }
  const double batch_gradient = s.summed_gradient / p.batch_size;
  double g = batch_gradient;
  s.summed_gradient = 0.0;
  bool stepped = false;
  for ( ; s.batch < open_batch; ++s.batch, g = 0.0 )
  {
    const double eta = p.eta.at( s.batch );
    if ( eta == 0.0 )
    {
      continue;
    }
    stepped = true;
    if ( p.type == OptimizerType::gradient_descent )
    {
      weight -= eta * g;
    }
    else
    {
      ++s.adam_steps;
      const double alpha =
        eta * std::sqrt( 1.0 - std::pow( p.beta_2, s.adam_steps ) ) / ( 1.0 - std::pow( p.beta_1, s.adam_steps ) );
      s.m = p.beta_1 * s.m + ( 1.0 - p.beta_1 ) * g;
      s.v = p.beta_2 * s.v + ( 1.0 - p.beta_2 ) * g * g;
      weight -= alpha * s.m / ( std::sqrt( s.v ) + p.epsilon );
    }
  }
  if ( not( std::isfinite( weight ) and std::isfinite( s.m ) and std::isfinite( s.v ) ) )
  {
    throw std::overflow_error( "the optimizer step is not finite: weight " + format_number( weight ) + ", gradient "
      + format_number( batch_gradient ) + ", Adam moments " + format_number( s.m ) + " and " + format_number( s.v ) );
  }
  if ( not stepped )
  {
    return weight;  // frozen batches leave the weight where it is (also a weight set off the grid)
  }
  return grid.level( weight, grid.rounding == Rounding::stochastic ? uniform_for_batch( open_batch ) : 0.0 );
}

}  // namespace chiplearn::core

#endif
