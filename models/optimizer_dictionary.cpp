/*
 *  optimizer_dictionary.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "optimizer_dictionary.h"

// nestkernel
#include "nest_names.h"

// chiplearn
#include "core/named_choice.h"
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
const std::vector< std::string > optimizer_keys { nest::names::type, nest::names::eta, nest::names::batch_size,
  nest::names::Wmin, nest::names::Wmax, "weight_step", "rounding", nest::names::beta_1, nest::names::beta_2,
  nest::names::epsilon };
}  // namespace

void
get_optimizer( Dictionary& d, const core::OptimizerParameters& optimizer, const core::WeightGrid& grid )
{
  Dictionary o;
  o[ nest::names::type ] = core::name_of_choice( core::optimizer_type_names(), optimizer.type );
  o[ nest::names::eta ] = optimizer.eta.latest();
  o[ nest::names::batch_size ] = optimizer.batch_size;
  o[ nest::names::Wmin ] = grid.Wmin;
  o[ nest::names::Wmax ] = grid.Wmax;
  o[ "weight_step" ] = grid.step;
  o[ "rounding" ] = core::name_of_choice( core::rounding_names(), grid.rounding );
  o[ nest::names::beta_1 ] = optimizer.beta_1;
  o[ nest::names::beta_2 ] = optimizer.beta_2;
  o[ nest::names::epsilon ] = optimizer.epsilon;
  d[ nest::names::optimizer ] = o;
}

void
set_optimizer( const Dictionary& d,
  core::OptimizerParameters& optimizer,
  core::WeightGrid& grid,
  const std::string& model,
  const std::function< long( long ) >& first_batch_after_now )
{
  if ( not d.known( nest::names::optimizer ) )
  {
    return;
  }
  const Dictionary& o = d.get< Dictionary >( nest::names::optimizer );
  core::OptimizerParameters p = optimizer;
  core::WeightGrid g = grid;
  std::string type = core::name_of_choice( core::optimizer_type_names(), p.type );
  o.update_value( nest::names::type, type );
  p.type = choice_parameter< core::OptimizerType >( model, core::optimizer_type_names(), "optimizer type", type );
  o.update_value( nest::names::batch_size, p.batch_size );
  double eta = p.eta.latest();
  const bool new_eta = o.update_value( nest::names::eta, eta );
  o.update_value( nest::names::Wmin, g.Wmin );
  o.update_value( nest::names::Wmax, g.Wmax );
  o.update_value( "weight_step", g.step );
  std::string rounding = core::name_of_choice( core::rounding_names(), g.rounding );
  o.update_value( "rounding", rounding );
  g.rounding = choice_parameter< core::Rounding >( model, core::rounding_names(), "optimizer rounding", rounding );
  o.update_value( nest::names::beta_1, p.beta_1 );
  o.update_value( nest::names::beta_2, p.beta_2 );
  o.update_value( nest::names::epsilon, p.epsilon );
  check_parameters( model,
    [ & ]
    {
      core::require_non_negative( "optimizer eta", eta, "" );
      p.check();
      g.check( "optimizer " );
    } );
  refuse_unknown_keys(
    o, model, "optimizer setting", []( const std::string& key ) { return is_one_of( key, optimizer_keys ); }, optimizer_keys );
  // the batch from which a new learning rate applies depends on the (checked) batch size
  if ( new_eta )
  {
    p.eta.set( first_batch_after_now( p.batch_size ), eta );
  }
  optimizer = p;
  grid = g;
}

}  // namespace chiplearn
