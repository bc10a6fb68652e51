/*
 *  time_grid.h -- chiplearn numerical core: integer arithmetic of the time grid, and the clock of update
 *  intervals (trials) that every learning neuron keeps.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_CORE_TIME_GRID_H
#define CHIPLEARN_CORE_TIME_GRID_H

#include <limits>

namespace chiplearn::core
{

//! floor(a / b) for b > 0, also for negative a (C++ division truncates towards zero).
inline long
floor_div( long a, long b )
{
  const long q = a / b;
  return ( a % b != 0 and a < 0 ) ? q - 1 : q;
}

//! a - b floor(a / b), in [0, b), for b > 0.
inline long
floor_mod( long a, long b )
{
  return a - b * floor_div( a, b );
}

/**
 * Time cut into update intervals of `steps` steps: the k-th covers the steps [k * steps + shift,
 * (k + 1) * steps + shift). The shift is where a neuron's intervals start in its own steps: signals need a
 * few one-step hops to reach it, so a readout's trial starts later than a recurrent neuron's.
 */
struct IntervalGrid
{
  long steps = 1;
  long shift = 0;

  long
  interval_of( long step ) const
  {
    return floor_div( step - shift, steps );
  }

  //! Position of a step within its interval, 0 .. steps - 1.
  long
  step_in_interval( long step ) const
  {
    return floor_mod( step - shift, steps );
  }

  long
  first_step( long interval ) const
  {
    return interval * steps + shift;
  }

  bool
  operator==( const IntervalGrid& ) const = default;
};

/** Where a neuron is on its interval grid, advanced step by step without a division per step. */
class IntervalClock
{
public:
  //! Sets the grid; the next advance() locates its step anew.
  void
  configure( const IntervalGrid& grid )
  {
    grid_ = grid;
    step_ = std::numeric_limits< long >::min();
  }

  //! Moves to step t (normally the step after the last); returns true if t is the first step of an interval.
  bool
  advance( long t )
  {
    if ( t == step_ + 1 )
    {
      if ( ++step_in_interval_ == grid_.steps )
      {
        step_in_interval_ = 0;
        ++interval_;
      }
    }
    else
    {
      interval_ = grid_.interval_of( t );
      step_in_interval_ = grid_.step_in_interval( t );
    }
    step_ = t;
    return step_in_interval_ == 0;
  }

  const IntervalGrid&
  grid() const
  {
    return grid_;
  }

  long
  step() const
  {
    return step_;
  }

  long
  interval() const
  {
    return interval_;
  }

  long
  step_in_interval() const
  {
    return step_in_interval_;
  }

  bool
  at_last_step() const
  {
    return step_in_interval_ == grid_.steps - 1;
  }

private:
  IntervalGrid grid_;
  long step_ = std::numeric_limits< long >::min();
  long interval_ = 0;
  long step_in_interval_ = 0;
};

}  // namespace chiplearn::core

#endif
