/*
 *  eprop_recurrent_neuron.h -- the recurrent e-prop neuron of chiplearn as a template on its dynamics: one
 *  update loop, learning side and status handling for eprop_iaf_chiplearn (core::Lif) and
 *  eprop_iaf_adapt_chiplearn (core::Alif), and for any spiking dynamics type of the core.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EPROP_RECURRENT_NEURON_H
#define CHIPLEARN_EPROP_RECURRENT_NEURON_H

#include <cmath>
#include <limits>
#include <string>

// chiplearn
#include "chiplearn_node.h"
#include "core/arithmetic.h"
#include "core/eprop.h"
#include "core/membrane.h"
#include "core/surrogate.h"
#include "eprop_target.h"

// nestkernel
#include "kernel_manager.h"
#include "nest_names.h"
#include "secondary_event.h"

namespace chiplearn
{

/** Learning parameters of a recurrent e-prop neuron. */
struct RecurrentLearningParameters
{
  double c_reg = 0.0;           //!< strength of the firing-rate regularization
  double f_target = 10.0;       //!< target firing rate of the regularization [Hz]
  double tau_m_readout = 10.0;  //!< time constant of the readouts, which filters the eligibility trace [ms]
  core::Surrogate surrogate;    //!< pseudo-derivative: shape, height, width [mV]

  void get( Dictionary& d ) const;
  void set( const Dictionary& d, nest::Node* node );
};

/**
 * Parameters of a recurrent e-prop neuron with the dynamics described by Model. Model has
 *   Dynamics     a spiking dynamics type of the core (core::Lif, core::Alif),
 *   Parameters   its NEST parameters: get(Dictionary&), set(const Dictionary&, Node*) returning the change of
 *                E_L, membrane() and dynamics() (the core's parameters),
 *   get_state(const Dynamics::State&, Dictionary&) and set_state(Dynamics::State&, const Dictionary&, Node*)
 *                for state beyond V_m.
 */
template < typename Model >
struct RecurrentNeuronParameters
{
  typename Model::Parameters neuron;
  RecurrentLearningParameters learning;

  void
  get( Dictionary& d ) const
  {
    neuron.get( d );
    learning.get( d );
  }

  double
  set( const Dictionary& d, nest::Node* node )
  {
    const double delta_EL = neuron.set( d, node );
    learning.set( d, node );
    return delta_EL;
  }
};

template < typename Model >
struct RecurrentNeuronState
{
  typename Model::Dynamics::State dynamics;
  double i_in = 0.0;  //!< current for the next step, synaptic plus I_e [pA]

  void
  get( Dictionary& d, const RecurrentNeuronParameters< Model >& p ) const
  {
    d[ nest::names::V_m ] = Model::Dynamics::lif( dynamics ).v + p.neuron.membrane().E_L;
    Model::get_state( dynamics, d );
  }

  void
  set( const Dictionary& d, const RecurrentNeuronParameters< Model >& p, double delta_EL, nest::Node* node )
  {
    const MembraneParameters& membrane = p.neuron.membrane();
    double& v = Model::Dynamics::lif( dynamics ).v;
    membrane.update_relative_potential( d, nest::names::V_m, v, delta_EL, node );
    require_finite( node->get_name(), nest::names::V_m, v + membrane.E_L, "mV" );
    Model::set_state( dynamics, d, node );
  }
};

/**
 * A recurrent e-prop neuron: Model's dynamics in the arithmetic Arithmetic, learning by e-prop from the
 * learning signals of the readouts. Each step it records its pseudo-derivative; learning signals are added
 * to their step as they arrive; at the end of each update interval it stores the interval's firing-rate
 * regularization; its incoming e-prop synapses take their gradients from that history.
 */
