/*
 *  eprop_readout_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_READOUT_CHIPLEARN_H
#define EPROP_READOUT_CHIPLEARN_H

// chiplearn
#include "chiplearn_node.h"
#include "core/leaky.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, e-prop plasticity, current-based

Short description
+++++++++++++++++

Leaky-integrator readout neuron for e-prop

Description
+++++++++++

``eprop_readout_chiplearn`` is the output neuron of eligibility propagation (e-prop) [1]_: a leaky
integrator of its spike input that never spikes. With :math:`v` relative to :math:`E_\text{L}`:

.. math::

   v^t = \max\left( P_v v^{t-1} + P_i \left( I^{t-1}_\text{syn} + I_\text{e} \right)
         + P_z \sum_i w_i x_i^t ,\; V_\text{min} - E_\text{L} \right)

with the propagators of ``eprop_iaf_chiplearn``. :math:`P_v = e^{-h/\tau_\text{m}}` is the readout decay
:math:`\kappa` of the e-prop paper. The readout signal is :math:`V_\text{m}`. The default ``E_L`` of 0 mV
makes :math:`V_\text{m}` the network's output directly, as e-prop uses it. Loss functions, targets and
learning signals are added by the e-prop learning machinery of this module.

Parameters
++++++++++

========================= ======= ======================= ==========================================
**Parameter**             **Unit** **Default, range**     **Description**
========================= ======= ======================= ==========================================
``C_m``                   pF      250, > 0                Membrane capacitance
``E_L``                   mV      0, finite               Resting potential
``I_e``                   pA      0, finite               Constant external current
``tau_m``                 ms      10, > 0                 Time constant of the leaky integration
``V_min``                 mV      -inf                    Lower bound of the membrane potential
``regular_spike_arrival`` boolean True                    Input spike adds w (True) or (1 - P_v) w
========================= ======= ======================= ==========================================

State: ``V_m`` (mV), settable.

Recordables
+++++++++++

``V_m``  membrane potential, the readout signal (mV)

Receives
++++++++

SpikeEvent (weight in mV), CurrentEvent (pA), DataLoggingRequest

References
++++++++++

.. [1] Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W (2020). A solution to
       the learning dilemma for recurrent networks of spiking neurons. Nature Communications 11:3625.
       https://doi.org/10.1038/s41467-020-17236-y

See also
++++++++

eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn

EndUserDocs */

//! State of eprop_readout_chiplearn.
struct ReadoutNodeState
{
  double v = 0.0;     //!< membrane potential [mV], relative to E_L
  double i_in = 0.0;  //!< current for the next step, synaptic plus I_e [pA]

  void get( Dictionary&, const MembraneParameters& ) const;
  void set( const Dictionary&, const MembraneParameters&, double delta_EL, nest::Node* );
};

class eprop_readout_chiplearn
  : public ChiplearnNode< eprop_readout_chiplearn, MembraneParameters, ReadoutNodeState >
{
public:
  eprop_readout_chiplearn();

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eprop_readout_chiplearn >;
  friend class nest::UniversalDataLogger< eprop_readout_chiplearn >;

  double
  get_V_m_() const
  {
    return S_.v + P_.E_L;
  }

  core::LeakyPropagators propagators_;

  static nest::RecordablesMap< eprop_readout_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

namespace nest
{
//! Defined in eprop_readout_chiplearn.cpp; declared here so that every use of the map sees the specialization.
template <>
void RecordablesMap< chiplearn::eprop_readout_chiplearn >::create();
}  // namespace nest

#endif
