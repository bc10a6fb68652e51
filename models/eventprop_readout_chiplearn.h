/*
 *  eventprop_readout_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTPROP_READOUT_CHIPLEARN_H
#define EVENTPROP_READOUT_CHIPLEARN_H

#include <deque>
#include <optional>
#include <string>

// chiplearn
#include "core/eventprop.h"
#include "core/loss.h"
#include "core/time_grid.h"
#include "eventprop_neuron.h"
#include "readout_receptors.h"

// nestkernel
#include "secondary_event.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, EventProp plasticity, current-based

Short description
+++++++++++++++++

Output neuron trained by EventProp: spiking LIF or non-spiking leaky readout with an exponential current

Description
+++++++++++

``eventprop_readout_chiplearn`` is an output neuron of EventProp [1]_, trained from its own first spike
time or maximum membrane potential. Its membrane is NEST's ``iaf_psc_exp`` with one synaptic time
constant, ``E_L`` = ``V_reset`` = 0 and no refractoriness (EventProp's neuron):

.. math::

   \frac{dV}{dt} = -\frac{V}{\tau_\text{m}} + \frac{I}{C_\text{m}}, \qquad
   \frac{dI}{dt} = -\frac{I}{\tau_\text{syn}},

integrated exactly, with the input spikes' weights (pA) as jumps of :math:`I` at their arrival: at the end
of the step for spikes on the grid, as in ``iaf_psc_exp``, and at the precise time for off-grid spikes (from
``eventprop_iaf_chiplearn``). With ``neuron_model`` = ``lif`` the neuron spikes when :math:`V \ge V_\text{th}`
at the end of a step or at an input, at the crossing inside that piece, where it is reset to 0 (so it is
``iaf_psc_exp`` up to its first spike, the only one its loss uses; its spikes are sent off-grid); with
``leaky`` it never spikes. When it knows a trial's adjoint it sends its description back to the hidden
neurons over ``eventprop_feedback_connection_chiplearn`` (see ``eventprop_iaf_chiplearn``).

Trials. The kernel's ``eprop_update_interval`` is the trial length :math:`T`; trial :math:`k` covers
:math:`(kT, (k+1)T]`, and :math:`V` and :math:`I` are 0 at its start. An input spike of a generator at
time :math:`kT + \tau` over a delay :math:`d` arrives at :math:`\tau + d` in trial :math:`k`.

Spike timing. The loss and its gradient use the precise time at which :math:`V` crosses :math:`V_\text{th}`
inside the step of the spike (the root of the closed-form solution), not the step's end: on the grid the
first spike time would be piecewise constant in the weights, with a zero gradient almost everywhere. The
gradient is then the exact gradient of the simulated model (inputs on the grid, crossing in continuous
time), and finite differences of the loss agree with it. The spike the neuron emits is stamped on the grid.

Losses (``loss``), a cross-entropy over the outputs of a task, which send each other their logit at the
end of each trial over ``rate_connection_delayed`` connections (weight 1, to receptor ``readout_signal``):

- ``first_spike_cross_entropy``: logits :math:`-t_k/\tau_0`,
  :math:`L = -\log p_l + \alpha (e^{t_l/\tau_1} - 1)` for target :math:`l` [1]_. A silent output enters
  the softmax with :math:`t = T`. A silent target gets a phantom spike at :math:`T`: its
  :math:`\lambda_V` jumps by ``phantom_spike_scale`` :math:`(\partial L/\partial t)/\text{slope\_floor}`
  (at 1, a crossing with the floor as its :math:`\tau_\text{m}\dot V`), which raises its weights until it
  answers; the other outputs take no gradient from that trial (as in Wunderlich & Pehle's code, which drops
  it): the loss would push them later, and through a hidden layer they share with the target that silences
  the target further. (The silent target sends them :math:`-\infty` as its logit to say so.) A silent
  non-target gets no gradient. The exact gradient of a silent output is 0, so the phantom is a rule, not a
  gradient: at 1 it is as large as the largest ordinary jump, and one silent trial can outweigh the rest of
  its batch.
- ``max_voltage_cross_entropy`` (for ``neuron_model`` ``leaky``): logits :math:`\max_t V_k(t)`, the maximum
  over continuous time.

The target class of a trial: a ``step_rate_generator`` over ``rate_connection_delayed`` to receptor
``target_signal`` sends 1 to the target output and 0 to the others, held over the whole trial; the value
at the trial's last step counts.

Adjoint. At the trial end the output's adjoint :math:`\lambda_V` jumps at its first spike by
:math:`(\partial L/\partial t)/\max(I\tau_\text{m}/C_\text{m} - V_\text{th}, \text{slope\_floor})`, or at
the time of its maximum by :math:`-(\partial L/\partial V_\text{max})/\tau_\text{m}`; its incoming
``eventprop_synapse_chiplearn`` connections take their gradient
:math:`-\tau_\text{syn}\tau_\text{m}/C_\text{m} \sum_i \lambda_I(t_i)` from it over their input
spikes' arrival times. The floor bounds the division for grazing crossings, where the exact gradient
diverges.

Parameters
++++++++++

======================== ======= ============================= ===========================================
**Parameter**            **Unit** **Default, range**           **Description**
======================== ======= ============================= ===========================================
``C_m``                  pF      250, > 0                      Membrane capacitance
``tau_m``                ms      10, > 0                       Membrane time constant
``tau_syn``              ms      5, > 0, != tau_m              Synaptic time constant
``V_th``                 mV      15, > 0                       Threshold (``lif``), relative to rest (0)
``neuron_model``         string  lif                           ``lif`` or ``leaky``
``loss``                 string  first_spike_cross_entropy     or ``max_voltage_cross_entropy``
``tau_0``                ms      0.5, > 0                      Softmax temperature of the first spike times
``tau_1``                ms      6.4, > 0                      Time constant of the early-spike term
``alpha``                        3e-3, >= 0                    Weight of the early-spike term
``phantom_spike_scale``          1, >= 0                       Size of a silent target's phantom spike (0: none)
``slope_floor``          mV      1.5, > 0                      Lower bound of tau_m dV/dt at a spike
======================== ======= ============================= ===========================================

``first_spike_cross_entropy`` needs ``lif`` and ``max_voltage_cross_entropy`` needs ``leaky``. When the
simulation starts, ``tau_0`` and ``tau_1`` must be at least ``eprop_update_interval`` / 700, so that the
loss's exponentials stay finite over a trial.

State: ``V_m`` (mV), ``I_syn`` (pA), settable. Read-only, of the last trial whose loss is known:
``trial`` (its index, -1 before the first), ``first_spike_time`` (ms from the trial start, NaN if silent),
``v_max``, ``t_max``, ``probability`` (the output's softmax), ``target`` (bool), ``loss_derivative``
(dL/dt or dL/dV_max), ``trial_loss`` (the trial's loss, at the target output; NaN at the others), and
``held_trials`` (trials kept for synapses).

Recordables
+++++++++++

``V_m`` (mV), ``I_syn`` (pA), ``logit`` (of the running trial so far, final at its last step: a
multimeter with ``interval`` = ``eprop_update_interval`` samples each trial's logit; the prediction of a task
is the output with the largest)

Sends
+++++

SpikeEvent (``lif``, off-grid), DelayedRateConnectionEvent (its logit, at the last step of a trial; NaN otherwise),
LearningSignalConnectionEvent (its adjoint's description, to hidden neurons)

Receives
++++++++

SpikeEvent (weight in pA), DelayedRateConnectionEvent (receptors 1 and 2), DataLoggingRequest

References
++++++++++

.. [1] Wunderlich TC, Pehle C (2021). Event-based backpropagation can compute exact gradients for spiking
       neural networks. Scientific Reports 11:12829. https://doi.org/10.1038/s41598-021-91786-z

See also
++++++++

eventprop_synapse_chiplearn, iaf_psc_exp

EndUserDocs */

