/*
 *  eprop_synapse_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_SYNAPSE_CHIPLEARN_H
#define EPROP_SYNAPSE_CHIPLEARN_H

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <limits>
#include <string>
#include <vector>

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "leaky_node.h"

// nestkernel
#include "common_synapse_properties.h"
#include "connection.h"
#include "connector_model.h"
#include "event.h"
#include "kernel_manager.h"
#include "target_identifier.h"

// chiplearn
#include "core/optimizer.h"
#include "core/weight_grid.h"
#include "eprop_target.h"
#include "parameter_checks.h"
#include "synapse_common.h"

namespace chiplearn
{

/* BeginUserDocs: synapse, e-prop plasticity

Short description
+++++++++++++++++

Synapse type for e-prop plasticity with gradients from presynaptic spike times

Description
+++++++++++

``eprop_synapse_chiplearn`` connects to the neurons of chiplearn's e-prop family
(``eprop_iaf_chiplearn``, ``eprop_iaf_adapt_chiplearn``, ``eprop_readout_chiplearn``) and learns with
eligibility propagation (e-prop) [1]_, updating its weight once per update interval (trial) or batch of
intervals, as the original e-prop.

Time is cut into update intervals of the kernel's ``eprop_update_interval``; ``eprop_learning_window``
(the end of each interval in which the readouts compute errors) and ``eprop_reset_neurons_on_update``
apply as for NEST's ``eprop_*_bsshslm_2020`` models, whose results these models reproduce. The gradient
of an interval is

.. math::

   g_{ji} = \sum_t L_j^t \, \bar{e}_{ji}^t + c_j^\text{reg} \sum_t e_{ji}^t

with the learning signal :math:`L_j` (the readouts' errors times the feedback weights), the eligibility
trace :math:`e_{ji} = \psi_j \bar{z}_i` (LIF) or :math:`\psi_j (\bar{z}_i - \beta \epsilon_{ji})` (ALIF)
filtered by the readouts' decay, and the firing-rate regularization of the postsynaptic neuron; for a
synapse onto a readout, :math:`g = \sum_t E^t \bar{z}_i^t` with the readout's error :math:`E`. With
``average_gradient`` the gradient is divided by the learning window's length.

Unlike NEST's e-prop synapses, which walk the postsynaptic history step by step for every synapse, the
postsynaptic neuron computes once per interval a kernel (the adjoint of the eligibility trace recursion)
and each synapse sums it at its presynaptic spike steps: the work per synapse grows with its spikes, not
with the interval's length. The results are the same. A synapse whose presynaptic neuron falls silent is
owed its last interval's gradient until that neuron spikes again; from the interval after next on, the
postsynaptic neuron keeps for it only the kernel's values at its spike steps, so that the memory does not
grow with the number of silent inputs.

At its first presynaptic spike in a later interval the synapse adds the interval's gradient to its batch
and, when a batch of ``batch_size`` intervals is complete, takes an optimizer step (gradient descent, or
Adam [2]_ in the TensorFlow form, catching up on batches without spikes), then puts the weight on the
weight grid: clipped to [``Wmin``, ``Wmax``] and, with ``weight_step`` > 0, onto the levels
``Wmin`` + k ``weight_step`` up to ``Wmax`` (the highest level lies below ``Wmax`` when the range is no whole
number of steps; a chip's n-bit weight memory: ``chiplearn.chip.weight_grid``), to the nearest
level or, with ``rounding`` "stochastic", up with probability equal to the distance from the level below in
steps, so that the expected weight is the unrounded one. The random number of that rounding comes from the
counter-based generator (Philox4x32-10) keyed by the kernel's ``rng_seed``, the synapse (its source and
target node ids) and the batch: the same for any number of threads and MPI ranks. Spikes arriving in the first step of an interval at a recurrent neuron are not
transmitted, and no spike in that step counts for a gradient (the neuron's state is reset then), as in
the original e-prop code.

A new ``eta`` applies to the batches that start after it is set, so that the batch being trained keeps
its learning rate even though synapses apply it lazily. ``eta`` = 0 freezes weights and optimizer state:
set it for validation and test trials and restore it afterwards.

The delay must be one step.

Parameters
++++++++++

Common properties (``nest.SetDefaults``, or ``nest.CopyModel``):

==================== ======= ============================ ===============================================
**Parameter**        **Unit** **Default, range**          **Description**
==================== ======= ============================ ===============================================
``average_gradient`` boolean False                        Divide the gradient by the learning window
``optimizer``        dict                                 ``type`` ("gradient_descent" or "adam"),
                                                          ``eta`` (1e-4, >= 0; see below),
                                                          ``batch_size`` (1, >= 1),
                                                          ``Wmin`` (-100), ``Wmax`` (100, >= Wmin),
                                                          ``weight_step`` (0: continuous, >= 0),
                                                          ``rounding`` ("nearest" or "stochastic"),
                                                          ``beta_1`` (0.9, [0, 1)), ``beta_2`` (0.999,
                                                          [0, 1)), ``epsilon`` (1e-7, >= 0)
==================== ======= ============================ ===============================================

Individual properties: ``weight`` (in [Wmin, Wmax]), ``delay`` (one step), ``adam_m``, ``adam_v`` and
``adam_steps`` (the synapse's Adam moments and step count; ``adam_v`` >= 0, ``adam_steps`` >= 0), so that
a training run can be checkpointed and resumed. Setting ``apply_held_gradient`` to True makes the synapse
apply now the gradients of the batches completed so far, which it would otherwise apply at its next
presynaptic spike, with the same arithmetic: then weight and Adam state are complete, and a network loaded
with them in a new kernel continues exactly (chiplearn's checkpoints do so; not for the ``_hpc`` variant).

References
++++++++++

.. [1] Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W (2020). A solution to
       the learning dilemma for recurrent networks of spiking neurons. Nature Communications 11:3625.
       https://doi.org/10.1038/s41467-020-17236-y
.. [2] Kingma DP, Ba J (2015). Adam: A method for stochastic optimization. ICLR 2015.

See also
++++++++

eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn, eprop_readout_chiplearn

EndUserDocs */

