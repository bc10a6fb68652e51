/*
 *  eventprop_synapse_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTPROP_SYNAPSE_CHIPLEARN_H
#define EVENTPROP_SYNAPSE_CHIPLEARN_H

#include <span>
#include <string>
#include <vector>

// nestkernel
#include "connection.h"
#include "kernel_manager.h"

// chiplearn
#include "core/optimizer.h"
#include "core/weight_grid.h"
#include "eventprop_target.h"
#include "leaky_node.h"
#include "synapse_common.h"

namespace chiplearn
{

/* BeginUserDocs: synapse, EventProp plasticity

Short description
+++++++++++++++++

Synapse onto an EventProp output, trained from the output's adjoint at its input spikes' arrival times

Description
+++++++++++

``eventprop_synapse_chiplearn`` connects any spiking node to an ``eventprop_readout_chiplearn`` or an
``eventprop_iaf_chiplearn`` (a hidden neuron). It keeps the arrival times (precise spike time + delay, relative
to the trial start) of its input spikes in each trial
(memory proportional to its spikes) and, once the output knows the trial's loss (its first spike time or
maximum and the other outputs' logits), takes the gradient

.. math::

   \frac{dL}{dw} = -\frac{\tau_\text{syn}\tau_\text{m}}{C_\text{m}} \sum_i \lambda_I(t_i)

of EventProp [1]_ from the output's adjoint. It does so at its next input spike after the loss is known,
and sums the gradients of ``batch_size`` trials into one step of the optimizer shared with
``eprop_synapse_chiplearn`` (gradient descent or Adam, mean gradient over the batch). The step of a batch
is taken before the synapse's first spike of a later batch passes, so the spikes of a batch meet one weight,
except a spike that arrives before the target knows the adjoint of the previous batch's last trial (in a
trial's first steps: one slice of min_delay after the trial for an output, ceil(7 / min_delay) + 1 slices
for a hidden neuron), which meets the weight before that step. The gradients of the last trials of a run are
applied at the next spikes of a later run.

Parameters
++++++++++

==================== ======= ============================ ===============================================
**Common property**  **Unit** **Default, range**          **Description**
==================== ======= ============================ ===============================================
``optimizer``        dict                                 as for ``eprop_synapse_chiplearn``: ``type``
                                                          ("gradient_descent" or "adam"), ``eta``,
                                                          ``batch_size``, ``Wmin``, ``Wmax``,
                                                          ``weight_step``, ``rounding`` (the weight grid;
                                                          stochastic rounding keyed by the forward
                                                          synapse and the batch), ``beta_1``,
                                                          ``beta_2``, ``epsilon``
==================== ======= ============================ ===============================================

Individual properties: ``weight`` (pA, in [Wmin, Wmax]), ``delay``, ``adam_m``, ``adam_v``,
``adam_steps``; read-only ``held_trials``.

References
++++++++++

.. [1] Wunderlich TC, Pehle C (2021). Event-based backpropagation can compute exact gradients for spiking
       neural networks. Scientific Reports 11:12829. https://doi.org/10.1038/s41598-021-91786-z

See also
++++++++

eventprop_readout_chiplearn, eprop_synapse_chiplearn

EndUserDocs */

/** Properties shared by all EventProp synapses of a model: the optimizer and the weight range. */
class EventpropSynapseCommonProperties : public nest::CommonSynapseProperties
{
public:
  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  core::OptimizerParameters optimizer;
  core::WeightGrid weight_grid;
};

//! Checks weight, delay and Adam state in d (BadProperty naming the first one out of range), changing nothing.
void check_eventprop_synapse_entries( const Dictionary& d, const core::WeightGrid& grid, bool model_defaults );

/**
 * A weight that learns by EventProp with the optimizer of an eventprop_synapse_chiplearn model, with its Adam
 * state. The forward synapse and the feedback connections that mirror it each hold one and change it only
 * through take(), so that from the same trials and gradients they hold the same weight to the bit.
 */
struct EventpropLearnedWeight
{
  double weight = 1.0;
  core::OptimizerState optimizer;

  /**
   * First the optimizer steps of the batches before `trial`'s (all their trials are in: gradients come in trial
   * order), then the trial's gradient joins its own batch; with a gradient of 0 only the steps.
   * NumericalInstability naming the connection (from `source` to `target`) if the weight is not finite.
   */
  void take( long trial, double gradient, const EventpropSynapseCommonProperties& cp, size_t source, size_t target );

  //! weight, adam_m, adam_v, adam_steps into a connection's status.
  void get( Dictionary& d ) const;

  //! Reads those of them that d has (checked before).
  void set( const Dictionary& d );
};

template < typename targetidentifierT >
class eventprop_synapse_chiplearn : public nest::Connection< targetidentifierT >
{
public:
  typedef EventpropSynapseCommonProperties CommonPropertiesType;
  typedef nest::Connection< targetidentifierT > ConnectionBase;

  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY
    | nest::ConnectionModelProperties::IS_PRIMARY | nest::ConnectionModelProperties::SUPPORTS_HPC;

  using ConnectionBase::get_delay_steps;
  using ConnectionBase::get_rport;
  using ConnectionBase::get_target;

