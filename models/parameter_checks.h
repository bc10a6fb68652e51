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

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

// nestkernel
#include "dictionary.h"
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

/**
 * What to write instead of a name that NEST's own e-prop models accept and chiplearn's do not, or "" (see
 * README.md, "Coming from NEST's e-prop").
 */
inline std::string
porting_hint( const std::string& name )
{
  static const std::map< std::string, std::string > hints {
    { "tau_m_readout",
      "set tau_m_readout on the postsynaptic neurons (eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn): they filter "
      "the eligibility traces of all their synapses at once" },
    { "optimize_each_step",
      "chiplearn's e-prop synapse takes one optimizer step per batch of update intervals, as NEST's bsshslm_2020 "
      "synapse; leave it out" },
    { "flush_event_send_interval",
      "chiplearn's neurons need no flush events: an old interval keeps only the values its synapses are still owed; "
      "leave it out" },
    { "eprop_isi_trace_cutoff", "chiplearn's e-prop is that of NEST's bsshslm_2020 models, without a cutoff; leave it out" },
    { "kappa", "give the readouts' time constant instead: tau_m_readout (ms), kappa = exp(-h / tau_m_readout)" },
    { "kappa_reg", "the firing-rate regularization of chiplearn's neurons is per update interval (c_reg, f_target)" },
    { "optimizer",
      "a synapse's Adam state is adam_m, adam_v and adam_steps; the optimizer's settings are the model's "
      "(nest.SetDefaults)" },
    { "learning_rate", "the learning rate is eta" },
    { "m", "the Adam state of a synapse is adam_m" },
    { "v", "the Adam state of a synapse is adam_v" },
  };
  const auto found = hints.find( name );
  return found == hints.end() ? "" : found->second;
}

/**
 * Throws BadProperty "<model>: <what> "<key>" is unknown or read-only; <hint>." for the first key of d that
 * `accepted` does not accept, with the NEST name's hint or else the list `known`. Called before anything is
 * changed, so that a refused dictionary changes nothing.
 */
template < typename Accepted >
void
refuse_unknown_keys( const Dictionary& d,
  const std::string& model,
  const std::string& what,
  const Accepted& accepted,
  const std::vector< std::string >& known = {} )
{
  for ( const auto& [ key, entry ] : d )
  {
    if ( accepted( key ) )
    {
      continue;
    }
    const std::string hint = porting_hint( key );
    throw nest::BadProperty( model + ": " + what + " \"" + key + "\" is unknown or read-only"
      + ( hint.empty() ? ( known.empty() ? "" : "; known: " + core::joined( known ) ) : "; " + hint ) + "." );
  }
}

//! Whether name is in names.
inline bool
is_one_of( const std::string& name, const std::vector< std::string >& names )
{
  return std::find( names.begin(), names.end(), name ) != names.end();
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
