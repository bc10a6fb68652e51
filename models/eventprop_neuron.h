/*
 *  eventprop_neuron.h -- the node side that chiplearn's EventProp neurons (the output and the hidden neuron)
 *  share: the membrane's parameters and state in NEST's dictionaries, input spikes integrated at their precise
 *  times, off-grid output spikes, the trial grid their synapses see, and V_m and I_syn as recordables.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EVENTPROP_NEURON_H
#define CHIPLEARN_EVENTPROP_NEURON_H

#include <cmath>

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "chiplearn_node.h"

// chiplearn
#include "core/eventprop.h"
#include "eventprop_target.h"

namespace chiplearn
{

/**
 * Base of an EventProp neuron model Derived. ParametersT and StateT are or extend EventpropMembraneParameters
 * and EventpropMembraneState. Derived lists get_V_m_ and get_I_syn_ in its RecordablesMap and integrates its
 * steps with step_ over the inputs of precise_input_.
 */
template < typename Derived, typename ParametersT, typename StateT >
class EventpropNeuron
  : public ChiplearnNode< Derived, ParametersT, StateT >
  , public EventpropTarget
{
  using Node = ChiplearnNode< Derived, ParametersT, StateT >;

public:
  using Node::handle;
  using Node::handles_test_event;

  EventpropTarget*
  eventprop_target() override
  {
    return this;
  }

  void
  handle( nest::SpikeEvent& e ) override
  {
    precise_input_.add( e, h_ );
  }

  bool
  is_off_grid() const override
  {
    return true;
  }

  const core::eventprop::Membrane&
  membrane() const override
  {
    return this->P_.membrane;
  }

protected:
  void
  init_buffers_() override
  {
    Node::init_buffers_();
    precise_input_.resize();
  }

  //! The start of pre_run_hook: the logger, the step and the membrane's propagators over it.
  void
  prepare_run()
  {
    this->logger_.init();
    h_ = nest::Time::get_resolution().get_ms();
    step_ = core::eventprop::step_propagators( this->P_.membrane, h_ );
  }

  //! NumericalInstability naming V_m unless V_m and I_syn are finite after a step.
  void
  require_finite_membrane() const
  {
    if ( not( std::isfinite( this->S_.membrane.v ) and std::isfinite( this->S_.membrane.i ) ) )
    {
      this->numerical_instability( "V_m", this->S_.membrane.v );
    }
  }

  double
  get_V_m_() const
  {
    return this->S_.membrane.v;
  }

  double
  get_I_syn_() const
  {
    return this->S_.membrane.i;
  }

  core::eventprop::StepPropagators step_ {};
  double h_ = 0.1;  //!< [ms] the resolution, set when a simulation starts
  PreciseSpikeInput precise_input_;
};

}  // namespace chiplearn

#endif
