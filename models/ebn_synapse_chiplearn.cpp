/*
 *  ebn_synapse_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "ebn_synapse_chiplearn.h"

// nestkernel
#include "connector_model_impl.h"
#include "genericmodel.h"
#include "nest_names.h"
#include "target_identifier.h"

namespace chiplearn
{

namespace
{
const std::string model_name = "ebn_synapse_chiplearn";
const std::string learning_key = "learning";
const std::string learning_rule_key = "learning_rule";
const std::string granularity_key = "granularity";
const std::string margin_key = "margin";
const std::string omega_per_weight_key = "omega_per_weight";
const std::string eta_key = "eta";
const std::string reset_step_key = "reset_step";
const std::string Wmin_key = "Wmin";
const std::string Wmax_key = "Wmax";

//! Weight and step_gain of the model's default connection, or of d where d sets them.
std::pair< double, double >
default_connection_values( const Dictionary& d, const nest::ConnectorModel& cm )
{
  Dictionary present;
  if ( auto* model = dynamic_cast< const nest::GenericConnectorModel< ebn_synapse_chiplearn< nest::TargetIdentifierPtrRport > >* >( &cm ) )
  {
    model->get_default_connection().get_status( present );
  }
  else if ( auto* model = dynamic_cast< const nest::GenericConnectorModel< ebn_synapse_chiplearn< nest::TargetIdentifierIndex > >* >( &cm ) )
  {
    model->get_default_connection().get_status( present );
  }
  double weight = present.known( nest::names::weight ) ? present.get< double >( nest::names::weight ) : 0.0;
  const std::string& gain_key = ebn_synapse_chiplearn< nest::TargetIdentifierPtrRport >::step_gain_key;
  double step_gain = present.known( gain_key ) ? present.get< double >( gain_key ) : 1.0;
  d.update_value( nest::names::weight, weight );
  d.update_value( gain_key, step_gain );
  return { weight, step_gain };
}
}  // namespace

const std::vector< std::string >&
ebn_model_defaults_keys()
{
  static const std::vector< std::string > keys { nest::names::weight_recorder,
    learning_key, learning_rule_key, granularity_key, margin_key, omega_per_weight_key, eta_key, reset_step_key,
    Wmin_key, Wmax_key };
  return keys;
}

void
check_ebn_connection_entries( const Dictionary& d,
  const core::EbnRuleParameters& rule,
  double weight,
  double step_gain,
  const std::vector< std::string >& known )
{
  if ( not( step_gain > 0.0 ) or not std::isfinite( step_gain ) )
  {
    refuse( model_name, ebn_synapse_chiplearn< nest::TargetIdentifierPtrRport >::step_gain_key, step_gain, "",
      "0 < step_gain < inf" );
  }
  require_finite( model_name, nest::names::weight, weight, "pA" );  // Wmin and Wmax may be infinite
  require_weight_in_range(
    model_name, weight, rule.Wmin * step_gain, rule.Wmax * step_gain, "pA", "Wmin * step_gain <= weight <= Wmax * step_gain" );
  double delay = 0.0;
  if ( d.update_value( nest::names::delay, delay ) )
  {
    nest::kernel().connection_manager.get_delay_checker().assert_valid_delay_ms( delay );
  }
  std::vector< std::string > allowed = known;
  allowed.insert( allowed.end(), connector_model_keys.begin(), connector_model_keys.end() );
  allowed.insert( allowed.end(),
    { nest::names::weight, nest::names::delay, ebn_synapse_chiplearn< nest::TargetIdentifierPtrRport >::step_gain_key } );
  refuse_unknown_keys(
    d, model_name, "synapse property", [ & ]( const std::string& key ) { return is_one_of( key, allowed ); } );
}

ebn_iaf_chiplearn&
ebn_target_of( nest::Node& target, long delay_steps )
{
  auto* ebn = dynamic_cast< ebn_iaf_chiplearn* >( &target );
  if ( not ebn )
  {
    throw nest::IllegalConnection( model_name + " connects only to ebn_iaf_chiplearn, not to " + target.get_name() + "." );
  }
  if ( delay_steps != 1 )
  {
    throw nest::IllegalConnection( model_name + ": delay must be one simulation step ("
      + format_number( nest::Time::get_resolution().get_ms() )
      + " ms): the rule reads the postsynaptic potential at the time of the presynaptic spike." );
  }
  return *ebn;
}

void
EbnSynapseCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ learning_key ] = rule.learning;
  d[ learning_rule_key ] = core::name_of_choice( core::ebn_rule_names(), rule.rule );
  d[ granularity_key ] = rule.granularity;
  d[ margin_key ] = rule.margin;
  d[ omega_per_weight_key ] = rule.omega_per_weight;
  d[ eta_key ] = rule.eta;
  d[ reset_step_key ] = reset_step;
  d[ Wmin_key ] = rule.Wmin;
  d[ Wmax_key ] = rule.Wmax;
}

void
EbnSynapseCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  set_model_defaults(
    [ & ]
    {
      core::EbnRuleParameters new_rule = rule;
      double new_reset_step = reset_step;
      d.update_value( learning_key, new_rule.learning );
      std::string rule_name = core::name_of_choice( core::ebn_rule_names(), new_rule.rule );
      d.update_value( learning_rule_key, rule_name );
      new_rule.rule = choice_parameter< core::EbnRule >( model_name, core::ebn_rule_names(), learning_rule_key, rule_name );
      d.update_value( granularity_key, new_rule.granularity );
      d.update_value( margin_key, new_rule.margin );
      d.update_value( omega_per_weight_key, new_rule.omega_per_weight );
      d.update_value( eta_key, new_rule.eta );
      d.update_value( reset_step_key, new_reset_step );
      d.update_value( Wmin_key, new_rule.Wmin );
      d.update_value( Wmax_key, new_rule.Wmax );
      check_parameters( model_name, [ & ] { new_rule.check(); } );
      require_non_negative( model_name, reset_step_key, new_reset_step, "mV" );
      require_finite( model_name, reset_step_key, new_reset_step, "mV" );
      const auto [ weight, step_gain ] = default_connection_values( d, cm );
      check_ebn_connection_entries( d, new_rule, weight, step_gain, ebn_model_defaults_keys() );
      require_widening_while_connected(
        model_name, "Wmin and Wmax", rule.Wmin, rule.Wmax, new_rule.Wmin, new_rule.Wmax, cm.get_syn_id() );
      nest::CommonSynapseProperties::set_status( d, cm );
      rule = new_rule;
      reset_step = new_reset_step;
    } );
}

}  // namespace chiplearn