/**
 * Name of the action of a connection's status: with True, the synapse applies now the gradients of the batches
 * completed before the present one, which it would otherwise apply at its next presynaptic spike (the same
 * arithmetic). Then its state (weight, Adam moments) is complete, for a checkpoint to continue from exactly.
 */
inline const std::string apply_held_gradient_key = "apply_held_gradient";

//! Source id of the model's default connection, which has no source (NEST's node ids start at 1).
constexpr size_t unknown_source_node_id = 0;

/** Properties shared by all e-prop synapses of a model. */
class EpropSynapseCommonProperties : public nest::CommonSynapseProperties
{
public:
  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  core::OptimizerParameters optimizer;
  core::WeightGrid weight_grid;
  bool average_gradient = false;

private:
  void set_common_status( const Dictionary& d, nest::ConnectorModel& cm );
};

/**
 * check_learning_synapse_entries for eprop_synapse_chiplearn: the weight in the grid's range; `known`: the keys
 * allowed in d besides one synapse's and apply_held_gradient.
 */
void check_synapse_entries( const Dictionary& d, const core::WeightGrid& grid, const std::vector< std::string >& known );

//! BadProperty unless the weight lies in the grid's range [Wmin, Wmax].
void check_weight( double weight, const core::WeightGrid& grid );

//! Keys of a synapse model's defaults besides one synapse's: read by NEST's connector model and the common properties.
const std::vector< std::string >& model_defaults_keys();

//! Throws IllegalConnection unless the target is a chiplearn e-prop neuron; returns its learning side.
EpropTarget& eprop_target_of( nest::Node& target, const std::string& synapse_model );

