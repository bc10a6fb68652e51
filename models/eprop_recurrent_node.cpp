/*
 *  eprop_recurrent_node.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_recurrent_node.h"

// nestkernel
#include "dict_util.h"
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace chiplearn
{

void
RecurrentLearningParameters::get( Dictionary& d ) const
{
  d[ nest::names::c_reg ] = c_reg;
  d[ nest::names::f_target ] = f_target;
  d[ nest::names::tau_m_readout ] = tau_m_readout;
  d[ nest::names::surrogate_gradient_function ] = surrogate_gradient_function;
  d[ nest::names::surrogate_gradient_height ] = surrogate_gradient_height;
  d[ nest::names::surrogate_gradient_width ] = surrogate_gradient_width;
}

void
RecurrentLearningParameters::set( const Dictionary& d, nest::Node* node )
{
  nest::update_value_param( d, nest::names::c_reg, c_reg, node );
  nest::update_value_param( d, nest::names::f_target, f_target, node );
  nest::update_value_param( d, nest::names::tau_m_readout, tau_m_readout, node );
  d.update_value( nest::names::surrogate_gradient_function, surrogate_gradient_function );
  nest::update_value_param( d, nest::names::surrogate_gradient_height, surrogate_gradient_height, node );
  nest::update_value_param( d, nest::names::surrogate_gradient_width, surrogate_gradient_width, node );

  const std::string& model = node->get_name();
  require_non_negative( model, nest::names::c_reg, c_reg, "" );
  require_non_negative( model, nest::names::f_target, f_target, "Hz" );
  require_positive( model, nest::names::tau_m_readout, tau_m_readout, "ms" );
  require_positive( model, nest::names::surrogate_gradient_height, surrogate_gradient_height, "" );
  require_positive( model, nest::names::surrogate_gradient_width, surrogate_gradient_width, "mV" );
  try
  {
    surrogate_shape = core::surrogate_shape_from_name( surrogate_gradient_function );
  }
  catch ( const std::invalid_argument& allowed )
  {
    throw nest::BadProperty( model + ": surrogate_gradient_function = \"" + surrogate_gradient_function
      + "\" is unknown; allowed: " + allowed.what() + "." );
  }
}

}  // namespace chiplearn
