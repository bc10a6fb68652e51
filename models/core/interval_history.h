/*
 *  interval_history.h -- chiplearn numerical core: what a neuron keeps of its past for e-prop's updates,
 *  interval by interval.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Time is cut into update intervals of `interval_steps` steps, the k-th covering the steps (keys)
 *  [k * interval_steps + shift, (k + 1) * interval_steps + shift). Per step the neuron records up to two
 *  values (a recurrent neuron: pseudo-derivative and learning signal; a readout: error signal). Synapses
 *  that saw presynaptic spikes in an interval acquire it; when they update their weight they ask for its
 *  spike kernel, computed from the recorded values, and release it. Second values may still arrive after
 *  the interval's end (learning signals travel back from the readouts); a kernel asked for before that is
 *  computed from what has arrived, and computed again when more arrives. Once the neuron seals the
 *  interval (nothing more can arrive) and its kernel is computed, the recorded values are freed. An
 *  interval is forgotten when no synapse holds it any more and it is older than the previous one.
 */

#ifndef CHIPLEARN_CORE_INTERVAL_HISTORY_H
#define CHIPLEARN_CORE_INTERVAL_HISTORY_H

#include <cstddef>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "grid.h"

namespace chiplearn::core
{

class IntervalHistory
{
public:
  struct Interval
  {
    std::vector< double > first;   //!< first recorded value per step
    std::vector< double > second;  //!< second recorded value per step (accumulated with add_to_second)
    double scalar = 0.0;           //!< one value per interval (the firing-rate regularization)
    long holders = 0;              //!< synapses that still need the interval
    std::vector< double > kernel;  //!< spike kernel, once computed
    bool kernel_current = false;   //!< the kernel reflects every value recorded so far
    bool sealed = false;           //!< no value of the interval will change any more
  };

  using KernelFunction = std::function< void( const Interval&, std::vector< double >& ) >;

  //! Sets the interval grid; forgets everything if it changes.
  void
  configure( long interval_steps, long shift )
  {
    if ( interval_steps != interval_steps_ or shift != shift_ )
    {
      intervals_.clear();
      interval_steps_ = interval_steps;
      shift_ = shift;
    }
  }

  void
  clear()
  {
    intervals_.clear();
  }

  long
  interval_of( long key ) const
  {
    return floor_div( key - shift_, interval_steps_ );
  }

  //! Position of key within its interval, 0 .. interval_steps - 1.
  long
  step_in_interval( long key ) const
  {
    return floor_mod( key - shift_, interval_steps_ );
  }

  long
  interval_steps() const
  {
    return interval_steps_;
  }

  /**
   * Records the values of step `key`; keys come one after the other. Recording that starts within an
   * interval (a synapse connected between two simulations) fills the earlier steps with zeros.
   */
  void
  record( long key, double first, double second = 0.0 )
  {
    Interval& interval = intervals_[ interval_of( key ) ];
    const std::size_t index = step_in_interval( key );
    if ( interval.first.size() > index )
    {
      throw std::logic_error( "e-prop history: step " + std::to_string( key ) + " recorded twice" );
    }
    interval.first.resize( index, 0.0 );
    interval.second.resize( index, 0.0 );
    interval.first.push_back( first );
    interval.second.push_back( second );
  }

  //! Adds value to the second record of step key, if that step is recorded and its kernel not yet computed.
  void
  add_to_second( long key, double value )
  {
    const auto found = intervals_.find( interval_of( key ) );
    if ( found == intervals_.end() )
    {
      return;
    }
    const std::size_t index = step_in_interval( key );
    if ( index < found->second.second.size() )
    {
      found->second.second[ index ] += value;
      found->second.kernel_current = false;
    }
  }

  //! The second record of step key, or 0 where it is not recorded.
  double
  second_at( long key ) const
  {
    const auto found = intervals_.find( interval_of( key ) );
    if ( found == intervals_.end() )
    {
      return 0.0;
    }
    const std::size_t index = step_in_interval( key );
    return index < found->second.second.size() ? found->second.second[ index ] : 0.0;
  }

  void
  set_scalar( long interval, double value )
  {
    intervals_[ interval ].scalar = value;
  }

  void
  acquire( long interval )
  {
    ++intervals_[ interval ].holders;
  }

  /**
   * The spike kernel of an interval whose steps are all recorded, computed by compute() unless it is
   * current. Throws std::logic_error if the interval is unknown or incomplete.
   */
  const std::vector< double >&
  kernel( long interval, const KernelFunction& compute )
  {
    const auto found = intervals_.find( interval );
    if ( found == intervals_.end() )
    {
      throw std::logic_error( "e-prop history: interval " + std::to_string( interval ) + " is not recorded" );
    }
    Interval& record = found->second;
    if ( not record.kernel_current )
    {
      if ( static_cast< long >( record.first.size() ) != interval_steps_ )
      {
        throw std::logic_error( "e-prop history: interval " + std::to_string( interval ) + " is incomplete ("
          + std::to_string( record.first.size() ) + " of " + std::to_string( interval_steps_ ) + " steps)" );
      }
      record.kernel.resize( interval_steps_ );
      compute( record, record.kernel );
      record.kernel_current = true;
      free_values_if_done( record );
    }
    return record.kernel;
  }

  //! Marks an interval final: its recorded values are freed as soon as its kernel is computed.
  void
  seal( long interval )
  {
    const auto found = intervals_.find( interval );
    if ( found != intervals_.end() )
    {
      found->second.sealed = true;
      free_values_if_done( found->second );
    }
  }

  void
  release( long interval )
  {
    const auto found = intervals_.find( interval );
    if ( found != intervals_.end() and found->second.holders > 0 )
    {
      --found->second.holders;
    }
  }

  //! Forgets the intervals before `current - 1` that no synapse holds.
  void
  forget_unused( long current )
  {
    for ( auto it = intervals_.begin(); it != intervals_.end() and it->first < current - 1; )
    {
      it = it->second.holders == 0 ? intervals_.erase( it ) : std::next( it );
    }
  }

  std::size_t
  stored_steps() const
  {
    std::size_t steps = 0;
    for ( const auto& [ index, interval ] : intervals_ )
    {
      steps += interval.first.size() + interval.kernel.size();
    }
    return steps;
  }

private:
  static void
  free_values_if_done( Interval& record )
  {
    if ( record.sealed and record.kernel_current )
    {
      std::vector< double >().swap( record.first );
      std::vector< double >().swap( record.second );
    }
  }

  long interval_steps_ = 1;
  long shift_ = 0;
  std::map< long, Interval > intervals_;
};

}  // namespace chiplearn::core

#endif
