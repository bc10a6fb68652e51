/*
 *  ebn_iaf_chiplearn.h -- the LIF neuron of an efficient balanced (spike-coding) network.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EBN_IAF_CHIPLEARN_H
#define EBN_IAF_CHIPLEARN_H

// chiplearn
#include "chiplearn_node.h"
#include "core/arithmetic.h"
#include "core/membrane.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, integrate-and-fire, current-based, spike-coding network

Short description
+++++++++++++++++

Leaky integrate-and-fire neuron of an efficient balanced network, with a fast exponential synaptic current,
reset to a value, seeded input noise and plastic reset (the self term of ``ebn_synapse_chiplearn``)

Description
+++++++++++

``ebn_iaf_chiplearn`` is the neuron of spike-coding networks (Boerlin, Machens & Deneve 2013; Brendel et
al. 2020) in the form Büchel et al. (2021) trained with their discrete learning rule [1]_:

.. math::

   \tau_\text{m} \frac{dV}{dt} = E_\text{L} - V + \frac{\tau_\text{m}}{C_\text{m}}
      \left( I_\text{syn} + I_\text{e} + I_\text{ext} + \sigma \xi \right), \qquad
   \tau_\text{syn} \frac{dI_\text{syn}}{dt} = -I_\text{syn} + \tau_\text{syn} \sum_k w_k \sum_f \delta(t - t_k^f)

integrated exactly on the simulation grid (as NEST's ``iaf_psc_exp`` with one synaptic time constant,
which it reproduces with ``noise_std`` = 0): an input spike of weight :math:`w` (pA) makes the synaptic
current jump by :math:`w`; currents from generators (:math:`I_\text{ext}`) hold over a step. When
:math:`V \ge V_\text{th}` the neuron spikes and :math:`V` is set to ``V_reset``. The default
:math:`C_\text{m} = \tau_\text{m}` (1 mV per pA) makes potentials and currents the same numbers, the
units of the spike-coding literature.

Noise. :math:`\xi` is a standard normal number drawn for each neuron and step from a counter-based
generator keyed by the kernel's ``rng_seed``, the node id and the step, held over the step: the noise does
not depend on the number of threads or MPI ranks.

Several spikes in one step. Büchel et al.'s simulator lets at most one neuron, the earliest to cross,
spike in a step; NEST updates neurons independently, so every neuron that crosses its threshold in a step
spikes in it. See ``pynest_scripts/balanced_network.py`` and ``benchmarks/RESULTS.md`` for how often that
happens and what it changes.

Plastic reset. An ``ebn_synapse_chiplearn`` from the neuron onto itself carries the self term of the
learning rule: it moves ``E_L`` and ``V_reset`` together (the potential stays where it is).

Parameters
++++++++++

================= ======= =================== ==================================================
**Parameter**     **Unit** **Default, range** **Description**
================= ======= =================== ==================================================
``C_m``           pF      50, > 0             Membrane capacitance
``E_L``           mV      0, finite           Resting potential
``I_e``           pA      0, finite           Constant external current
``tau_m``         ms      50, > 0             Membrane time constant
``tau_syn``       ms      1, > 0              Time constant of the synaptic current
``V_th``          mV      1, > V_reset        Threshold
``V_reset``       mV      0, >= V_min         Potential after a spike
``V_min``         mV      -inf                Lower bound of the membrane potential
``t_ref``         ms      0, >= 0             Refractory period (V_m integrates; no spike)
``noise_std``     pA      0, >= 0             Standard deviation of the input current noise
================= ======= =================== ==================================================

State: ``V_m`` (mV), ``I_syn`` (pA), both settable.

Recordables
+++++++++++

``V_m`` (mV), ``I_syn`` (pA)

Sends
+++++

SpikeEvent

Receives
++++++++

SpikeEvent (weight in pA), CurrentEvent (pA), DataLoggingRequest

References
++++++++++

.. [1] Büchel J, Kakon J, Perez M, Indiveri G (2021). Implementing efficient balanced networks with
       mixed-signal spike-based learning circuits. ISCAS 2021. https://arxiv.org/abs/2010.14353

See also
++++++++

ebn_synapse_chiplearn, iaf_psc_exp

EndUserDocs */

//! Parameters of ebn_iaf_chiplearn; potentials relative to E_L.
struct EbnNeuronParameters
{
  double C_m = 50.0;
  double E_L = 0.0;
  double I_e = 0.0;
  double tau_m = 50.0;
  double tau_syn = 1.0;
  double V_th = 1.0;
  double V_reset = 0.0;
  double V_min = -std::numeric_limits< double >::infinity();
  double t_ref = 0.0;
  double noise_std = 0.0;

  void get( Dictionary& ) const;
  //! Reads and checks; returns the change of E_L (potentials given relative to nothing move with E_L).
  double set( const Dictionary&, nest::Node* );

  //! The core's parameters of the dynamics (needs the simulation resolution).
  core::CurrentLifParameters dynamics() const;
};

//! State of ebn_iaf_chiplearn.
struct EbnNeuronState
{
  core::CurrentLifState dynamics;  //!< v relative to E_L [mV], i_syn [pA]
  double i_in = 0.0;               //!< current for the next step from generators [pA]
  double v_before_reset = 0.0;     //!< v at the end of the last step, before a reset in it [mV], relative to E_L

  void get( Dictionary&, const EbnNeuronParameters& ) const;
  void set( const Dictionary&, const EbnNeuronParameters&, double delta_EL, nest::Node* );
};

class ebn_iaf_chiplearn : public ChiplearnNode< ebn_iaf_chiplearn, EbnNeuronParameters, EbnNeuronState >
{
public:
  //! The membrane potential [mV] now: before the effect of the spikes being delivered.
  double
  membrane_potential() const
  {
    return S_.dynamics.lif.v + P_.E_L;
  }

  /**
   * The membrane potential [mV] at the end of the last step before a reset in it: the potential the other
   * neurons' spikes of that step met. Büchel et al.'s simulator lets only the earliest of several crossing
   * neurons spike, so the others meet its spike near their threshold, not at their reset.
   */
  double
  membrane_potential_before_reset() const
  {
    return S_.v_before_reset + P_.E_L;
  }

  /**
   * The self term of the EBN rule, taken when an ebn_synapse_chiplearn delivers the neuron's own spike to
   * it: moves E_L and V_reset by the shift the core's rule gives (V_m and V_th stay where they are).
   */
  void take_self_term( double dead_zone, double reset_step );

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< ebn_iaf_chiplearn >;
  friend class nest::UniversalDataLogger< ebn_iaf_chiplearn >;

  double
  get_V_m_() const
  {
    return membrane_potential();
  }

  double
  get_I_syn_() const
  {
    return S_.dynamics.i_syn;
  }

  static nest::RecordablesMap< ebn_iaf_chiplearn > recordablesMap_;

  core::Exact arithmetic_;
  core::LeakyPropagators propagators_;
  core::CurrentLifParameters dynamics_;
  std::uint32_t noise_seed_ = 0;  //!< the kernel's rng_seed when the simulation started
};

}  // namespace chiplearn

namespace nest
{
template <>
void RecordablesMap< chiplearn::ebn_iaf_chiplearn >::create();
}  // namespace nest

#endif
