/*
 *  arithmetic.h -- chiplearn numerical core: the arithmetic in which the models' state evolves.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  The step functions of the dynamics (membrane.h) are templates on an arithmetic policy and do every
 *  operation on state through it: scaling by a factor (a leak, a propagator), adding, subtracting, bounding.
 *  A fixed-point policy (bit widths, a fixed-point location, saturation, floor or stochastic rounding)
 *  provides the same operations with a chip's rounding, so that a chip-mode model is the same model with
 *  another policy, not a copy with branches. Values stay doubles in every policy; a fixed-point policy keeps
 *  them on its grid of 2^-k, where doubles are exact.
 */

#ifndef CHIPLEARN_CORE_ARITHMETIC_H
#define CHIPLEARN_CORE_ARITHMETIC_H

#include <algorithm>

namespace chiplearn::core
{

/** Double-precision arithmetic: each operation is the plain floating-point expression. */
struct Exact
{
  double
  scale( double x, double factor ) const
  {
    return factor * x;
  }

  double
  add( double a, double b ) const
  {
    return a + b;
  }

  double
  subtract( double a, double b ) const
  {
    return a - b;
  }

  double
  bound_below( double x, double lower ) const
  {
    return std::max( x, lower );
  }
};

}  // namespace chiplearn::core

#endif
