/*
 *  eprop_iaf_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_IAF_CHIPLEARN_H
#define EPROP_IAF_CHIPLEARN_H

// chiplearn
#include "core/membrane.h"
#include "eprop_recurrent_neuron.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, e-prop plasticity, current-based, integrate-and-fire, hard threshold

Short description
+++++++++++++++++

Leaky integrate-and-fire neuron with delta-shaped synaptic input and reset by subtraction, for e-prop

Description
+++++++++++

``eprop_iaf_chiplearn`` is the recurrent LIF neuron of eligibility propagation (e-prop) [1]_. On a time
grid of resolution :math:`h`, with :math:`v` measured relative to :math:`E_\text{L}`:

.. math::

   v^t &= P_v v^{t-1} + P_i \left( I^{t-1}_\text{syn} + I_\text{e} \right) + P_z \sum_i w_i x_i^t
          - (V_\text{th} - E_\text{L}) z^{t-1} , \qquad v^t \ge V_\text{min} - E_\text{L} , \\
   z^t &= H\left( v^t - (V_\text{th} - E_\text{L}) \right) \quad \text{outside refractoriness,}

with the exact-integration propagators :math:`P_v = e^{-h/\tau_\text{m}}`,
:math:`P_i = \tau_\text{m}/C_\text{m}\,(1 - P_v)`, and :math:`P_z = 1` (``regular_spike_arrival``, the
e-prop convention: a spike of weight :math:`w` raises :math:`V_\text{m}` by :math:`w` mV) or
:math:`P_z = 1 - P_v`. A spike resets the membrane by subtracting the threshold in the next step.
Refractoriness blocks spikes for ``t_ref`` after a spike but does not clamp the membrane, so the
shortest inter-spike interval is :math:`\max(t_\text{ref}, h)`.

Time constants from milliseconds to tens of seconds are supported; with :math:`\tau_\text{m} = 2` s a
plain LIF network solves the cue-accumulation task, as on the ReckOn chip [2]_.

Dynamics and learning equal those of NEST's ``eprop_iaf_bsshslm_2020`` for the same parameters (shown
side by side in chiplearn's tests); NEST's synapse parameter ``tau_m_readout`` is a neuron parameter here,
because the neuron computes the eligibility filter for all its synapses at once.

Parameters
++++++++++

========================= ======= ======================= ==========================================
**Parameter**             **Unit** **Default, range**     **Description**
========================= ======= ======================= ==========================================
``C_m``                   pF      250, > 0                Membrane capacitance
``E_L``                   mV      -70, finite             Resting potential
``I_e``                   pA      0, finite               Constant external current
``tau_m``                 ms      10, > 0                 Membrane time constant
``t_ref``                 ms      2, >= 0                 Refractory period (blocks spikes only)
``V_th``                  mV      -55, >= V_min, finite   Spike threshold
``V_min``                 mV      -inf, <= V_th           Lower bound of the membrane potential
``regular_spike_arrival`` boolean True                    Input spike adds w (True) or (1 - P_v) w
``c_reg``                 —       0, >= 0                 Strength of the firing-rate regularization
``f_target``              Hz      10, >= 0                Target rate of the regularization
``tau_m_readout``         ms      10, > 0                 Time constant of the readouts; the eligibility
                                                          trace is filtered with exp(-h / tau_m_readout)
``surrogate_gradient_function`` piecewise_linear          ``piecewise_linear``, ``exponential``,
                                                          ``fast_sigmoid_derivative``, ``arctan_derivative``
``surrogate_gradient_height`` —   0.3, > 0                Height of the pseudo-derivative at the threshold
``surrogate_gradient_width`` mV   1.0, > 0                Width of the pseudo-derivative
========================= ======= ======================= ==========================================

State: ``V_m`` (mV), settable. Read-only: ``eprop_interval_offset`` (2), the step at which the neuron's
update intervals start (modulo ``eprop_update_interval``): input spikes take two one-step hops to arrive.

Learning
++++++++

With incoming ``eprop_synapse_chiplearn`` connections the neuron learns by e-prop [1]_: in each step it
computes the pseudo-derivative
:math:`\psi = \gamma \max(0, 1 - |V_\text{m} - V_\text{th}| / w)` with :math:`\gamma` =
``surrogate_gradient_height`` and :math:`w` = ``surrogate_gradient_width`` (or one of the other shapes; 0 while
refractory), receives learning signals from the readouts over
``eprop_learning_signal_connection_chiplearn`` (the readouts' errors times the feedback weights), and at
the end of each update interval of the kernel's ``eprop_update_interval`` stores the firing-rate
regularization :math:`c_\text{reg} (n_\text{spikes}/T - f_\text{target} h) / T`. From these it computes
once per interval the kernel from which its incoming e-prop synapses take their gradients (see
``eprop_synapse_chiplearn``). With the kernel's ``eprop_reset_neurons_on_update`` the state is reset at the
start of each interval (trial), as in the original e-prop; neurons without e-prop synapses are never reset.

Recordables
+++++++++++

``V_m``  membrane potential (mV); ``surrogate_gradient`` :math:`\psi`; ``learning_signal`` :math:`L`;
``eprop_history_duration`` time covered by the interval history held for e-prop synapses (ms)

Sends
+++++

SpikeEvent

Receives
++++++++

SpikeEvent (weight in mV), CurrentEvent (pA), LearningSignalConnectionEvent, DataLoggingRequest

References
++++++++++

.. [1] Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W (2020). A solution to
       the learning dilemma for recurrent networks of spiking neurons. Nature Communications 11:3625.
       https://doi.org/10.1038/s41467-020-17236-y
.. [2] Frenkel C, Indiveri G (2022). ReckOn: A 28nm sub-mm2 task-agnostic spiking recurrent neural
       network processor enabling on-chip learning over second-long timescales. ISSCC 2022.
       https://doi.org/10.1109/ISSCC42614.2022.9731734
.. [3] Rotter S, Diesmann M (1999). Exact digital simulation of time-invariant linear systems with
       applications to neuronal modeling. Biological Cybernetics 81:381-402.

See also
++++++++

eprop_iaf_adapt_chiplearn, eprop_readout_chiplearn

EndUserDocs */

/** The LIF dynamics of eprop_iaf_chiplearn, for the recurrent e-prop neuron template. */
struct LifModel
{
  using Dynamics = core::Lif;
  using Parameters = SpikingParameters;

  static void
  get_state( const core::LifState&, Dictionary& )
  {
  }

  static void
  set_state( core::LifState&, const Dictionary&, nest::Node* )
  {
  }
};

using eprop_iaf_chiplearn = EpropRecurrentNeuron< LifModel >;

}  // namespace chiplearn

namespace nest
{
//! Defined in eprop_iaf_chiplearn.cpp; declared here so that every use of the map sees the specialization.
template <>
void RecordablesMap< chiplearn::eprop_iaf_chiplearn >::create();
}  // namespace nest

#endif
