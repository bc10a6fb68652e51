/*
 *  eprop_target.h -- what a neuron offers the e-prop synapse of chiplearn: its interval history and the
 *  spike kernels computed from it.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EPROP_TARGET_H
#define CHIPLEARN_EPROP_TARGET_H

#include <stdexcept>
#include <string>
#include <vector>

// nestkernel
#include "exceptions.h"
#include "nest_time.h"

// chiplearn
#include "core/interval_history.h"

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
}  // namespace eprop_delays

/**
 * A neuron that e-prop synapses can target. Synapses acquire the intervals in which they saw presynaptic
 * spikes, ask for the interval's spike kernel when they update their weight (at their first spike in a later
 * interval) and release it; the gradient is the sum of the kernel at the presynaptic spike steps.
 */
class EpropTarget
{
public:
  virtual ~EpropTarget() = default;

  //! Step at which this neuron's update intervals start (modulo the interval length).
  virtual long eprop_shift() const = 0;

  //! Recurrent neurons drop the spikes of an interval's first step (their state is reset in that step).
  virtual bool is_eprop_recurrent() const = 0;

  //! Called once per incoming e-prop synapse; history is recorded only for neurons that have one.
  void
  register_eprop_synapse()
  {
    ++eprop_indegree_;
  }

  long
  interval_of( long step ) const
  {
    return eprop_history_.interval_of( step );
  }

  long
  step_in_interval( long step ) const
  {
    return eprop_history_.step_in_interval( step );
  }

  void
  acquire_interval( long interval )
  {
    eprop_history_.acquire( interval );
  }

  void
  note_spike( long interval, long step )
  {
    try
    {
      eprop_history_.note_spike( interval, step );
    }
    catch ( const std::logic_error& error )
    {
      throw nest::KernelException( std::string( "chiplearn: " ) + error.what() );
    }
  }

  //! A synapse's gradient for an interval it holds (see IntervalHistory::take_gradient); releases the interval.
  template < typename StepRange >
  double
  take_gradient( long interval, const StepRange& spike_steps )
  {
    try
    {
      return eprop_history_.take_gradient( interval, spike_steps, kernel_function() );
    }
    catch ( const std::logic_error& error )
    {
      throw nest::KernelException( std::string( "chiplearn: " ) + error.what() );
    }
  }

  //! Time covered by the intervals held for e-prop synapses [ms] (old intervals keep only the values owed).
  double
  eprop_history_duration() const
  {
    return static_cast< double >( eprop_history_.size() * eprop_history_.interval_steps() )
      * nest::Time::get_resolution().get_ms();
  }

protected:
  //! Marks an interval final (see IntervalHistory::seal).
  void
  seal_interval( long interval )
  {
    try
    {
      eprop_history_.seal( interval, kernel_function() );
    }
    catch ( const std::logic_error& error )
    {
      throw nest::KernelException( std::string( "chiplearn: " ) + error.what() );
    }
  }

  core::IntervalHistory::KernelFunction
  kernel_function() const
  {
    return [ this ]( const core::IntervalHistory::Interval& record, std::vector< double >& kernel )
    { compute_kernel( record, kernel ); };
  }

  //! Fills kernel (one entry per step of the interval) from the interval's record.
  virtual void compute_kernel( const core::IntervalHistory::Interval& record, std::vector< double >& kernel ) const = 0;

  bool
  records_eprop_history() const
  {
    return eprop_indegree_ > 0;
  }

  core::IntervalHistory eprop_history_;
  long eprop_indegree_ = 0;
};

}  // namespace chiplearn

#endif