template < typename targetidentifierT >
class eprop_synapse_chiplearn : public nest::Connection< targetidentifierT >
{
public:
  typedef EpropSynapseCommonProperties CommonPropertiesType;
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
    check_weight( weight_, cp.weight_grid );
    source_node_id_ = s.get_node_id();
    if ( get_delay_steps() != 1 )
    {
      throw nest::IllegalConnection( "eprop_synapse_chiplearn: delay must be one simulation step ("
        + format_number( nest::Time::get_resolution().get_ms() ) + " ms)." );
    }
    if ( is_eprop_readout( s ) )
    {
      throw nest::IllegalConnection( "eprop_synapse_chiplearn: " + s.get_name()
        + " never spikes and cannot be the source of an e-prop synapse." );
    }
    ConnTestDummyNode dummy_target;
    ConnectionBase::check_connection_( dummy_target, s, t, receptor_type );
    eprop_target_of( t, "eprop_synapse_chiplearn" ).register_eprop_synapse();
  }

  bool send( nest::Event& e, size_t thread, const CommonPropertiesType& cp );

  void get_status( Dictionary& d ) const;

  //! Changes nothing unless every value is valid, every key known and the delay stays one step.
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  void
  set_weight( double w )
  {
    weight_ = w;
  }

  double
  get_weight() const
  {
    return weight_;
  }

private:
  void set_learning_status( const Dictionary& d, nest::ConnectorModel& cm );

  //! The action apply_held_gradient: applies now the gradients of the batches completed before the present one.
  void apply_held_gradient_now( const CommonPropertiesType& cp, bool is_default_connection );

  //! Applies the held gradient up to `interval` (apply_held_gradient), then holds `interval`.
  void update_weight( EpropTarget& target, long interval, const CommonPropertiesType& cp );

  /**
   * Adds the gradient of the interval held so far (if any) to the batch and takes the optimizer steps of the
   * batches before the one of `interval`; then holds nothing.
   */
  void apply_held_gradient( EpropTarget& target, long interval, const CommonPropertiesType& cp );

  double weight_ = 1.0;
  size_t source_node_id_ = unknown_source_node_id;  //!< keys the synapse's stochastic rounding (WeightRoundingDraw)
  long interval_ = std::numeric_limits< long >::min();  //!< interval of the spikes held in spike_steps_
  std::vector< std::uint32_t > spike_steps_;           //!< presynaptic spike steps within interval_
  core::OptimizerState optimizer_;
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties eprop_synapse_chiplearn< targetidentifierT >::properties;