  using ConnTestDummyNode = SpikeSynapseTestDummyNode;

  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& cp )
  {
    check_weight_in( learned_.weight, cp.weight_grid );
    auto* leaky = dynamic_cast< LeakyNode* >( &t );
    if ( leaky == nullptr or leaky->eventprop_target() == nullptr )
    {
      throw nest::IllegalConnection( "eventprop_synapse_chiplearn connects only to eventprop_readout_chiplearn and "
                                     "eventprop_iaf_chiplearn, not to "
        + t.get_name() + "." );
    }
    ConnTestDummyNode dummy_target;
    ConnectionBase::check_connection_( dummy_target, s, t, receptor_type );
  }

  bool
  send( nest::Event& e, size_t thread, const CommonPropertiesType& cp )
  {
    nest::Node* target_node = get_target( thread );
    // an EventpropNeuron, checked at connection (a cross-cast by dynamic_cast here cost a tenth of the run time)
    EventpropTarget& target = *static_cast< LeakyNode* >( target_node )->eventprop_target();
    const Arrival arrival = arrival_of( target.trial_grid(), e.get_stamp().get_steps(), get_delay_steps(),
      e.get_offset(), nest::Time::get_resolution().get_ms() );
    if ( arrival.trial >= 0 )
    {
      if ( held_.empty() or held_.back().trial != arrival.trial )
      {
        held_.push_back( { arrival.trial, 0 } );
        target.acquire_trial( arrival.trial );
      }
      arrivals_.push_back( arrival.time );
      ++held_.back().arrivals;
      take_final_gradients( target, cp, e.get_sender_node_id(), target_node->get_node_id() );
      step_to_batch_of( arrival.trial, cp, e.get_sender_node_id(), target_node->get_node_id() );
    }
    e.set_receiver( *target_node );
    e.set_weight( learned_.weight );
    e.set_delay_steps( get_delay_steps() );
    e.set_rport( get_rport() );
    e();
    return true;
  }

  void
  get_status( Dictionary& d ) const
  {
    ConnectionBase::get_status( d );
    learned_.get( d );
    d[ "held_trials" ] = static_cast< long >( held_.size() );
    d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
  }

  void
  set_status( const Dictionary& d, nest::ConnectorModel& cm )
  {
    const auto& model = dynamic_cast< const nest::GenericConnectorModel< eventprop_synapse_chiplearn >& >( cm );
    const bool defaults = is_model_default( *this, cm );
    const auto set = [ & ]
    {
      check_eventprop_synapse_entries( d, model.get_common_properties().weight_grid, defaults );
      ConnectionBase::set_status( d, cm );
      learned_.set( d );
    };
    set_connection_status( defaults, set );
  }

  void
  set_weight( double w )
  {
    learned_.weight = w;
  }

  double
  get_weight() const
  {
    return learned_.weight;
  }

private:
  static void check_weight_in( double weight, const core::WeightGrid& grid );

  //! Takes, in trial order, the gradients of the held trials whose adjoint the target knows, and steps the optimizer.
  void
  take_final_gradients( EventpropTarget& target, const CommonPropertiesType& cp, size_t source, size_t target_id )
  {
    std::size_t done = 0;
    std::size_t taken = 0;  // arrivals of the trials done
    for ( ; done < held_.size() and target.trial_final( held_[ done ].trial ); ++done )
    {
      const HeldTrial& held = held_[ done ];
      const double gradient = target.take_gradient(
        held.trial, std::span< const double >( arrivals_.data() + taken, held.arrivals ), "eventprop_synapse_chiplearn" );
      taken += held.arrivals;
      learned_.take( held.trial, gradient, cp, source, target_id );
    }
    held_.erase( held_.begin(), held_.begin() + done );
    arrivals_.erase( arrivals_.begin(), arrivals_.begin() + taken );
  }

  /**
   * Takes the optimizer steps of the batches before `trial`'s before its spike is transmitted, so that the
   * spikes of a batch meet the same weight (the one the gradient is taken at, and the one the feedback
   * connections of a hidden neuron hold). A spike that arrives while a trial of an earlier batch still waits
   * for its adjoint (in the first steps of a trial: an output knows its adjoint one slice of min_delay after
   * its trial, a hidden neuron ceil(7 / min_delay) + 1 slices after it) cannot know the new weight: it meets
   * the weight before that batch's step, and its gradient is the one at the new weight.
   */
  void
  step_to_batch_of( long trial, const CommonPropertiesType& cp, size_t source, size_t target_id )
  {
    const long batch = core::floor_div( trial, cp.optimizer.batch_size );
    if ( held_.front().trial != trial and core::floor_div( held_.front().trial, cp.optimizer.batch_size ) < batch )
    {
      return;
    }
    learned_.take( trial, 0.0, cp, source, target_id );
  }

  struct HeldTrial
  {
    long trial;
    std::size_t arrivals;  //!< how many of arrivals_ are this trial's
  };

  EventpropLearnedWeight learned_;
  // The trials whose gradient is still to take, in order, and their arrival times one after the other ([ms]
  // from each trial's start, in order): two vectors that keep their capacity from trial to trial, so that a
  // synapse allocates nothing per spike once it has seen its longest backlog.
  std::vector< HeldTrial > held_;
  std::vector< double > arrivals_;
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties eventprop_synapse_chiplearn< targetidentifierT >::properties;

template < typename targetidentifierT >
void
eventprop_synapse_chiplearn< targetidentifierT >::check_weight_in( double weight, const core::WeightGrid& grid )
{
  Dictionary d;
  d[ nest::names::weight ] = weight;
  check_eventprop_synapse_entries( d, grid, false );
}

}  // namespace chiplearn

#endif
