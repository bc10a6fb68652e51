/*
 *  eprop_iaf_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_IAF_CHIPLEARN_H
#define EPROP_IAF_CHIPLEARN_H

// chiplearn
#include "core/eprop.h"
#include "core/leaky.h"
#include "eprop_recurrent_node.h"

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

The dynamics equal those of NEST's ``eprop_iaf_bsshslm_2020`` for the same parameters. Learning
(surrogate gradient, eligibility traces, learning signals) is added by the e-prop synapse of this module.

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
========================= ======= ======================= ==========================================

State: ``V_m`` (mV), settable.

Recordables
+++++++++++

``V_m``  membrane potential (mV)

Sends
+++++

SpikeEvent

Receives
++++++++

SpikeEvent (weight in mV), CurrentEvent (pA), DataLoggingRequest

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

//! Parameters of eprop_iaf_chiplearn.
struct LifNodeParameters
{
  SpikingParameters spiking;
  RecurrentLearningParameters learning;

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );
};

//! State of eprop_iaf_chiplearn.
struct LifNodeState
{
  core::LifState lif;
  double i_in = 0.0;  //!< current for the next step, synaptic plus I_e [pA]

  void get( Dictionary&, const LifNodeParameters& ) const;
  void set( const Dictionary&, const LifNodeParameters&, double delta_EL, nest::Node* );
};

class eprop_iaf_chiplearn : public EpropRecurrentNode< eprop_iaf_chiplearn, LifNodeParameters, LifNodeState >
{
public:
  core::EligibilityParameters eligibility_parameters() const;

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eprop_iaf_chiplearn >;
  friend class nest::UniversalDataLogger< eprop_iaf_chiplearn >;

  double
  get_V_m_() const
  {
    return S_.lif.v + P_.spiking.membrane.E_L;
  }

  double
  get_surrogate_gradient_() const
  {
    return surrogate_gradient_;
  }

  double
  get_learning_signal_() const
  {
    return learning_signal();
  }

  core::LeakyPropagators propagators_;
  core::LifParameters lif_;

  static nest::RecordablesMap< eprop_iaf_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

namespace nest
{
//! Defined in eprop_iaf_chiplearn.cpp; declared here so that every use of the map sees the specialization.
template <>
void RecordablesMap< chiplearn::eprop_iaf_chiplearn >::create();
}  // namespace nest

#endif
