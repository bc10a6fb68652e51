/*
 *  weight_grid.h -- chiplearn numerical core: the values a synaptic weight may take.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Clipping a trained weight to [Wmin, Wmax], quantizing it to the levels of a chip's n-bit weight memory,
 *  and the fixed steps of a discrete plasticity rule are one thing: a weight grid of levels Wmin + k step
 *  within [Wmin, Wmax] (step 0: every value in the range). Rounding onto the grid is to the nearest level
 *  or stochastic (up with probability equal to the distance from the level below, in units of step), so
 *  that the expected weight is the unrounded one. Wmax is a level only when the range is a whole number of steps;
 *  otherwise the highest level is the last one below it.
 */

#ifndef CHIPLEARN_CORE_WEIGHT_GRID_H
#define CHIPLEARN_CORE_WEIGHT_GRID_H

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "checks.h"

namespace chiplearn::core
{

enum class Rounding
{
  nearest,
  stochastic
};

inline const std::vector< std::string >&
rounding_names()
{
  static const std::vector< std::string > names { "nearest", "stochastic" };
  return names;
}

struct WeightGrid
{
  double Wmin = -100.0;  //!< lowest weight
  double Wmax = 100.0;   //!< highest weight
  double step = 0.0;     //!< distance between levels; 0: continuous
  Rounding rounding = Rounding::nearest;

  /**
   * The level of the grid for weight w. `uniform`, in [0, 1), is the random number of stochastic rounding;
   * nearest rounding ignores it (and rounds halves up).
   */
  double
  level( double w, double uniform = 0.0 ) const
  {
    if ( step > 0.0 )
    {
      const double units = ( w - Wmin ) / step;
      const double offset = rounding == Rounding::stochastic ? uniform : 0.5;
      double index = std::floor( units + offset );
      // when the range is not a whole number of steps, Wmax is no level: a weight rounded beyond the range
      // takes the highest level below Wmax rather than Wmax itself (clipping alone would leave the grid); the
      // tolerance keeps ranges that are whole steps up to rounding (0.3 / 0.1 = 2.9999999999999996) as they were
      const double levels_above_Wmin = ( Wmax - Wmin ) / step;
      const double top_index = std::round( levels_above_Wmin );
      if ( std::abs( levels_above_Wmin - top_index ) > 1e-9 * std::max( 1.0, top_index ) )
      {
        index = std::min( index, std::floor( levels_above_Wmin ) );
      }
      w = Wmin + index * step;
    }
    return std::clamp( w, Wmin, Wmax );
  }

  //! Throws std::invalid_argument naming the first setting out of range; names carry the prefix (e.g. "optimizer ").
  void
  check( const std::string& prefix ) const
  {
    require_finite( prefix + "Wmin", Wmin, "" );
    require_finite( prefix + "Wmax", Wmax, "" );
    if ( Wmin > Wmax )
    {
      refuse( prefix + "Wmax", Wmax, "", "Wmax >= Wmin (" + format_number( Wmin ) + ")" );
    }
    require_non_negative( prefix + "weight_step", step, "" );
    // a wider step leaves Wmin the only level in the range: a weight rounded up lands beyond Wmax and is clipped to
    // it, so rounding would neither pick the nearer end nor (stochastic) keep the expected weight
    if ( step > Wmax - Wmin )
    {
      refuse( prefix + "weight_step", step, "", "weight_step <= Wmax - Wmin (" + format_number( Wmax - Wmin ) + ")" );
    }
  }
};

}  // namespace chiplearn::core

#endif
