/*
 *  named_choice.h -- chiplearn numerical core: choices made by name in a model's parameters (surrogate shape,
 *  loss, optimizer type), resolved once when the parameter is set.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_CORE_NAMED_CHOICE_H
#define CHIPLEARN_CORE_NAMED_CHOICE_H

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace chiplearn::core
{

//! The names, joined by ", ".
inline std::string
joined( const std::vector< std::string >& names )
{
  std::string text;
  for ( const auto& name : names )
  {
    text += ( text.empty() ? "" : ", " ) + name;
  }
  return text;
}

/**
 * The enumerator whose name is `name`, for an enumeration whose enumerators are numbered 0, 1, ... in the
 * order of `names`. Throws std::invalid_argument `<parameter> = "<name>" is unknown; allowed: <names>.`
 */
template < typename Enum >
Enum
choice_from_name( const std::vector< std::string >& names, const std::string& parameter, const std::string& name )
{
  const auto found = std::find( names.begin(), names.end(), name );
  if ( found == names.end() )
  {
    throw std::invalid_argument( parameter + " = \"" + name + "\" is unknown; allowed: " + joined( names ) + "." );
  }
  return static_cast< Enum >( found - names.begin() );
}

template < typename Enum >
const std::string&
name_of_choice( const std::vector< std::string >& names, Enum choice )
{
  return names.at( static_cast< std::size_t >( choice ) );
}

}  // namespace chiplearn::core

#endif
