/*
 *  parameter_checks.h -- range checks of model parameters that fail with a NEST BadProperty naming the
 *  parameter, its allowed range and the value given.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_PARAMETER_CHECKS_H
#define CHIPLEARN_PARAMETER_CHECKS_H

#include <charconv>
#include <cmath>
#include <string>

// nestkernel
#include "exceptions.h"

namespace chiplearn
{

/** The shortest text that reads back as the same double: what the user typed, in most cases. */
inline std::string
format_number( double value )
{
  char digits[ 32 ];
  const auto end = std::to_chars( digits, digits + sizeof( digits ), value ).ptr;
  return std::string( digits, end );
}

/** Throws BadProperty "<model>: <name> = <value> <unit> is out of range; allowed: <range>". */
[[noreturn]] inline void
refuse( const std::string& model, const std::string& name, double value, const std::string& unit,
  const std::string& allowed )
{
  throw nest::BadProperty( model + ": " + name + " = " + format_number( value ) + ( unit.empty() ? "" : " " )
    + unit + " is out of range; allowed: " + allowed + "." );
}

inline void
require_finite( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  if ( not std::isfinite( value ) )
  {
    refuse( model, name, value, unit, "a finite number" );
  }
}

inline void
require_positive( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  if ( not( std::isfinite( value ) and value > 0.0 ) )
  {
    refuse( model, name, value, unit, "0 < " + name + " < inf " + unit );
  }
}

inline void
require_non_negative( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  if ( not( std::isfinite( value ) and value >= 0.0 ) )
  {
    refuse( model, name, value, unit, "0 <= " + name + " < inf " + unit );
  }
}

}  // namespace chiplearn

#endif
