/*
 *  interval_history.h -- chiplearn numerical core: what a neuron keeps of its past for e-prop's updates,
 *  interval by interval.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Time is cut into update intervals of `interval_steps` steps, the k-th covering the steps (keys)
 *  [k * interval_steps + shift, (k + 1) * interval_steps + shift). Per step the neuron records up to two
 *  values (a recurrent neuron: pseudo-derivative and learning signal; a readout: error signal). A synapse
 *  that sees presynaptic spikes in an interval acquires it and notes each spike's step; when it updates its
 *  weight (at its first spike in a later interval) it takes its gradient, the sum of the interval's spike
 *  kernel at its spike steps, which releases the interval. Second values may still arrive after the
 *  interval's end (learning signals travel back from the readouts); a kernel asked for before that is
 *  computed from what has arrived, and computed again when more arrives. Once the neuron seals the
 *  interval (nothing more can arrive) and its kernel is computed, the recorded values are freed.
 *
 *  A synapse whose presynaptic neuron falls silent holds its last interval until the neuron spikes again,
 *  possibly for ever. So that such intervals do not pile up (one per silent presynaptic neuron, each a
 *  kernel of interval_steps doubles), an interval older than the previous one keeps only the kernel values
 *  at the steps of the spikes still owed a gradient. An interval is forgotten when no synapse holds it
 *  any more and it is older than the previous one.
 */

#ifndef CHIPLEARN_CORE_INTERVAL_HISTORY_H
#define CHIPLEARN_CORE_INTERVAL_HISTORY_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "eprop.h"
#include "grid.h"

namespace chiplearn::core
{

class IntervalHistory
{
public:
  //! The kernel at one step of an old interval, and how many holders' spikes at that step are owed it.
  struct OwedKernelValue
  {
    std::uint32_t step;
    std::uint32_t spikes;
    double value;
  };

  struct Interval
  {
    std::vector< double > first;   //!< first recorded value per step
    std::vector< double > second;  //!< second recorded value per step (accumulated with add_to_second)
    double scalar = 0.0;           //!< one value per interval (the firing-rate regularization)
    long holders = 0;              //!< synapses that still need the interval
    std::vector< std::uint32_t > owed_spikes;  //!< per step: holders' spikes whose gradient is not yet taken
    std::vector< double > kernel;              //!< spike kernel, once computed
    std::vector< OwedKernelValue > owed;       //!< compact form of kernel and owed_spikes (ordered by step)
    bool kernel_current = false;               //!< the kernel reflects every value recorded so far
    bool sealed = false;                       //!< no value of the interval will change any more
    bool compact = false;                      //!< only `owed` is kept
  };

  using KernelFunction = std::function< void( const Interval&, std::vector< double >& ) >;

  //! Sets the interval grid; forgets everything if it changes.
  void
  configure( long interval_steps, long shift )
  {
    if ( interval_steps != interval_steps_ or shift != shift_ )
    {
      clear();
      interval_steps_ = interval_steps;
      shift_ = shift;
    }
  }

