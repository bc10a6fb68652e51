/*
 *  interval_history.h -- chiplearn numerical core: what a neuron keeps of its past, interval by interval,
 *  so that its incoming synapses can take their gradients when they next transmit a spike.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Time is cut into update intervals (IntervalGrid). Per step the neuron records a Record::Step, named values
 *  such as its pseudo-derivative (see the records in eprop.h); values may still change after their step
 *  (learning signals travel back from the readouts) until the neuron seals the interval. A synapse that sees
 *  presynaptic spikes in an interval acquires it and notes each spike's step; when it updates its weight (at
 *  its first spike in a later interval) it takes its gradient, which releases the interval.
 *
 *  How a gradient is computed from the records is a strategy beside the storage (the Gradient parameter):
 *  BackwardKernel computes once per interval a kernel over its steps and sums it at each holder's spike
 *  steps. The storage tells the strategy when values change, when the interval is sealed and when it has
 *  grown old, and frees the records once the strategy no longer needs them.
 *
 *  An interval is forgotten when no synapse holds it any more and it is older than the previous one.
 */

#ifndef CHIPLEARN_CORE_INTERVAL_HISTORY_H
#define CHIPLEARN_CORE_INTERVAL_HISTORY_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "time_grid.h"

namespace chiplearn::core
{

/** Vectors of freed intervals, kept (up to a few) for later intervals so that training does not allocate. */
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

/** Where an interval is in its life. */
enum class IntervalStage
{
  open,    //!< steps are recorded, or values may still arrive
  sealed,  //!< no value will change any more
};

/**
 * Record: a struct with one std::vector< double > per recorded quantity, listed in its static `per_step`
 * array of member pointers, a nested `Step` with one value of each, and append( const Step& ).
 * Gradient: a strategy with a nested `IntervalData`, see BackwardKernel in eprop.h.
 */
template < typename Record, typename Gradient >
class IntervalHistory
{
public:
  struct Interval
  {
    Record record;
    typename Gradient::IntervalData gradient;
    long holders = 0;  //!< synapses that still need the interval
    IntervalStage stage = IntervalStage::open;
  };

