/*
 *  grid.h -- chiplearn numerical core: integer arithmetic of the time grid.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_CORE_GRID_H
#define CHIPLEARN_CORE_GRID_H

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

}  // namespace chiplearn::core

#endif
