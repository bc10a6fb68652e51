/*
 *  eprop_synapse_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "eprop_synapse_chiplearn.h"

// nestkernel
#include "nest_names.h"

// chiplearn
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
const std::string model_name = "eprop_synapse_chiplearn";
}

EpropTarget&
eprop_target_of( nest::Node& target, const std::string& synapse_model )
{
  auto* node = dynamic_cast< LeakyNode* >( &target );
  EpropTarget* eprop = node ? node->eprop_target() : nullptr;
  if ( not eprop )
  {
    throw nest::IllegalConnection( synapse_model + " connects only to chiplearn's e-prop neurons "
      + "(eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn, eprop_readout_chiplearn), not to " + target.get_name()
      + "." );
  }
  return *eprop;
}

namespace
{
/**
 * The first batch of update intervals that starts after the current time: a new learning rate applies
 * from there. Intervals start at k * interval + shift with shift >= recurrent_shift.
 */
long
first_batch_after_now( long batch_size )
{
  const auto& simulation = nest::kernel().simulation_manager;
  const long batch_steps = batch_size * simulation.get_eprop_update_interval().get_steps();
  const long now = simulation.get_clock().get_steps();
  return core::floor_div( now - eprop_delays::recurrent_shift, batch_steps ) + 1;
}
}  // namespace

void
EpropSynapseCommonProperties::get_status( Dictionary& d ) const
{
  nest::CommonSynapseProperties::get_status( d );
  d[ nest::names::average_gradient ] = average_gradient;
  Dictionary o;
  o[ nest::names::type ] =
    std::string( optimizer.type == core::OptimizerType::adam ? "adam" : "gradient_descent" );
  o[ nest::names::eta ] = optimizer.eta.latest();
  o[ nest::names::batch_size ] = optimizer.batch_size;
  o[ nest::names::Wmin ] = optimizer.Wmin;
  o[ nest::names::Wmax ] = optimizer.Wmax;
  o[ nest::names::beta_1 ] = optimizer.beta_1;
  o[ nest::names::beta_2 ] = optimizer.beta_2;
  o[ nest::names::epsilon ] = optimizer.epsilon;
  d[ nest::names::optimizer ] = o;
}

void
EpropSynapseCommonProperties::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  nest::CommonSynapseProperties::set_status( d, cm );
  bool average = average_gradient;
  d.update_value( nest::names::average_gradient, average );

  core::OptimizerParameters p = optimizer;
  if ( d.known( nest::names::optimizer ) )
  {
    const Dictionary& o = d.get< Dictionary >( nest::names::optimizer );
    std::string type = p.type == core::OptimizerType::adam ? "adam" : "gradient_descent";
    o.update_value( nest::names::type, type );
    if ( type != "adam" and type != "gradient_descent" )
    {
      throw nest::BadProperty(
        model_name + ": optimizer type = \"" + type + "\" is unknown; allowed: gradient_descent, adam." );
    }
    p.type = type == "adam" ? core::OptimizerType::adam : core::OptimizerType::gradient_descent;
    o.update_value( nest::names::batch_size, p.batch_size );
    double eta = p.eta.latest();
    if ( o.update_value( nest::names::eta, eta ) )
    {
      require_non_negative( model_name, "optimizer eta", eta, "" );
      p.eta.set( first_batch_after_now( p.batch_size ), eta );
    }
    o.update_value( nest::names::Wmin, p.Wmin );
    o.update_value( nest::names::Wmax, p.Wmax );
    o.update_value( nest::names::beta_1, p.beta_1 );
    o.update_value( nest::names::beta_2, p.beta_2 );
    o.update_value( nest::names::epsilon, p.epsilon );
  }

  if ( p.batch_size < 1 )
  {
    refuse( model_name, "optimizer batch_size", p.batch_size, "", "batch_size >= 1" );
  }
  require_finite( model_name, "optimizer Wmin", p.Wmin, "" );
  require_finite( model_name, "optimizer Wmax", p.Wmax, "" );
  if ( p.Wmin > p.Wmax )
  {
    refuse( model_name, "optimizer Wmax", p.Wmax, "", "Wmax >= Wmin (" + std::to_string( p.Wmin ) + ")" );
  }
  if ( not( p.beta_1 >= 0.0 and p.beta_1 < 1.0 ) )
  {
    refuse( model_name, "optimizer beta_1", p.beta_1, "", "0 <= beta_1 < 1" );
  }
  if ( not( p.beta_2 >= 0.0 and p.beta_2 < 1.0 ) )
  {
    refuse( model_name, "optimizer beta_2", p.beta_2, "", "0 <= beta_2 < 1" );
  }
  require_non_negative( model_name, "optimizer epsilon", p.epsilon, "" );

  optimizer = p;
  average_gradient = average;
}

}  // namespace chiplearn