  //! Sets the interval grid; forgets everything if it changes.
  void
  configure( const IntervalGrid& grid )
  {
    if ( not( grid == grid_ ) )
    {
      clear();
      grid_ = grid;
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

  const IntervalGrid&
  grid() const
  {
    return grid_;
  }

  //! The strategy, e.g. to set the parameters of its kernel.
  Gradient&
  gradient()
  {
    return gradient_;
  }

  /**
   * Records the values of step `key`; keys come one after the other. Recording that starts within an
   * interval (a synapse connected between two simulations) fills the earlier steps with zeros.
   */
  void
  record( long key, const typename Record::Step& values )
  {
    if ( recording_ == nullptr or key < recording_begin_ or key >= recording_begin_ + grid_.steps )
    {
      start_recording( key );
    }
    const std::size_t index = key - recording_begin_;
    Record& record = recording_->record;
    const std::size_t recorded = steps_recorded( record );
    if ( recorded != index )
    {
      if ( recorded > index )
      {
        throw std::logic_error( "e-prop history: step " + std::to_string( key ) + " recorded twice" );
      }
      for ( auto values_of : Record::per_step )
      {
        ( record.*values_of ).resize( index, 0.0 );
      }
    }
    record.append( values );
  }

  /**
   * Changes a recorded value: change(record, index) for the step key, if that step is recorded. The interval
   * must still be open.
   */
  template < typename Change >
  void
  change( long key, const Change& change )
  {
    Interval* interval = nullptr;
    long begin = 0;
    if ( recording_ != nullptr and key >= recording_begin_ )
    {
      interval = recording_;
      begin = recording_begin_;
    }
    else if ( previous_ != nullptr and key >= recording_begin_ - grid_.steps )
    {
      interval = previous_;
      begin = recording_begin_ - grid_.steps;
    }
    else
    {
      const auto found = intervals_.find( grid_.interval_of( key ) );
      if ( found == intervals_.end() )
      {
        return;
      }
      interval = &found->second;
      begin = grid_.first_step( found->first );
    }
    const std::size_t index = key - begin;
    if ( index < steps_recorded( interval->record ) )
    {
      change( interval->record, index );
      gradient_.values_changed( interval->gradient );
    }
  }

  //! The recorded value (values_of: e.g. &RecurrentRecord::learning_signal) of step key, or 0 if not recorded.
  double
  value_at( long key, std::vector< double > Record::*values_of ) const
  {
    const auto found = intervals_.find( grid_.interval_of( key ) );
    if ( found == intervals_.end() )
    {
      return 0.0;
    }
    const std::vector< double >& values = found->second.record.*values_of;
    const std::size_t index = grid_.step_in_interval( key );
    return index < values.size() ? values[ index ] : 0.0;
  }

  //! The record of an interval, for values kept once per interval.
  Record&
  record_of( long interval )
  {
    return intervals_[ interval ].record;
  }

  void
  acquire( long interval )
  {
    noted_ = &intervals_[ interval ];  // the holder's spikes are noted next
    noted_interval_ = interval;
    ++noted_->holders;
  }

  /**
   * Notes a spike of a holder of `interval` at `step` (0 .. steps - 1) whose gradient it will take. Spikes
   * that arrive for the same step are counted here and handed to the strategy once: a neuron receives them
   * one after the other, and the strategy's counts would miss the cache at every spike.
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
    if ( step < 0 or step >= grid_.steps )
    {
      throw_not_noted( interval, step );
    }
    gradient_.check_can_note( held( interval ).gradient, interval );
    pending_interval_ = interval;
    pending_step_ = step;
    pending_spikes_ = 1;
  }

  /**
   * A holder's gradient from its spike steps (as noted, in that order), which releases the interval. Throws
   * std::logic_error if the interval is unknown or incomplete, or a step was not noted.
   */
  template < typename StepRange >
  double
  take_gradient( long interval, const StepRange& spike_steps )
  {
    add_pending_spikes();
    Interval& held_interval = held( interval );
    require_complete( interval, held_interval );
    const double gradient = gradient_.take( held_interval.gradient, held_interval.record, spike_steps, grid_.steps,
      [ this, interval ]( long step ) { throw_not_noted( interval, step ); } );
    --held_interval.holders;
    free_records_if_done( held_interval );
    return gradient;
  }

  /**
   * Marks an interval final. If a synapse holds it, the strategy prepares its gradients now, so that the
   * records can be freed: an interval held by a synapse whose presynaptic neuron stays silent costs only what
   * the strategy keeps.
   */
  void
  seal( long interval )
  {
    const auto found = intervals_.find( interval );
    if ( found == intervals_.end() )
    {
      return;
    }
    Interval& sealed = found->second;
    sealed.stage = IntervalStage::sealed;
    if ( sealed.holders > 0 )
    {
      require_complete( interval, sealed );
      gradient_.prepare( sealed.gradient, sealed.record, grid_.steps );
    }
    free_records_if_done( sealed );
  }

  /**
   * Forgets the intervals before `current - 1` that no synapse holds, and lets the strategy shrink those
   * still held.
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
        free_records( interval.record );
        gradient_.release( interval.gradient );
        it = intervals_.erase( it );
        continue;
      }
      if ( interval.stage == IntervalStage::sealed )
      {
        gradient_.shrink( interval.gradient );
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

  //! Number of values kept for all intervals (records and what the strategy keeps): the history's memory.
  std::size_t
  stored_values() const
  {
    std::size_t values = 0;
    for ( const auto& [ index, interval ] : intervals_ )
    {
      for ( auto values_of : Record::per_step )
      {
        values += ( interval.record.*values_of ).size();
      }
      values += gradient_.stored_values( interval.gradient );
    }
    return values;
  }

private:
  static std::size_t
  steps_recorded( const Record& record )
  {
    return ( record.*Record::per_step[ 0 ] ).size();
  }

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

  //! Hands the spikes counted by note_spike() to the strategy.
  void
  add_pending_spikes()
  {
    if ( pending_spikes_ == 0 )
    {
      return;
    }
    gradient_.note_spikes( held( pending_interval_ ).gradient, pending_step_, pending_spikes_, grid_.steps );
    pending_spikes_ = 0;
  }

  void
  require_complete( long interval, const Interval& record ) const
  {
    if ( gradient_.needs_records( record.gradient )
      and static_cast< long >( steps_recorded( record.record ) ) != grid_.steps )
    {
      throw std::logic_error( "e-prop history: interval " + std::to_string( interval ) + " is incomplete ("
        + std::to_string( steps_recorded( record.record ) ) + " of " + std::to_string( grid_.steps ) + " steps)" );
    }
  }

  [[noreturn]] void
  throw_not_noted( long interval, long step ) const
  {
    throw std::logic_error( "e-prop history: no spike can be or was noted at step " + std::to_string( step )
      + " of interval " + std::to_string( interval ) + " (steps 0 to " + std::to_string( grid_.steps - 1 ) + ")" );
  }

  void
  start_recording( long key )
  {
    const long interval = grid_.interval_of( key );
    const auto previous = intervals_.find( interval - 1 );
    previous_ = previous == intervals_.end() ? nullptr : &previous->second;
    recording_ = &intervals_[ interval ];
    recording_begin_ = grid_.first_step( interval );
    Record& record = recording_->record;
    if ( ( record.*Record::per_step[ 0 ] ).capacity() == 0 )
    {
      for ( auto values_of : Record::per_step )
      {
        record.*values_of = spare_records_.take( std::min( grid_.steps, max_reserved_steps ) );
      }
    }
  }

  //! Frees the records of a sealed interval once the strategy no longer needs them.
  void
  free_records_if_done( Interval& interval )
  {
    if ( interval.stage == IntervalStage::sealed
      and ( interval.holders == 0 or not gradient_.needs_records( interval.gradient ) ) )
    {
      free_records( interval.record );
    }
  }

  void
  free_records( Record& record )
  {
    for ( auto values_of : Record::per_step )
    {
      spare_records_.give( record.*values_of );
    }
  }

  //! Records grow as steps come; long intervals do not reserve all their memory at once.
  static constexpr long max_reserved_steps = 65536;

  IntervalGrid grid_;
  Gradient gradient_;
  std::map< long, Interval > intervals_;
  Interval* recording_ = nullptr;  //!< interval of the last recorded step (map nodes do not move)
  Interval* previous_ = nullptr;   //!< the interval before it, if recorded
  long recording_begin_ = 0;       //!< first key of *recording_
  Interval* noted_ = nullptr;      //!< the interval held() found last
  long noted_interval_ = 0;
  long pending_interval_ = 0;  //!< interval and step of the spikes note_spike() is counting
  long pending_step_ = 0;
  std::uint32_t pending_spikes_ = 0;
  SpareVectors< double > spare_records_;
};

}  // namespace chiplearn::core

#endif