template < typename targetidentifierT >
bool
eprop_synapse_chiplearn< targetidentifierT >::send( nest::Event& e, size_t thread, const CommonPropertiesType& cp )
{
  nest::Node* target_node = get_target( thread );
  EpropTarget& target = *static_cast< LeakyNode* >( target_node )->eprop_target();  // checked at connection

  const long t_spike = e.get_stamp().get_steps();
  const core::IntervalGrid& grid = target.eprop_grid();
  const long step = grid.step_in_interval( t_spike );
  if ( step == 0 )
  {
    if ( target.is_eprop_recurrent() )
    {
      return false;
    }
  }
  else if ( const long interval = grid.interval_of( t_spike ); interval >= 0 )  // no trial before interval 0
  {
    if ( interval > interval_ )
    {
      update_weight( target, interval, cp );
    }
    spike_steps_.push_back( static_cast< std::uint32_t >( step ) );
    target.note_spike( interval_, step );
  }

  e.set_receiver( *target_node );
  e.set_weight( weight_ );
  e.set_delay_steps( get_delay_steps() );
  e.set_rport( get_rport() );
  e();
  return true;
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::update_weight( EpropTarget& target,
  long interval,
  const CommonPropertiesType& cp )
{
  apply_held_gradient( target, interval, cp );
  interval_ = interval;
  target.acquire_interval( interval );
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::apply_held_gradient( EpropTarget& target,
  long interval,
  const CommonPropertiesType& cp )
{
  double gradient = 0.0;
  if ( not spike_steps_.empty() )
  {
    gradient = target.take_gradient( interval_, spike_steps_ );
    if ( cp.average_gradient )
    {
      gradient /= nest::kernel().simulation_manager.get_eprop_learning_window().get_steps();
    }
    spike_steps_.clear();
  }
  const size_t target_node_id = dynamic_cast< nest::Node& >( target ).get_node_id();
  try
  {
    weight_ = core::optimized_weight( optimizer_,
      cp.optimizer,
      cp.weight_grid,
      interval,
      gradient,
      weight_,
      WeightRoundingDraw { source_node_id_, target_node_id } );
  }
  catch ( const std::overflow_error& error )
  {
    throw nest::NumericalInstability( "eprop_synapse_chiplearn (from node " + std::to_string( source_node_id_ )
      + " to node " + std::to_string( target_node_id ) + "): " + error.what() );
  }
  interval_ = std::numeric_limits< long >::min();
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::get_status( Dictionary& d ) const
{
  ConnectionBase::get_status( d );
  d[ nest::names::weight ] = weight_;
  get_optimizer_state( d, optimizer_ );
  d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  const bool defaults = is_model_default( *this, cm );
  const auto set = [ & ]
  {
    const long delay_steps = get_delay_steps();
    try
    {
      ConnectionBase::set_status( d, cm );
      // the model's default delay is checked when a connection is made with it
      if ( not defaults and d.known( nest::names::delay ) and get_delay_steps() != 1 )
      {
        refuse_delay_other_than_one_step( "eprop_synapse_chiplearn", d.get< double >( nest::names::delay ) );
      }
      set_learning_status( d, cm );
    }
    catch ( ... )
    {
      ConnectionBase::set_delay_steps( delay_steps );
      throw;
    }
  };
  set_connection_status( defaults, set );
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::apply_held_gradient_now( const CommonPropertiesType& cp,
  bool is_default_connection )
{
  if ( is_default_connection or std::is_same_v< targetidentifierT, nest::TargetIdentifierIndex > )
  {
    // the hpc variant finds its target only with the target's thread, which a status update does not know
    throw nest::BadProperty( "eprop_synapse_chiplearn: apply_held_gradient is an action of a connection of "
      "eprop_synapse_chiplearn (not of the model's defaults, nor of eprop_synapse_chiplearn_hpc)." );
  }
  nest::Node* target_node = get_target( 0 );
  EpropTarget& target = *static_cast< LeakyNode* >( target_node )->eprop_target();
  const long now = nest::kernel().simulation_manager.get_clock().get_steps();
  const long first_of_open_batch =
    core::floor_div( target.eprop_grid().interval_of( now ), cp.optimizer.batch_size ) * cp.optimizer.batch_size;
  if ( interval_ < first_of_open_batch )
  {
    apply_held_gradient( target, first_of_open_batch, cp );
  }
}

template < typename targetidentifierT >
void
eprop_synapse_chiplearn< targetidentifierT >::set_learning_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  const auto& model = dynamic_cast< const nest::GenericConnectorModel< eprop_synapse_chiplearn >& >( cm );
  // the model's defaults also take what NEST's connector model and the common properties read
  check_synapse_entries( d,
    model.get_common_properties().weight_grid,
    is_model_default( *this, cm ) ? model_defaults_keys() : std::vector< std::string > {} );
  bool apply_gradient = false;
  if ( d.update_value( apply_held_gradient_key, apply_gradient ) and apply_gradient )
  {
    apply_held_gradient_now( model.get_common_properties(), is_model_default( *this, cm ) );
  }
  double weight = weight_;
  d.update_value( nest::names::weight, weight );
  core::OptimizerState state = optimizer_;
  update_optimizer_state( d, state );
  weight_ = weight;
  optimizer_ = state;
}

}  // namespace chiplearn

#endif
