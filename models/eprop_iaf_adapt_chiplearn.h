/*
 *  eprop_iaf_adapt_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_IAF_ADAPT_CHIPLEARN_H
#define EPROP_IAF_ADAPT_CHIPLEARN_H

// chiplearn
#include "core/eprop.h"
#include "core/leaky.h"
#include "eprop_recurrent_node.h"

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

//! Parameters of eprop_iaf_adapt_chiplearn.
struct AlifNodeParameters
{
  SpikingParameters spiking;
  double adapt_beta = 1.0;  //!< threshold increase per unit of adaptation [mV]
  double adapt_tau = 10.0;  //!< time constant of the adaptation [ms]
  RecurrentLearningParameters learning;

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );
};

//! State of eprop_iaf_adapt_chiplearn.
struct AlifNodeState
{
  core::AlifState alif;
  double i_in = 0.0;  //!< current for the next step, synaptic plus I_e [pA]

  void get( Dictionary&, const AlifNodeParameters& ) const;
  void set( const Dictionary&, const AlifNodeParameters&, double delta_EL, nest::Node* );
};

class eprop_iaf_adapt_chiplearn
  : public EpropRecurrentNode< eprop_iaf_adapt_chiplearn, AlifNodeParameters, AlifNodeState >
{
public:
  core::EligibilityParameters eligibility_parameters() const;

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eprop_iaf_adapt_chiplearn >;
  friend class nest::UniversalDataLogger< eprop_iaf_adapt_chiplearn >;

  double
  get_V_m_() const
  {
    return S_.alif.lif.v + P_.spiking.membrane.E_L;
  }

  double
  get_adaptation_() const
  {
    return S_.alif.adaptation;
  }

  double
  get_V_th_adapt_() const
  {
    return core::adaptive_threshold( S_.alif, alif_ ) + P_.spiking.membrane.E_L;
  }

  core::LeakyPropagators propagators_;
  core::AlifParameters alif_;

  static nest::RecordablesMap< eprop_iaf_adapt_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

namespace nest
{
//! Defined in eprop_iaf_adapt_chiplearn.cpp; declared here so that every use of the map sees the specialization.
template <>
void RecordablesMap< chiplearn::eprop_iaf_adapt_chiplearn >::create();
}  // namespace nest

#endif
