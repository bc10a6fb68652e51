/*
 *  eprop_iaf_adapt_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_IAF_ADAPT_CHIPLEARN_H
#define EPROP_IAF_ADAPT_CHIPLEARN_H

// chiplearn
#include "core/membrane.h"
#include "eprop_recurrent_neuron.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, e-prop plasticity, current-based, integrate-and-fire, adaptive threshold

Short description
+++++++++++++++++

Leaky integrate-and-fire neuron with adaptive threshold (ALIF), delta-shaped synaptic input and reset
by subtraction, for e-prop

Description
+++++++++++

``eprop_iaf_adapt_chiplearn`` is the adaptive LIF neuron of eligibility propagation (e-prop) [1]_. Its
membrane follows ``eprop_iaf_chiplearn`` (see there); the threshold rises with each spike and relaxes
with ``adapt_tau``:

.. math::

   a^t &= P_a a^{t-1} + z^{t-1} , \qquad P_a = e^{-h/\tau_a} , \\
   A^t &= V_\text{th} + \beta a^t , \\
   z^t &= H\left( V_\text{m}^t - A^t \right) \quad \text{outside refractoriness.}

The reset subtracts the baseline threshold :math:`V_\text{th} - E_\text{L}`, as in the equations of [1]_
and NEST's ``eprop_iaf_adapt_bsshslm_2020``, whose dynamics these equal for the same parameters. Note
that :math:`a` jumps by 1 per spike (no :math:`1 - P_a` factor), so ``adapt_beta`` is the threshold
increase per spike in mV.

Parameters
++++++++++

All parameters of ``eprop_iaf_chiplearn``, and:

========================= ======= ======================= ==========================================
**Parameter**             **Unit** **Default, range**     **Description**
========================= ======= ======================= ==========================================
``adapt_beta``            mV      1.0, >= 0               Threshold increase per unit of adaptation
``adapt_tau``             ms      10, > 0                 Time constant of the adaptation
========================= ======= ======================= ==========================================

State: ``V_m`` (mV) and ``adaptation`` (dimensionless, >= 0), settable.

Learning is that of ``eprop_iaf_chiplearn`` with the ALIF eligibility trace
:math:`e = \psi (\bar{z} - \beta \epsilon)`, :math:`\epsilon \leftarrow P_a \epsilon + e` [1]_; the
pseudo-derivative is taken at the adaptive threshold.

Recordables
+++++++++++

``V_m``  membrane potential (mV); ``adaptation`` :math:`a`; ``V_th_adapt`` adaptive threshold :math:`A` (mV);
``surrogate_gradient`` :math:`\psi`; ``learning_signal`` :math:`L`; ``eprop_history_duration`` (ms)

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

See also
++++++++

eprop_iaf_chiplearn, eprop_readout_chiplearn

EndUserDocs */

/** Parameters of an adaptive-threshold LIF neuron: those of the LIF, adapt_beta and adapt_tau. */
struct AdaptiveSpikingParameters
{
  SpikingParameters spiking;
  double adapt_beta = 1.0;  //!< threshold increase per unit of adaptation [mV]
  double adapt_tau = 10.0;  //!< time constant of the adaptation [ms]

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );

  const MembraneParameters&
  membrane() const
  {
    return spiking.membrane();
  }

  core::AlifParameters dynamics() const;
};

/** The ALIF dynamics of eprop_iaf_adapt_chiplearn, for the recurrent e-prop neuron template. */
struct AlifModel
{
  using Dynamics = core::Alif;
  using Parameters = AdaptiveSpikingParameters;

  static void get_state( const core::AlifState&, Dictionary& );
  static void set_state( core::AlifState&, const Dictionary&, nest::Node* );
};

using eprop_iaf_adapt_chiplearn = EpropRecurrentNeuron< AlifModel >;

}  // namespace chiplearn

namespace nest
{
//! Defined in eprop_iaf_adapt_chiplearn.cpp; declared here so that every use of the map sees the specialization.
template <>
void RecordablesMap< chiplearn::eprop_iaf_adapt_chiplearn >::create();
}  // namespace nest

#endif
