/*
 *  eventprop_iaf_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTPROP_IAF_CHIPLEARN_H
#define EVENTPROP_IAF_CHIPLEARN_H

#include <map>
#include <vector>

// chiplearn
#include "eventprop_neuron.h"

// nestkernel
#include "secondary_event.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, EventProp plasticity, current-based, precise spike times

Short description
+++++++++++++++++

Hidden LIF neuron trained by EventProp, its adjoint driven by the outputs it drives

Description
+++++++++++

``eventprop_iaf_chiplearn`` is a hidden neuron of EventProp [1]_: a LIF neuron with an exponential synaptic
current, ``E_L`` = ``V_reset`` = 0 and no refractoriness,

.. math::

   \frac{dV}{dt} = -\frac{V}{\tau_\text{m}} + \frac{I}{C_\text{m}}, \qquad
   \frac{dI}{dt} = -\frac{I}{\tau_\text{syn}},

integrated in closed form between input spikes, which make :math:`I` jump by their weight (pA) at their
precise arrival time (on-grid spikes at the end of their step, as in ``iaf_psc_exp``). When :math:`V \ge
V_\text{th}` at the end of a step or at an input, the neuron fires at the crossing inside that piece (the
root of the closed form), :math:`V` is reset to 0 there and integration goes on from the crossing; the
spike is sent off-grid with this time, as ``iaf_psc_exp_ps`` does. Without input off the grid and before its
first spike the neuron is ``iaf_psc_exp``; spikes on the grid would make every downstream time a step
function of the weights, with a zero gradient almost everywhere.

Trials are as for ``eventprop_readout_chiplearn``: the kernel's ``eprop_update_interval``, with :math:`V` and
:math:`I` 0 at each trial's start.

Adjoint (paper, Table 2). Between its spikes the neuron's :math:`\lambda_V` decays backwards with
:math:`\tau_\text{m}`; at its spike :math:`t_k` it jumps by

.. math::

   \Delta\lambda_{V,k} = \frac{V_\text{th}\,\lambda_V^+(t_k) + \sum_j w'_{jk}\,(\lambda_V^j - \lambda_I^j)(t_k + d_j)}
                              {\max(\tau_\text{m}\dot V^-(t_k),\ \text{slope\_floor})},

where :math:`\lambda_V^+` is what the later jumps left (the jumps chain backwards in time over all its
spikes of the trial), the sum runs over the outputs :math:`j` it drives with weight :math:`w_{jk}` (in the
paper's units :math:`w' = \tau_\text{m}^j/C_\text{m}^j\,w`) and delay :math:`d_j`, and
:math:`\tau_\text{m}\dot V^- = \tau_\text{m} I/C_\text{m} - V_\text{th}` is stored at each spike. Its incoming
``eventprop_synapse_chiplearn`` connections take their gradient from these jumps exactly as an output's do.

How the error reaches it. An output's adjoint is one jump :math:`(t_j, a_j)` (its first spike or maximum),
so :math:`\lambda_V^j - \lambda_I^j` before it is a sum of two exponentials fixed by that jump and the
output's :math:`\tau_\text{m}, \tau_\text{syn}`. When an output knows its adjoint (one slice after its trial,
once the other outputs' logits are in) it sends this description (its node id, the trial, :math:`t_j`, :math:`a_j`,
:math:`\tau_\text{m}`, :math:`\tau_\text{syn}`, :math:`C_\text{m}`: seven numbers, one per step, as
secondary events carry one value per step) over ``eventprop_feedback_connection_chiplearn`` connections back
to the hidden neurons that drive it; each connection evaluates the closed form at the arrivals of its hidden
neuron's spikes and adds the products with its weight to the neuron's errors. The feedback connection holds the
forward weight exactly: it computes the forward synapse's gradient from the same arrival times and the same
jump with the same functions and takes the same optimizer steps, with the forward synapse model's optimizer.
This fits NEST: connections are one-way and a synapse cannot reach its source, but a node can send secondary
events to any node (the e-prop learning signals travel so), and the hidden neuron's own spikes are all the
feedback connection needs from the forward pass. A second, reversed-time simulation would need every trial
simulated twice and the models switched between two phases.

Lift of a silent neuron. The exact gradient of a neuron that does not fire is zero, so a hidden neuron that
training silences never learns again; in Yin-Yang whole layers fall silent so and take their outputs with
them. With ``silent_lift`` :math:`c > 0`, a trial in which the neuron did not fire and that ends at least
``silent_lift_after`` such trials in a row adds :math:`c\,(V_\text{th} - V_\text{max})` to the loss, with
:math:`V_\text{max}` the largest :math:`V` at the ends of the trial's steps (0 at its start). :math:`V` at a
fixed step end is a smooth function of the weights, so this is an exact gradient as well: :math:`\lambda_V`
jumps by :math:`c/\tau_\text{m}` at the step end of the maximum, which raises the neuron's input weights
until it fires. A neuron whose :math:`V` never rises above rest is not lifted (its maximum is before any
input). ``silent_lift_after`` = 1 lifts the neuron in every trial it is silent in; the batch size lifts
only neurons that stayed silent through a batch's worth of trials.

The neuron knows its trial's adjoint when the last output's message is in, ``ceil(7 / min_delay) + 1`` slices of
``min_delay`` steps after the trial's end; input spikes of a trial that starts a new batch must arrive later
than that (the synapse raises an error otherwise), so that the weights of a batch are known before it starts.
A spike whose arrival at an output falls into the next trial carries no error back (its effect on the next
trial's loss is not propagated to this neuron's weights); keep the outputs' trials longer than the hidden
layer's activity plus the delay.

Parameters
++++++++++

====================== ======== ==================== ===============================================
**Parameter**          **Unit** **Default, range**   **Description**
====================== ======== ==================== ===============================================
``C_m``                pF       250, > 0             Membrane capacitance
``tau_m``              ms       10, > 0              Membrane time constant
``tau_syn``            ms       5, > 0, != tau_m     Synaptic time constant
``V_th``               mV       15, > 0              Threshold, relative to rest (0)
``slope_floor``        mV       1.5, > 0             Lower bound of tau_m dV/dt at a spike
``silent_lift``        1/mV     0, >= 0              Strength of the lift of a silent neuron; 0: off
``silent_lift_after``  trials   1, >= 1              Silent trials in a row before the lift applies
====================== ======== ==================== ===============================================

State: ``V_m`` (mV), ``I_syn`` (pA), settable. Read-only: ``trial`` (the last trial whose adjoint is known,
-1 before the first), ``spike_times`` and ``slopes`` (its spikes in that trial, ms from the trial start, and
tau_m dV/dt there), ``errors`` (the summed error sent back to each spike), ``adjoint_jumps`` (the jumps of
lambda_V, the lift's last), ``v_max`` (the largest V at a step end before the first spike), ``silent_trials``
(finished trials in a row without a spike), ``held_trials``.

Recordables
+++++++++++

``V_m`` (mV), ``I_syn`` (pA)

Sends
+++++

SpikeEvent (off-grid)

Receives
++++++++

SpikeEvent (weight in pA), DataLoggingRequest; the outputs' adjoints only over
eventprop_feedback_connection_chiplearn, which hands them to the neuron itself (another connection of learning
signals, such as NEST's eprop_learning_signal_connection_bsshslm_2020, is refused)

References
++++++++++

.. [1] Wunderlich TC, Pehle C (2021). Event-based backpropagation can compute exact gradients for spiking
       neural networks. Scientific Reports 11:12829. https://doi.org/10.1038/s41598-021-91786-z

See also
++++++++

eventprop_readout_chiplearn, eventprop_synapse_chiplearn, eventprop_feedback_connection_chiplearn,
iaf_psc_exp_ps

EndUserDocs */

