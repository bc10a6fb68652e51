/*
 *  parameter_checks.h -- the core's checks and errors as NEST exceptions: a parameter out of range is a
 *  BadProperty that names the model, the parameter, the value and the allowed range; a broken invariant of
 *  the core's bookkeeping is a KernelException.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_PARAMETER_CHECKS_H
#define CHIPLEARN_PARAMETER_CHECKS_H

#include <stdexcept>
#include <string>
#include <vector>

// nestkernel
#include "exceptions.h"

// chiplearn
#include "core/checks.h"
#include "core/named_choice.h"

namespace chiplearn
{

using core::format_number;

/** Runs check(); a std::invalid_argument it throws becomes BadProperty "<model>: <message>". */
template < typename Check >
void
check_parameters( const std::string& model, const Check& check )
{
  try
  {
    check();
  }
  catch ( const std::invalid_argument& error )
  {
    throw nest::BadProperty( model + ": " + error.what() );
  }
}

/** Runs f() and returns its result; a std::logic_error of the core's bookkeeping becomes a KernelException. */
template < typename F >
decltype( auto )
in_kernel( const F& f )
{
  try
  {
    return f();
  }
  catch ( const std::logic_error& error )
  {
    throw nest::KernelException( std::string( "chiplearn: " ) + error.what() );
  }
}

/** Throws BadProperty "<model>: <name> = <value> <unit> is out of range; allowed: <range>." */
[[noreturn]] inline void
refuse( const std::string& model, const std::string& name, double value, const std::string& unit,
  const std::string& allowed )
{
  throw nest::BadProperty( model + ": " + core::out_of_range( name, value, unit, allowed ) );
}

inline void
require_finite( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  check_parameters( model, [ & ] { core::require_finite( name, value, unit ); } );
}

inline void
require_positive( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  check_parameters( model, [ & ] { core::require_positive( name, value, unit ); } );
}

inline void
require_non_negative( const std::string& model, const std::string& name, double value, const std::string& unit )
{
  check_parameters( model, [ & ] { core::require_non_negative( name, value, unit ); } );
}

/** The enumerator named by a string parameter; BadProperty listing the allowed names otherwise. */
template < typename Enum >
Enum
choice_parameter( const std::string& model,
  const std::vector< std::string >& names,
  const std::string& parameter,
  const std::string& name )
{
  Enum choice {};
  check_parameters( model, [ & ] { choice = core::choice_from_name< Enum >( names, parameter, name ); } );
  return choice;
}

}  // namespace chiplearn

#endif