  void
  clear()
  {
    intervals_.clear();
    recording_ = nullptr;
    previous_ = nullptr;
    noted_ = nullptr;
    pending_spikes_ = 0;
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

  //! First key of an interval.
  long
  first_key( long interval ) const
  {
    return interval * interval_steps_ + shift_;
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
    if ( recording_ == nullptr or key < recording_begin_ or key >= recording_begin_ + interval_steps_ )
    {
      start_recording( key );
    }
    const std::size_t index = key - recording_begin_;
    Interval& interval = *recording_;
    if ( interval.first.size() != index )
    {
      if ( interval.first.size() > index )
      {
        throw std::logic_error( "e-prop history: step " + std::to_string( key ) + " recorded twice" );
      }
      interval.first.resize( index, 0.0 );
      interval.second.resize( index, 0.0 );
    }
    interval.first.push_back( first );
    interval.second.push_back( second );
  }

  //! Adds value to the second record of step key, if that step is recorded.
  void
  add_to_second( long key, double value )
  {
    Interval* interval = nullptr;
    long begin = 0;
    if ( recording_ != nullptr and key >= recording_begin_ )
    {
      interval = recording_;
      begin = recording_begin_;
    }
    else if ( previous_ != nullptr and key >= recording_begin_ - interval_steps_ )
    {
      interval = previous_;
      begin = recording_begin_ - interval_steps_;
    }
    else
    {
      const auto found = intervals_.find( interval_of( key ) );
      if ( found == intervals_.end() )
      {
        return;
      }
      interval = &found->second;
      begin = first_key( found->first );
    }
    const std::size_t index = key - begin;
    if ( index < interval->second.size() )
    {
      interval->second[ index ] += value;
      interval->kernel_current = false;
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
    noted_ = &intervals_[ interval ];  // the holder's spikes are noted next
    noted_interval_ = interval;
    ++noted_->holders;
  }

  /**
   * Notes a spike of a holder of `interval` at `step` (0 .. interval_steps - 1) whose gradient it will take.
   * Spikes that arrive for the same step are counted here and added to the interval's counts once: a
   * neuron receives them one after the other, and its counts would miss the cache at every spike.
   */
  void
  note_spike( long interval, long step )
  {
    if ( pending_spikes_ > 0 and step == pending_step_ and interval == pending_interval_ )
    {
      ++pending_spikes_;
      return;
    }
    add_pending_spikes();
    if ( held( interval ).compact )
    {
      throw std::logic_error( "e-prop history: spike noted in the old interval " + std::to_string( interval ) );
    }
    if ( step < 0 or step >= interval_steps_ )
    {
      throw_not_noted( interval, step );
    }
    pending_interval_ = interval;
    pending_step_ = step;
    pending_spikes_ = 1;
  }

  /**
   * A holder's gradient: the sum of the interval's spike kernel at its spike steps (as noted, in that
   * order), which releases the interval. The kernel of an interval not yet sealed is computed from what has
   * arrived. Throws std::logic_error if the interval is unknown or incomplete, or a step was not noted.
   */
  template < typename StepRange >
  double
  take_gradient( long interval, const StepRange& spike_steps, const KernelFunction& compute )
  {
    add_pending_spikes();
    Interval& record = held( interval );
    double gradient = 0.0;
    if ( record.compact )
    {
      for ( const auto step : spike_steps )
      {
        const auto owed = std::lower_bound( record.owed.begin(),
          record.owed.end(),
          step,
          []( const OwedKernelValue& entry, long s ) { return entry.step < s; } );
        if ( owed == record.owed.end() or owed->step != step or owed->spikes == 0 )
        {
          throw_not_noted( interval, step );
        }
        gradient += owed->value;
        --owed->spikes;
      }
    }
    else
    {
      const std::vector< double >& kernel = current_kernel( interval, record, compute );
      for ( const auto step : spike_steps )
      {
        if ( static_cast< std::size_t >( step ) >= record.owed_spikes.size() or record.owed_spikes[ step ] == 0 )
        {
          throw_not_noted( interval, step );
        }
        gradient += kernel[ step ];
        --record.owed_spikes[ step ];
      }
    }
    --record.holders;
    free_values_if_done( record );
    return gradient;
  }

  /**
   * Marks an interval final. Its kernel is computed now if a synapse holds the interval, and the recorded
   * values are freed, so that an interval held by a synapse whose presynaptic neuron stays silent costs one
   * kernel (interval_steps doubles).
   */
  void
  seal( long interval, const KernelFunction& compute )
  {
    const auto found = intervals_.find( interval );
    if ( found == intervals_.end() )
    {
      return;
    }
    Interval& record = found->second;
    record.sealed = true;
    if ( record.holders > 0 )
    {
      current_kernel( interval, record, compute );
    }
    free_values_if_done( record );
  }

  /**
   * Forgets the intervals before `current - 1` that no synapse holds, and reduces those still held to the
   * kernel values owed (see the file's comment).
   */
  void
  forget_unused( long current )
  {
    add_pending_spikes();
    noted_ = nullptr;
    for ( auto it = intervals_.begin(); it != intervals_.end() and it->first < current - 1; )
    {
      Interval& interval = it->second;
      if ( interval.holders == 0 )
      {
        if ( &interval == recording_ or &interval == previous_ )
        {
          recording_ = previous_ = nullptr;
        }
        spare_values_.give( interval.first );
        spare_values_.give( interval.second );
        spare_values_.give( interval.kernel );
        spare_counts_.give( interval.owed_spikes );
        it = intervals_.erase( it );
        continue;
      }
      if ( not interval.compact and interval.sealed and interval.kernel_current )
      {
        compact( interval );
      }
      ++it;
    }
  }

  //! Number of intervals held.
  std::size_t
  size() const
  {
    return intervals_.size();
  }

  //! Number of values (recorded, kernel and owed) kept for all intervals: the history's memory.
  std::size_t
  stored_values() const
  {
    std::size_t values = 0;
    for ( const auto& [ index, interval ] : intervals_ )
    {
      values += interval.first.size() + interval.second.size() + interval.kernel.size() + interval.owed_spikes.size()
        + interval.owed.size();
    }
    return values;
  }

private:
  //! Vectors of freed intervals, kept (up to a few) for later intervals so that training does not allocate.
  template < typename T >
  class SpareVectors
  {
  public:
    //! An empty vector with room for `capacity` values.
    std::vector< T >
    take( std::size_t capacity )
    {
      std::vector< T > vector;
      if ( not spares_.empty() )
      {
        vector.swap( spares_.back() );
        spares_.pop_back();
        vector.clear();
      }
      vector.reserve( capacity );
      return vector;
    }

    //! Empties vector, keeping its memory if there is room among the spares.
    void
    give( std::vector< T >& vector )
    {
      if ( vector.capacity() > 0 and spares_.size() < max_spares )
      {
        spares_.push_back( std::move( vector ) );
      }
      vector = std::vector< T >();
    }

  private:
    static constexpr std::size_t max_spares = 8;
    std::vector< std::vector< T > > spares_;
  };

  //! An interval that synapses have acquired; the one found last is remembered.
  Interval&
  held( long interval )
  {
    if ( noted_ == nullptr or noted_interval_ != interval )
    {
      const auto found = intervals_.find( interval );
      if ( found == intervals_.end() )
      {
        throw std::logic_error( "e-prop history: interval " + std::to_string( interval ) + " is not recorded" );
      }
      noted_ = &found->second;
      noted_interval_ = interval;
    }
    return *noted_;
  }

  //! Adds the spikes counted by note_spike() to their interval's counts.
  void
  add_pending_spikes()
  {
    if ( pending_spikes_ == 0 )
    {
      return;
    }
    Interval& record = held( pending_interval_ );
    if ( record.owed_spikes.empty() )
    {
      record.owed_spikes = spare_counts_.take( interval_steps_ );
      record.owed_spikes.resize( interval_steps_, 0 );
    }
    record.owed_spikes[ pending_step_ ] += pending_spikes_;
    pending_spikes_ = 0;
  }

  //! The interval's kernel, computed by compute() unless it is current.
  const std::vector< double >&
  current_kernel( long interval, Interval& record, const KernelFunction& compute )
  {
    if ( not record.kernel_current )
    {
      if ( static_cast< long >( record.first.size() ) != interval_steps_ )
      {
        throw std::logic_error( "e-prop history: interval " + std::to_string( interval ) + " is incomplete ("
          + std::to_string( record.first.size() ) + " of " + std::to_string( interval_steps_ ) + " steps)" );
      }
      if ( record.kernel.empty() )
      {
        record.kernel = spare_values_.take( interval_steps_ );
      }
      record.kernel.resize( interval_steps_ );
      compute( record, record.kernel );
      record.kernel_current = true;
      free_values_if_done( record );
    }
    return record.kernel;
  }

  //! Keeps of a sealed interval only the kernel values that holders' spikes are still owed.
  void
  compact( Interval& interval )
  {
    for ( std::size_t step = 0; step < interval.owed_spikes.size(); ++step )
    {
      if ( interval.owed_spikes[ step ] > 0 )
      {
        interval.owed.push_back(
          { static_cast< std::uint32_t >( step ), interval.owed_spikes[ step ], interval.kernel[ step ] } );
      }
    }
    interval.owed.shrink_to_fit();
    spare_values_.give( interval.kernel );
    spare_counts_.give( interval.owed_spikes );
    interval.compact = true;
  }

  [[noreturn]] void
  throw_not_noted( long interval, long step ) const
  {
    throw std::logic_error( "e-prop history: no spike can be or was noted at step " + std::to_string( step )
      + " of interval " + std::to_string( interval ) + " (steps 0 to " + std::to_string( interval_steps_ - 1 ) + ")" );
  }

  void
  start_recording( long key )
  {
    const long interval = interval_of( key );
    const auto previous = intervals_.find( interval - 1 );
    previous_ = previous == intervals_.end() ? nullptr : &previous->second;
    recording_ = &intervals_[ interval ];
    recording_begin_ = first_key( interval );
    if ( recording_->first.capacity() == 0 )
    {
      recording_->first = spare_values_.take( interval_steps_ );
      recording_->second = spare_values_.take( interval_steps_ );
    }
  }

  //! Frees the recorded values of a sealed interval once they are no longer needed for its kernel.
  void
  free_values_if_done( Interval& record )
  {
    if ( record.sealed and ( record.kernel_current or record.holders == 0 ) )
    {
      spare_values_.give( record.first );
      spare_values_.give( record.second );
    }
  }


  long interval_steps_ = 1;
  long shift_ = 0;
  std::map< long, Interval > intervals_;
  Interval* recording_ = nullptr;  //!< interval of the last recorded step (map nodes do not move)
  Interval* previous_ = nullptr;   //!< the interval before it, if recorded
  long recording_begin_ = 0;       //!< first key of *recording_
  Interval* noted_ = nullptr;      //!< the interval held() found last
  long noted_interval_ = 0;
  long pending_interval_ = 0;         //!< interval and step of the spikes note_spike() is counting
  long pending_step_ = 0;
  std::uint32_t pending_spikes_ = 0;
  SpareVectors< double > spare_values_;
  SpareVectors< std::uint32_t > spare_counts_;
};

//! Spike kernel of a recurrent neuron's interval (first: pseudo-derivative, second: learning signal).
inline void
recurrent_interval_kernel( const IntervalHistory::Interval& record,
  const EligibilityParameters& parameters,
  std::vector< double >& kernel )
{
  recurrent_spike_kernel(
    record.first.data(), record.second.data(), record.first.size(), record.scalar, parameters, kernel.data() );
}

//! Spike kernel of a readout's interval (first: error signal).
inline void
readout_interval_kernel( const IntervalHistory::Interval& record,
  double P_v,
  double P_z,
  std::vector< double >& kernel )
{
  readout_spike_kernel( record.first.data(), record.first.size(), P_v, P_z, kernel.data() );
}

}  // namespace chiplearn::core

#endif