/** A spike of the hidden neuron as it was sent: NEST's stamp and offset, and what the adjoint needs. */
struct SentSpike
{
  long stamp_steps;
  double offset;
  core::eventprop::Spike spike;  //!< time from the trial start, slope
};

//! Parameters of eventprop_iaf_chiplearn: the membrane's and the lift of a silent neuron.
struct EventpropHiddenParameters : EventpropMembraneParameters
{
  core::eventprop::SilentLift lift;

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );
};

class eventprop_iaf_chiplearn
  : public EventpropNeuron< eventprop_iaf_chiplearn, EventpropHiddenParameters, EventpropMembraneState >
{
public:
  void get_status( Dictionary& ) const override;

  // ---- for eventprop_feedback_connection_chiplearn

  //! The spikes the neuron sent in `trial` (empty if none or forgotten).
  const std::vector< SentSpike >& sent_spikes( long trial ) const;

  //! The errors an output (node id `output`) sends back to the spikes of `trial`, one per spike.
  void add_feedback( long trial, size_t output, std::vector< double > errors );

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  //! The adjoint jumps of `trial` from its spikes and the summed errors of the outputs.
  void finish_trial( long trial );

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eventprop_iaf_chiplearn >;
  friend class nest::UniversalDataLogger< eventprop_iaf_chiplearn >;

  long feedback_lag_ = 0;  //!< steps from a trial's end until all feedback is in
  std::vector< core::eventprop::Spike > step_spikes_;

  struct Trial
  {
    std::vector< SentSpike > spikes;
    std::map< size_t, std::vector< double > > feedback;  //!< by output, summed in node-id order
    double v_max = 0.0;  //!< [mV] the largest v at a step end before the first spike (v = 0 at the start)
    double t_max = 0.0;  //!< [ms] from the trial start
  };
  std::map< long, Trial > trials_;  //!< the running trial and the ones whose spikes may still be asked for
  long last_finished_ = -1;         //!< the last trial whose adjoint is known
  long silent_trials_ = 0;          //!< finished trials in a row, up to last_finished_, without a spike

  struct Finished
  {
    long trial = -1;
    std::vector< core::eventprop::Spike > spikes;
    std::vector< double > errors;
    std::vector< core::eventprop::AdjointJump > jumps;
    double v_max = 0.0;
  };
  Finished last_;

  static nest::RecordablesMap< eventprop_iaf_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

namespace nest
{
template <>
void RecordablesMap< chiplearn::eventprop_iaf_chiplearn >::create();
}  // namespace nest

#endif
