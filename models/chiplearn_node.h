/*
 *  chiplearn_node.h -- the parts every chiplearn neuron model shares with the others: status dictionaries
 *  with transactional updates, recording through the multimeter, and buffer initialization.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_NODE_H
#define CHIPLEARN_NODE_H

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "leaky_node.h"

// nestkernel
#include "nest_names.h"
#include "recordables_map.h"
#include "universal_data_logger_impl.h"

namespace chiplearn
{

/**
 * Base of a chiplearn neuron model Derived with parameters ParametersT and state StateT.
 *
 * ParametersT provides get(Dictionary&) and set(const Dictionary&, Node*), which reads and checks the
 * parameters and returns the change of E_L; StateT provides get(Dictionary&, const ParametersT&) and
 * set(const Dictionary&, const ParametersT&, double delta_EL, Node*). Derived defines the static
 * RecordablesMap< Derived > recordablesMap_ and makes this class a friend.
 */
template < typename Derived, typename ParametersT, typename StateT >
class ChiplearnNode : public LeakyNode
{
public:
  ChiplearnNode()
    : logger_( static_cast< Derived& >( *this ) )
  {
    Derived::recordablesMap_.create();
  }

  ChiplearnNode( const ChiplearnNode& n )
    : LeakyNode( n )
    , P_( n.P_ )
    , S_( n.S_ )
    , logger_( static_cast< Derived& >( *this ) )
  {
  }

  using LeakyNode::handle;
  using LeakyNode::handles_test_event;

  void
  handle( nest::DataLoggingRequest& e ) override
  {
    logger_.handle( e );
  }

  size_t
  handles_test_event( nest::DataLoggingRequest& request, size_t receptor_type ) override
  {
    require_receptor_zero( receptor_type );
    return logger_.connect_logging_device( request, Derived::recordablesMap_ );
  }

  void
  get_status( Dictionary& d ) const override
  {
    P_.get( d );
    S_.get( d, P_ );
    LeakyNode::get_status( d );
    d[ nest::names::recordables ] = Derived::recordablesMap_.get_list();
  }

  //! Changes nothing unless every value in d is valid and every key is one the model takes.
  void
  set_status( const Dictionary& d ) override
  {
    ParametersT parameters = P_;
    const double delta_EL = parameters.set( d, this );
    StateT state = S_;
    state.set( d, parameters, delta_EL, this );
    refuse_unknown_parameters( d );
    LeakyNode::set_status( d );
    P_ = parameters;
    S_ = state;
  }

protected:
  void
  init_buffers_() override
  {
    clear_input_buffers();
    logger_.reset();
    clear_history();
  }

  ParametersT P_;
  StateT S_;
  nest::UniversalDataLogger< Derived > logger_;
};

}  // namespace chiplearn

#endif
