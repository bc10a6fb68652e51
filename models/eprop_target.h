/*
 *  eprop_target.h -- what a neuron offers the e-prop synapse of chiplearn: its interval clock and history,
 *  from which the synapse takes its gradients.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EPROP_TARGET_H
#define CHIPLEARN_EPROP_TARGET_H

#include <cstdint>
#include <span>
#include <string>
#include <vector>

// nestkernel
#include "exceptions.h"
#include "kernel_manager.h"
#include "nest_time.h"

// chiplearn
#include "core/eprop.h"
#include "parameter_checks.h"

namespace chiplearn
{

/**
 * Delays of the e-prop signal chain, one step each as in the original e-prop and NEST's bsshslm_2020
 * models: input generator to recurrent neurons, recurrent neurons to readouts, readout signals to the
 * normalization of the other readouts, learning signals back to the recurrent neurons.
 */
namespace eprop_delays
{
constexpr long generator_offset = 1;
constexpr long input_to_recurrent = 1;
constexpr long recurrent_to_readout = 1;
constexpr long readout_normalization = 1;
constexpr long readout_to_recurrent = 1;

//! Where update intervals start, in the steps of a recurrent neuron and of a readout.
constexpr long recurrent_shift = generator_offset + input_to_recurrent;
constexpr long readout_shift = recurrent_shift + recurrent_to_readout;

//! Learning signals stamped t belong to the recurrent neuron's step t - learning_signal_lag.
constexpr long learning_signal_lag = recurrent_to_readout + readout_to_recurrent + readout_normalization;

//! A trial's step s is the readout's signal at step readout_signal_offset + s (the step recorded as ... + s + 1).
constexpr long readout_signal_offset = readout_shift + readout_normalization;
}  // namespace eprop_delays

/**
 * Name of the read-only status entry of chiplearn's e-prop neurons: a trial k's steps are the neuron's steps
 * from eprop_interval_offset + k * eprop_update_interval on (in its recorded signals, for a readout).
 */
inline const std::string eprop_interval_offset = "eprop_interval_offset";

/**
 * Whether node is an eprop_readout_chiplearn (or a copy of the model); asked of its model, because the node may
 * be a proxy for a readout on another thread or process.
 */
bool is_eprop_readout( const nest::Node& node );

/**
 * A neuron that e-prop synapses can target. Synapses acquire the intervals in which they saw presynaptic
 * spikes, note their spike steps, and take the interval's gradient when they update their weight (at their
 * first spike in a later interval), which releases the interval.
 */
class EpropTarget
{
public:
  virtual ~EpropTarget() = default;

  //! Recurrent neurons drop the spikes of an interval's first step (their state is reset in that step).
  virtual bool is_eprop_recurrent() const = 0;

  //! The neuron's update intervals, in the steps at which spikes arrive.
  const core::IntervalGrid&
  eprop_grid() const
  {
    return grid_;
  }

  //! Called once per incoming e-prop synapse; history is recorded only for neurons that have one.
  void
  register_eprop_synapse()
  {
    ++eprop_indegree_;
  }

  virtual void acquire_interval( long interval ) = 0;
  virtual void note_spike( long interval, long step ) = 0;

  //! A synapse's gradient for an interval it holds, from its spike steps in it; releases the interval.
  virtual double take_gradient( long interval, std::span< const std::uint32_t > spike_steps ) = 0;

  //! Time covered by the intervals held for e-prop synapses [ms] (old intervals keep only the values owed).
  virtual double eprop_history_duration() const = 0;

protected:
  bool
  records_eprop_history() const
  {
    return eprop_indegree_ > 0;
  }

  core::IntervalGrid grid_;
  long eprop_indegree_ = 0;
};

/**
 * An EpropTarget with its interval history (core::RecurrentHistory or core::ReadoutHistory) and its interval
 * clock. The neuron calls configure_eprop() in pre_run_hook() and advances eprop_clock_ step by step.
 */
template < typename History >
class EpropLearner : public EpropTarget
{
public:
  static constexpr long max_interval_steps = 2147483647;

  void
  acquire_interval( long interval ) override
  {
    eprop_history_.acquire( interval );
  }

  void
  note_spike( long interval, long step ) override
  {
    in_kernel( [ & ] { eprop_history_.note_spike( interval, step ); } );
  }

  double
  take_gradient( long interval, std::span< const std::uint32_t > spike_steps ) override
  {
    return in_kernel( [ & ] { return eprop_history_.take_gradient( interval, spike_steps ); } );
  }

  double
  eprop_history_duration() const override
  {
    return static_cast< double >( eprop_history_.size() * grid_.steps ) * nest::Time::get_resolution().get_ms();
  }

protected:
  //! Reads the kernel's e-prop settings (BadProperty naming model if out of range); the intervals start at step
  //! `shift` (modulo their length).
  void
  configure_eprop( const std::string& model, long shift )
  {
    const auto& simulation = nest::kernel().simulation_manager;
    const long steps = simulation.get_eprop_update_interval().get_steps();
    // steps within an interval are kept as 32-bit numbers
    if ( not( steps > eprop_delays::learning_signal_lag and steps <= max_interval_steps ) )
    {
      const double h = nest::Time::get_resolution().get_ms();
      refuse( model,
        "eprop_update_interval",
        simulation.get_eprop_update_interval().get_ms(),
        "ms",
        format_number( eprop_delays::learning_signal_lag * h ) + " ms < eprop_update_interval <= "
          + format_number( max_interval_steps * h ) + " ms (the delay of the learning signals to 2^31 - 1 steps)" );
    }
    grid_ = { steps, shift };
    reset_on_update_ = simulation.get_eprop_reset_neurons_on_update();
    eprop_history_.configure( grid_ );
    eprop_clock_.configure( grid_ );
  }

  //! Marks an interval final (see core::IntervalHistory::seal).
  void
  seal_interval( long interval )
  {
    in_kernel( [ & ] { eprop_history_.seal( interval ); } );
  }

  //! Whether the state is reset at the start of each interval: the kernel says so and the neuron learns.
  bool
  resets_on_update() const
  {
    return reset_on_update_ and records_eprop_history();
  }

  History eprop_history_;
  core::IntervalClock eprop_clock_;

private:
  bool reset_on_update_ = true;
};

}  // namespace chiplearn

#endif
