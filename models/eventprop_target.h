/*
 *  eventprop_target.h -- what chiplearn's EventProp neurons (the output and the hidden neuron) share: the
 *  trials their incoming eventprop_synapse_chiplearn connections take gradients from, the precise (off-grid)
 *  input spikes, where a spike arrives in a trial, and the membrane's parameters in NEST's dictionaries.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EVENTPROP_TARGET_H
#define CHIPLEARN_EVENTPROP_TARGET_H

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// nestkernel
#include "dictionary.h"
#include "event.h"
#include "node.h"

// chiplearn
#include "core/eventprop.h"
#include "core/time_grid.h"

namespace chiplearn
{

/**
 * Where a spike arrives at its target: the trial and the time in it [ms]. The spike carries NEST's stamp (the
 * end of the step in which it was sent) and offset (how long before the stamp it was fired, 0 on the grid);
 * with a delay of d steps it makes the target's current jump at (stamp + d) h - offset, in the target's step
 * stamp + d - 1. The forward synapse and the feedback connection both place spikes with this function, so
 * that they see the same arrival times to the bit.
 */
struct Arrival
{
  long trial;
  double time;
};

inline Arrival
arrival_of( const core::IntervalGrid& grid, long stamp_steps, long delay_steps, double offset, double h )
{
  const long step = stamp_steps + delay_steps - 1;
  return { grid.interval_of( step ), ( grid.step_in_interval( step ) + 1 ) * h - offset };
}

/**
 * What an output sends back to the hidden neurons that drive it, once per trial when it knows its adjoint:
 * its node id, the trial, its adjoint's one jump (time and size; size 0 without a jump) and its membrane's time constants
 * and capacitance, from which a hidden neuron evaluates lambda_V - lambda_I at its spikes' arrivals in closed
 * form (core::eventprop::feedback_error). Secondary events carry min_delay values per step slice, so the
 * message travels as a stream of `length` finite values, NaN marking steps without a value.
 */
struct FeedbackMessage
{
  static constexpr std::size_t length = 7;

  long output = 0;  //!< the output's node id: the hidden neuron sums the outputs' errors in this order
  long trial = 0;
  core::eventprop::AdjointJump jump { 0.0, 0.0 };
  core::eventprop::Membrane membrane;

  std::vector< double >
  values() const
  {
    return { static_cast< double >( output ), static_cast< double >( trial ), jump.time, jump.lambda_v, membrane.tau_m, membrane.tau_s, membrane.C_m };
  }

  static FeedbackMessage
  from( std::span< const double, length > v )
  {
    FeedbackMessage m;
    m.output = static_cast< long >( v[ 0 ] );
    m.trial = static_cast< long >( v[ 1 ] );
    m.jump = { v[ 2 ], v[ 3 ] };
    m.membrane.tau_m = v[ 4 ];
    m.membrane.tau_s = v[ 5 ];
    m.membrane.C_m = v[ 6 ];
    return m;
  }
};

/**
 * The side of an EventProp neuron that its incoming eventprop_synapse_chiplearn connections see: its trial
 * grid and membrane, and the adjoint jumps of each trial, kept from the moment a synapse saw an input arrive in
 * the trial until every such synapse has taken its gradient. A trial becomes final when the neuron knows its
 * adjoint: an output when the other outputs' logits are in, a hidden neuron when the outputs' feedback is in.
 */
class EventpropTarget
{
public:
  virtual ~EventpropTarget() = default;

  const core::IntervalGrid&
  trial_grid() const
  {
    return grid_;
  }

  virtual const core::eventprop::Membrane& membrane() const = 0;

  //! A synapse saw an input spike arrive in `trial` and will take its gradient.
  void
  acquire_trial( long trial )
  {
    ++held_[ trial ].holders;
  }

  //! Whether the trial's adjoint is known.
  bool trial_final( long trial ) const;

  //! The gradient dL/dw of a synapse with these arrival times (ms from the trial start, sorted); releases the trial.
  double take_gradient( long trial, std::span< const double > arrivals, std::string_view model );

  //! Trials kept for synapses.
  long
  held_trials() const
  {
    return static_cast< long >( held_.size() );
  }

protected:
  //! The adjoint of `trial` is known: its jumps (sorted by time).
  void finish_trial_adjoint( long trial, std::vector< core::eventprop::AdjointJump > jumps );

  //! Starts over on a new trial grid (forgets the held trials).
  void set_trial_grid( const core::IntervalGrid& grid );

  core::IntervalGrid grid_;

private:
  struct HeldTrial
  {
    std::vector< core::eventprop::AdjointJump > jumps;
    bool final = false;
    long holders = 0;
  };
  std::unordered_map< long, HeldTrial > held_;  // looked up at every input spike: hashed, not ordered
};

/**
 * Input spikes with their times inside the step in which they arrive, for neurons that integrate off-grid
 * input exactly: a ring of steps (as NEST's RingBuffer), each with its inputs; take() returns a step's
 * inputs sorted by time and weight, so that the order of summation does not depend on the order of delivery
 * (threads, ranks).
 */
class PreciseSpikeInput
{
public:
  //! Clears and sizes the ring to NEST's delay range.
  void resize();

  //! Adds the spike e (weight times multiplicity) to its step.
  void add( const nest::SpikeEvent& e, double h );

  //! The inputs of step `lag` of the current slice, sorted; clears the step.
  std::span< const core::eventprop::TimedInput > take( long lag );

private:
  std::vector< std::vector< core::eventprop::TimedInput > > steps_;
  std::vector< core::eventprop::TimedInput > taken_;
};

/**
 * The parameters of the EventProp neurons' membrane, in NEST's dictionaries: C_m, tau_m, tau_syn, V_th and the
 * floor of tau_m dV/dt at a spike (slope_floor). They are the hidden neuron's parameters; the output adds its
 * loss's.
 */
struct EventpropMembraneParameters
{
  core::eventprop::Membrane membrane { 10.0, 5.0, 250.0, 15.0 };
  double slope_floor = 1.5;

  void get( Dictionary& d ) const;

  //! Reads and checks them (BadProperty prefixed with the model); returns 0: potentials are relative to rest.
  double set( const Dictionary& d, nest::Node* node );
};

//! The EventProp neurons' membrane state, in NEST's dictionaries: V_m and I_syn, settable (finite).
struct EventpropMembraneState
{
  core::eventprop::MembraneState membrane;

  void get( Dictionary& d, const EventpropMembraneParameters& ) const;
  void set( const Dictionary& d, const EventpropMembraneParameters&, double delta_EL, nest::Node* node );
};

}  // namespace chiplearn

#endif
