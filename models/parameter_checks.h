/*
 *  parameter_checks.h -- range checks of model parameters that fail with a NEST BadProperty naming the
 *  parameter, its allowed range and the value given.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_PARAMETER_CHECKS_H
#define CHIPLEARN_PARAMETER_CHECKS_H

#include <cmath>
#include <sstream>
#include <string>

// nestkernel
#include "exceptions.h"

namespace chiplearn
{

/** Throws BadProperty "<model>: <name> = <value> <unit> is out of range; allowed: <range>". */
[[noreturn]] inline void
refuse( const std::string& model, const std::string& name, double value, const std::string& unit,
  const std::string& allowed )
{
  std::ostringstream message;
  message.precision( 17 );
  message << model << ": " << name << " = " << value << ( unit.empty() ? "" : " " ) << unit
          << " is out of range; allowed: " << allowed << ".";
  throw nest::BadProperty( message.str() );
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