//! Parameters of eventprop_readout_chiplearn: the membrane's and the loss's.
struct EventpropReadoutParameters : EventpropMembraneParameters
{
  core::eventprop::NeuronModel neuron_model = core::eventprop::NeuronModel::lif;
  core::eventprop::Loss loss = core::eventprop::Loss::first_spike_cross_entropy;
  core::eventprop::FirstSpikeLoss first_spike { 0.5, 6.4, 3e-3 };

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );
};

//! State of eventprop_readout_chiplearn: the membrane's and the target signal of the running step.
struct EventpropReadoutState : EventpropMembraneState
{
  double target_signal = 0.0;
};

class eventprop_readout_chiplearn
  : public EventpropNeuron< eventprop_readout_chiplearn, EventpropReadoutParameters, EventpropReadoutState >
{
public:
  using EventpropNeuron::handle;
  using EventpropNeuron::handles_test_event;
  using EventpropNeuron::sends_secondary_event;

  void handle( nest::DelayedRateConnectionEvent& ) override;
  size_t handles_test_event( nest::DelayedRateConnectionEvent&, size_t receptor_type ) override;

  void
  sends_secondary_event( nest::DelayedRateConnectionEvent& ) override
  {
  }

  //! The adjoint's description sent back to hidden neurons (eventprop_feedback_connection_chiplearn).
  void
  sends_secondary_event( nest::LearningSignalConnectionEvent& ) override
  {
  }

  void get_status( Dictionary& ) const override;

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  //! The adjoint of the trial that ended, now that the other outputs' logits are in.
  void finish_trial();

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eventprop_readout_chiplearn >;
  friend class nest::UniversalDataLogger< eventprop_readout_chiplearn >;

  //! The logit of the running trial so far (final at its last step), what the outputs' softmax compares.
  double
  get_logit_() const
  {
    return core::eventprop::logit( P_.loss, seen_, grid_.steps * h_, P_.first_spike );
  }

  std::vector< core::eventprop::Spike > spikes_;  //!< of the running step
  std::deque< double > feedback_;                 //!< the adjoint's description, still to be sent
  core::eventprop::TrialObservation seen_;  //!< of the running trial

  //! The trial that ended and waits for the other outputs' logits.
  struct Pending
  {
    long trial = -1;
    core::eventprop::TrialObservation seen;
    bool is_target = false;
  };
  std::optional< Pending > pending_;
  core::OthersSoftmaxSum others_;
  bool target_silent_ = false;  //!< the pending trial's target (another output) sent the silent-target logit

  //! The last finished trial, for GetStatus.
  Pending last_;
  core::eventprop::OutputAdjoint last_adjoint_ { 0.0, 0.0, std::nullopt };
  double last_loss_ = 0.0;

  static nest::RecordablesMap< eventprop_readout_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

namespace nest
{
template <>
void RecordablesMap< chiplearn::eventprop_readout_chiplearn >::create();
}  // namespace nest

#endif
