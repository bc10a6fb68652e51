/*
 *  surrogate.h -- chiplearn numerical core: pseudo-derivatives of the spike with respect to the membrane
 *  potential, for learning rules that differentiate through a threshold.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_CORE_SURROGATE_H
#define CHIPLEARN_CORE_SURROGATE_H

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "named_choice.h"

namespace chiplearn::core
{

/** Shapes of the pseudo-derivative dz/dv (NEST's four). */
enum class SurrogateShape
{
  piecewise_linear,         //!< height * max(0, 1 - |v - v_th| / width)       (Bellec et al. 2020)
  exponential,              //!< height * exp(-|v - v_th| / width)               (Shrestha & Orchard 2018)
  fast_sigmoid_derivative,  //!< height * (1 + |v - v_th| / width)^-2            (Zenke & Ganguli 2018)
  arctan_derivative         //!< height / (1 + ((v - v_th) / width)^2)           (Fang et al. 2021)
};

inline const std::vector< std::string >&
surrogate_shape_names()
{
  static const std::vector< std::string > names {
    "piecewise_linear", "exponential", "fast_sigmoid_derivative", "arctan_derivative"
  };
  return names;
}

/** Parameters of a pseudo-derivative. */
struct Surrogate
{
  SurrogateShape shape = SurrogateShape::piecewise_linear;
  double height = 0.3;  //!< value at the threshold
  double width = 1.0;   //!< scale of |v - v_th| [mV]
};

/** Pseudo-derivative psi of the spike with respect to v; zero while refractory. */
inline double
surrogate_gradient( const Surrogate& s, bool refractory, double v, double v_th )
{
  if ( refractory )
  {
    return 0.0;
  }
  const double x = ( v - v_th ) / s.width;
  switch ( s.shape )
  {
  case SurrogateShape::piecewise_linear:
    return s.height * std::max( 0.0, 1.0 - std::abs( x ) );
  case SurrogateShape::exponential:
    return s.height * std::exp( -std::abs( x ) );
  case SurrogateShape::fast_sigmoid_derivative:
    return s.height / ( ( 1.0 + std::abs( x ) ) * ( 1.0 + std::abs( x ) ) );
  case SurrogateShape::arctan_derivative:
    return s.height / ( 1.0 + x * x );
  }
  return 0.0;
}

}  // namespace chiplearn::core

#endif
