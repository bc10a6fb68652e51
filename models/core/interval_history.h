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
      if ( record.kernel.empty() )
      {
        record.kernel = take_buffer();
      }
      record.kernel.resize( interval_steps_ );
      compute( record, record.kernel );
      record.kernel_current = true;
      free_values_if_done( record );
    }
    return record.kernel;
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
    found->second.sealed = true;
    if ( found->second.holders > 0 )
    {
      kernel( interval, compute );
    }
    free_values_if_done( found->second );
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
      if ( it->second.holders == 0 )
      {
        Interval& interval = it->second;
        if ( &interval == recording_ or &interval == previous_ )
        {
          recording_ = previous_ = nullptr;
        }
        recycle( interval.first );
        recycle( interval.second );
        recycle( interval.kernel );
        it = intervals_.erase( it );
      }
      else
      {
        ++it;
      }
    }
  }

  //! Number of intervals held.
  std::size_t
  size() const
  {
    return intervals_.size();
  }

private:
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
      recording_->first = take_buffer();
      recording_->second = take_buffer();
    }
  }

  //! An empty vector with room for an interval, reused from freed intervals where possible.
  std::vector< double >
  take_buffer()
  {
    std::vector< double > buffer;
    if ( not spare_.empty() )
    {
      buffer.swap( spare_.back() );
      spare_.pop_back();
      buffer.clear();
    }
    buffer.reserve( interval_steps_ );
    return buffer;
  }

  //! Empties values, keeping its memory for a later interval (up to a few buffers).
  void
  recycle( std::vector< double >& values )
  {
    if ( values.capacity() > 0 and spare_.size() < max_spare_buffers )
    {
      spare_.push_back( std::move( values ) );
    }
    values = std::vector< double >();
  }

  //! Frees the recorded values of a sealed interval once they are no longer needed for its kernel.
  void
  free_values_if_done( Interval& record )
  {
    if ( record.sealed and ( record.kernel_current or record.holders == 0 ) )
    {
      recycle( record.first );
      recycle( record.second );
    }
  }

  static constexpr std::size_t max_spare_buffers = 8;

  long interval_steps_ = 1;
  long shift_ = 0;
  std::map< long, Interval > intervals_;
  Interval* recording_ = nullptr;  //!< interval of the last recorded step (map nodes do not move)
  Interval* previous_ = nullptr;   //!< the interval before it, if recorded
  long recording_begin_ = 0;       //!< first key of *recording_
  std::vector< std::vector< double > > spare_;
};

}  // namespace chiplearn::core

#endif