template < typename Model, typename Arithmetic = core::Exact >
class EpropRecurrentNeuron
  : public ChiplearnNode< EpropRecurrentNeuron< Model, Arithmetic >,
      RecurrentNeuronParameters< Model >,
      RecurrentNeuronState< Model > >
  , public EpropLearner< core::RecurrentHistory >
{
  using Base = ChiplearnNode< EpropRecurrentNeuron, RecurrentNeuronParameters< Model >, RecurrentNeuronState< Model > >;
  using Dynamics = typename Model::Dynamics;

public:
  using Base::handle;
  using Base::handles_test_event;

  EpropTarget*
  eprop_target() override
  {
    return this;
  }

  bool
  is_eprop_recurrent() const override
  {
    return true;
  }

  void
  get_status( Dictionary& d ) const override
  {
    Base::get_status( d );
    d[ eprop_interval_offset ] = eprop_delays::recurrent_shift;
  }

  //! Adds the learning signal of a readout (its error times the feedback weight) to the step it belongs to.
  void
  handle( nest::LearningSignalConnectionEvent& e ) override
  {
    const long step = e.get_stamp().get_steps() - eprop_delays::learning_signal_lag;
    for ( auto it = e.begin(); it != e.end(); )
    {
      const double learning_signal = e.get_weight() * e.get_coeffvalue( it );  // advances it
      if ( not std::isfinite( learning_signal ) )
      {
        this->numerical_instability( "learning_signal", learning_signal );
      }
      // NEST delivers every readout's signal in every step, but outside the learning window it is 0: adding it
      // would change nothing (x + 0 is x, and a sum that starts at +0 stays +0 when -0 is added) except mark
      // the interval's kernel stale for recomputation, so only non-zero signals are stored
      if ( learning_signal == 0.0 )
      {
        continue;
      }
      eprop_history_.change(
        step, [ learning_signal ]( core::RecurrentRecord& r, std::size_t i ) { r.learning_signal[ i ] += learning_signal; } );
    }
  }

  //! Learning signals come from chiplearn's readouts only: other models' follow other delays and meanings.
  size_t
  handles_test_event( nest::LearningSignalConnectionEvent& e, size_t receptor_type ) override
  {
    this->require_receptor_zero( receptor_type );
    if ( not is_eprop_readout( e.get_sender() ) )
    {
      throw nest::IllegalConnection( this->get_name() + " receives learning signals only from eprop_readout_chiplearn, "
        + "not from " + e.get_sender().get_name() + "." );
    }
    return 0;
  }

  // Recordables. A model's RecordablesMap lists those that apply to it.

  double
  get_V_m_() const
  {
    return Dynamics::lif( this->S_.dynamics ).v + this->P_.neuron.membrane().E_L;
  }

  //! Pseudo-derivative of the step begun last.
  double
  get_surrogate_gradient_() const
  {
    return surrogate_gradient_;
  }

  //! Learning signal of the step begun last (looked up only when recorded).
  double
  get_learning_signal_() const
  {
    return eprop_history_.value_at( eprop_clock_.step() - eprop_delays::learning_signal_lag,
      &core::RecurrentRecord::learning_signal );
  }

  //! The threshold in effect [mV] (with adaptation, where the dynamics has it).
  double
  get_V_th_adapt_() const
  {
    return Dynamics::threshold( this->S_.dynamics, dynamics_ ) + this->P_.neuron.membrane().E_L;
  }

  double
  get_adaptation_() const
  {
    return this->S_.dynamics.adaptation;
  }

private:
  friend Base;
  friend class nest::RecordablesMap< EpropRecurrentNeuron >;
  friend class nest::UniversalDataLogger< EpropRecurrentNeuron >;

  static nest::RecordablesMap< EpropRecurrentNeuron > recordablesMap_;

  void
  pre_run_hook() override
  {
    this->logger_.init();
    propagators_ = this->P_.neuron.membrane().propagators();
    dynamics_ = this->P_.neuron.dynamics();
    configure_eprop( this->get_name(), eprop_delays::recurrent_shift );
    const double h = nest::Time::get_resolution().get_ms();
    f_target_per_step_ = this->P_.learning.f_target * h / 1000.0;
    eprop_history_.gradient().kernel.eligibility =
      core::eligibility_parameters( dynamics_, propagators_, core::decay_factor( h, this->P_.learning.tau_m_readout ) );
  }

  void
  update( const nest::Time& origin, const long from, const long to ) override
  {
    for ( long lag = from; lag < to; ++lag )
    {
      const long t = origin.get_steps() + lag;
      if ( begin_interval_step( t ) )
      {
        this->S_.dynamics = typename Dynamics::State();
      }
      Dynamics::integrate(
        this->S_.dynamics, dynamics_, propagators_, this->S_.i_in, this->spike_input_.get_value( lag ), arithmetic_ );
      const double threshold = Dynamics::threshold( this->S_.dynamics, dynamics_ );
      const core::LifState& lif = Dynamics::lif( this->S_.dynamics );
      // the absolute potentials, which NEST records: relative ones may be finite while these overflow
      const double E_L = this->P_.neuron.membrane().E_L;
      if ( not std::isfinite( lif.v + E_L ) )
      {
        this->numerical_instability( "V_m", lif.v + E_L );
      }
      if ( not std::isfinite( threshold + E_L ) )
      {
        this->numerical_instability( "V_th_adapt", threshold + E_L );
      }
      const double psi =
        core::surrogate_gradient( this->P_.learning.surrogate, lif.refractory_left > 0, lif.v, threshold );
      const bool spike = this->spike_event_is_due( core::lif_crosses_threshold( lif, threshold ) );
      Dynamics::set_spike( this->S_.dynamics, dynamics_, spike, arithmetic_ );
      if ( spike )
      {
        this->emit_spike( origin, lag );
      }
      record_eprop_step( psi, spike );
      this->S_.i_in = this->current_input_.get_value( lag ) + this->P_.neuron.membrane().I_e;
      this->logger_.record_data( t );
    }
  }

  /**
   * Starts step t. Returns true if the state is to be reset: in the first step of an update interval, if
   * the kernel's eprop_reset_neurons_on_update is on and the neuron learns (has incoming e-prop synapses).
   */
  bool
  begin_interval_step( long t )
  {
    if ( not eprop_clock_.advance( t ) )
    {
      return false;
    }
    eprop_history_.forget_unused( eprop_clock_.interval() );
    return resets_on_update();
  }

  /**
   * Records the pseudo-derivative of the step begun last and counts its spike; at the interval's last step
   * stores the interval's firing-rate regularization c_reg (spikes / steps - f_target h) / steps (Bellec et al.
   * 2020, Methods).
   */
  void
  record_eprop_step( double psi, bool spike )
  {
    surrogate_gradient_ = psi;
    n_spikes_ += spike ? 1 : 0;
    const bool records = records_eprop_history() and eprop_clock_.interval() >= 0;  // trials start at interval 0
    if ( records )
    {
      eprop_history_.record( eprop_clock_.step(), { .surrogate_gradient = psi } );
      // the learning signals of a step have all arrived learning_signal_lag steps later
      if ( eprop_clock_.step_in_interval() == eprop_delays::learning_signal_lag )
      {
        seal_interval( eprop_clock_.interval() - 1 );
      }
    }
    if ( eprop_clock_.at_last_step() )
    {
      if ( records )
      {
        const double steps = static_cast< double >( grid_.steps );
        eprop_history_.record_of( eprop_clock_.interval() ).firing_rate_regularization =
          this->P_.learning.c_reg * ( n_spikes_ / steps - f_target_per_step_ ) / steps;
      }
      n_spikes_ = 0;
    }
  }

  Arithmetic arithmetic_;
  core::LeakyPropagators propagators_;
  typename Dynamics::Parameters dynamics_;
  double surrogate_gradient_ = 0.0;  //!< pseudo-derivative of the last step (recordable)
  double f_target_per_step_ = 0.0;
  long n_spikes_ = 0;
};

template < typename Model, typename Arithmetic >
nest::RecordablesMap< EpropRecurrentNeuron< Model, Arithmetic > >
  EpropRecurrentNeuron< Model, Arithmetic >::recordablesMap_;

/** The recordables every recurrent e-prop neuron has; a model's RecordablesMap::create() adds its own. */
template < typename Neuron >
void
insert_recurrent_recordables( nest::RecordablesMap< Neuron >& map )
{
  map.insert( { nest::names::learning_signal, &Neuron::get_learning_signal_ } );
  map.insert( { nest::names::surrogate_gradient, &Neuron::get_surrogate_gradient_ } );
  map.insert( { nest::names::eprop_history_duration, &Neuron::eprop_history_duration } );
  map.insert( { nest::names::V_m, &Neuron::get_V_m_ } );
}

}  // namespace chiplearn

#endif
