/*
 *  checks.h -- chiplearn numerical core: range checks of parameters with messages that name the parameter,
 *  the value given and the allowed range. The NEST models turn them into BadProperty, prefixed by the model.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_CORE_CHECKS_H
#define CHIPLEARN_CORE_CHECKS_H

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace chiplearn::core
{

/** The shortest text that reads back as the same double: what the user typed, in most cases. */
inline std::string
format_number( double value )
{
  char digits[ 32 ];
  const auto end = std::to_chars( digits, digits + sizeof( digits ), value ).ptr;
  return std::string( digits, end );
}

//! "<name> = <value> <unit> is out of range; allowed: <range>."
inline std::string
out_of_range( const std::string& name, double value, const std::string& unit, const std::string& allowed )
{
  return name + " = " + format_number( value ) + ( unit.empty() ? "" : " " ) + unit + " is out of range; allowed: "
    + allowed + ".";
}

//! Throws std::invalid_argument with the message of out_of_range().
[[noreturn]] inline void
refuse( const std::string& name, double value, const std::string& unit, const std::string& allowed )
{
  throw std::invalid_argument( out_of_range( name, value, unit, allowed ) );
}

inline void
require_finite( const std::string& name, double value, const std::string& unit )
{
  if ( not std::isfinite( value ) )
  {
    refuse( name, value, unit, "a finite number" );
  }
}

inline void
require_positive( const std::string& name, double value, const std::string& unit )
{
  if ( not( std::isfinite( value ) and value > 0.0 ) )
  {
    refuse( name, value, unit, "0 < " + name + " < inf " + unit );
  }
}

inline void
require_non_negative( const std::string& name, double value, const std::string& unit )
{
  if ( not( std::isfinite( value ) and value >= 0.0 ) )
  {
    refuse( name, value, unit, "0 <= " + name + " < inf " + unit );
  }
}

}  // namespace chiplearn::core

#endif
