/*
 *  eprop_recurrent_node.h -- the e-prop learning side of chiplearn's recurrent neurons: pseudo-derivative,
 *  learning signals from the readouts, firing-rate regularization and the interval history from which
 *  the e-prop synapse takes its gradients.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_EPROP_RECURRENT_NODE_H
#define CHIPLEARN_EPROP_RECURRENT_NODE_H

#include <limits>
#include <string>

// chiplearn
#include "chiplearn_node.h"
#include "core/eprop.h"
#include "eprop_target.h"

// nestkernel
#include "kernel_manager.h"
#include "secondary_event.h"

namespace chiplearn
{

/** Learning parameters of a recurrent e-prop neuron. */
struct RecurrentLearningParameters
{
  double c_reg = 0.0;           //!< strength of the firing-rate regularization
  double f_target = 10.0;       //!< target firing rate of the regularization [Hz]
  double tau_m_readout = 10.0;  //!< time constant of the readouts, which filters the eligibility trace [ms]
  std::string surrogate_gradient_function = "piecewise_linear";
  double surrogate_gradient_height = 0.3;  //!< height of the pseudo-derivative at the threshold
  double surrogate_gradient_width = 1.0;   //!< width of the pseudo-derivative [mV]
  core::SurrogateShape surrogate_shape = core::SurrogateShape::piecewise_linear;

  void get( Dictionary& d ) const;
  void set( const Dictionary& d, nest::Node* node );
};

/**
 * Base of the recurrent e-prop neurons: Derived calls prepare_eprop() in pre_run_hook(), and in each step
 * eprop_reset_due() before integrating and record_eprop_step() after deciding on the spike.
 * ParametersT has a member `learning` of type RecurrentLearningParameters; Derived provides
 * eligibility_parameters().
 */
template < typename Derived, typename ParametersT, typename StateT >
class EpropRecurrentNode : public ChiplearnNode< Derived, ParametersT, StateT >, public EpropTarget
{
  using Base = ChiplearnNode< Derived, ParametersT, StateT >;

public:
  using Base::handle;
  using Base::handles_test_event;

  EpropTarget*
  eprop_target() override
  {
    return this;
  }

  long
  eprop_shift() const override
  {
    return eprop_delays::recurrent_shift;
  }

  bool
  is_eprop_recurrent() const override
  {
    return true;
  }

  //! Adds the learning signal of a readout (its error times the feedback weight) to the step it belongs to.
  void
  handle( nest::LearningSignalConnectionEvent& e ) override
  {
    const long step = e.get_stamp().get_steps() - eprop_delays::learning_signal_lag;
    for ( auto it = e.begin(); it != e.end(); )
    {
      const double learning_signal = e.get_weight() * e.get_coeffvalue( it );  // advances it
      eprop_history_.add_to_second( step, learning_signal );
    }
  }

  size_t
  handles_test_event( nest::LearningSignalConnectionEvent&, size_t receptor_type ) override
  {
    this->require_receptor_zero( receptor_type );
    return 0;
  }

  //! Recordable: pseudo-derivative of the step begun last.
  double
  get_surrogate_gradient_() const
  {
    return surrogate_gradient_;
  }

  //! Recordable: learning signal of the step begun last (looked up only when recorded).
  double
  get_learning_signal_() const
  {
    return eprop_history_.second_at( step_ - eprop_delays::learning_signal_lag );
  }

protected:
  void
  prepare_eprop()
  {
    const auto& simulation = nest::kernel().simulation_manager;
    interval_steps_ = simulation.get_eprop_update_interval().get_steps();
    if ( interval_steps_ <= eprop_delays::learning_signal_lag )
    {
      throw nest::BadProperty( this->get_name() + ": eprop_update_interval must be longer than "
        + std::to_string( eprop_delays::learning_signal_lag ) + " steps, the delay of the learning signals." );
    }
    reset_on_update_ = simulation.get_eprop_reset_neurons_on_update();
    eprop_history_.configure( interval_steps_, eprop_shift() );
    step_ = std::numeric_limits< long >::min();  // the grid may have changed: locate the next step anew
    const double h = nest::Time::get_resolution().get_ms();
    f_target_per_step_ = this->P_.learning.f_target * h / 1000.0;
    kappa_ = core::decay_factor( h, this->P_.learning.tau_m_readout );
  }

  /**
   * Starts step t. Returns true if the state is to be reset: in the first step of an update interval, if
   * the kernel's eprop_reset_neurons_on_update is on and the neuron learns (has incoming e-prop synapses).
   */
  bool
  begin_eprop_step( long t )
  {
    if ( t == step_ + 1 )
    {
      if ( ++interval_step_ == interval_steps_ )
      {
        interval_step_ = 0;
        ++interval_;
      }
    }
    else  // first step, or the first after a change of the interval grid
    {
      interval_ = eprop_history_.interval_of( t );
      interval_step_ = eprop_history_.step_in_interval( t );
    }
    step_ = t;
    if ( interval_step_ != 0 )
    {
      return false;
    }
    eprop_history_.forget_unused( interval_ );
    return reset_on_update_ and records_eprop_history();
  }

  double
  surrogate_gradient( bool refractory, double v, double v_th ) const
  {
    const RecurrentLearningParameters& p = this->P_.learning;
    return core::surrogate_gradient(
      p.surrogate_shape, refractory, v, v_th, p.surrogate_gradient_height, p.surrogate_gradient_width );
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
    if ( records_eprop_history() )
    {
      eprop_history_.record( step_, psi );
      // the learning signals of a step have all arrived learning_signal_lag steps later
      if ( interval_step_ == eprop_delays::learning_signal_lag )
      {
        seal_interval( interval_ - 1 );
      }
    }
    if ( interval_step_ == interval_steps_ - 1 )
    {
      const double steps = static_cast< double >( interval_steps_ );
      eprop_history_.set_scalar( interval_, this->P_.learning.c_reg * ( n_spikes_ / steps - f_target_per_step_ ) / steps );
      n_spikes_ = 0;
    }
  }

  void
  compute_kernel( const core::IntervalHistory::Interval& record, std::vector< double >& kernel ) const override
  {
    core::recurrent_interval_kernel( record, static_cast< const Derived& >( *this ).eligibility_parameters(), kernel );
  }

  double kappa_ = 0.0;               //!< decay of the readouts per step
  double surrogate_gradient_ = 0.0;  //!< pseudo-derivative of the last step (recordable)

private:
  long interval_steps_ = 1;
  long step_ = std::numeric_limits< long >::min();  //!< the step begun last
  long interval_ = 0;                               //!< its update interval
  long interval_step_ = 0;                          //!< its position in the interval
  bool reset_on_update_ = true;
  double f_target_per_step_ = 0.0;
  long n_spikes_ = 0;
};

}  // namespace chiplearn

#endif
