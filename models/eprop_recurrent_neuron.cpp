/*
 *  eprop_recurrent_neuron.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_recurrent_neuron.h"

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
  d[ nest::names::surrogate_gradient_function ] = core::name_of_choice( core::surrogate_shape_names(), surrogate.shape );
  d[ nest::names::surrogate_gradient_height ] = surrogate.height;
  d[ nest::names::surrogate_gradient_width ] = surrogate.width;
}

void
RecurrentLearningParameters::set( const Dictionary& d, nest::Node* node )
{
  nest::update_value_param( d, nest::names::c_reg, c_reg, node );
  nest::update_value_param( d, nest::names::f_target, f_target, node );
  nest::update_value_param( d, nest::names::tau_m_readout, tau_m_readout, node );
  std::string shape = core::name_of_choice( core::surrogate_shape_names(), surrogate.shape );
  d.update_value( nest::names::surrogate_gradient_function, shape );
  nest::update_value_param( d, nest::names::surrogate_gradient_height, surrogate.height, node );
  nest::update_value_param( d, nest::names::surrogate_gradient_width, surrogate.width, node );

  const std::string& model = node->get_name();
  require_non_negative( model, nest::names::c_reg, c_reg, "" );
  require_non_negative( model, nest::names::f_target, f_target, "Hz" );
  require_positive( model, nest::names::tau_m_readout, tau_m_readout, "ms" );
  require_positive( model, nest::names::surrogate_gradient_height, surrogate.height, "" );
  require_positive( model, nest::names::surrogate_gradient_width, surrogate.width, "mV" );
  surrogate.shape = choice_parameter< core::SurrogateShape >(
    model, core::surrogate_shape_names(), nest::names::surrogate_gradient_function, shape );
}

}  // namespace chiplearn
