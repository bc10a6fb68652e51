/*
 *  eprop_readout_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_READOUT_CHIPLEARN_H
#define EPROP_READOUT_CHIPLEARN_H

#include <cmath>
#include <string>
#include <vector>

// chiplearn
#include "chiplearn_node.h"
#include "core/arithmetic.h"
#include "core/eprop.h"
#include "core/loss.h"
#include "core/membrane.h"
#include "eprop_target.h"
#include "readout_receptors.h"

// nestkernel
#include "secondary_event.h"

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
:math:`\kappa` of the e-prop paper. The default ``E_L`` of 0 mV makes :math:`V_\text{m}` the network's
output directly.

Loss and learning signals. With ``loss`` = ``mean_squared_error`` the readout signal is
:math:`y = V_\text{m}`; with ``cross_entropy`` it is the softmax
:math:`y_k = e^{V_k} / \sum_l e^{V_l}` over the readouts of a task, which send each other their
:math:`V_\text{m}` over ``rate_connection_delayed`` connections (weight 1) to receptor ``readout_signal`` (1);
it is computed as :math:`1 / (1 + \sum_{l \ne k} e^{V_l - V_k})`, which cannot overflow. The target
:math:`y^*` arrives from a ``step_rate_generator`` over ``rate_connection_delayed`` to receptor
``target_signal`` (2). In the last ``eprop_learning_window`` of each update interval the error
:math:`y - y^*` is sent every step as a learning signal over ``eprop_learning_signal_connection_chiplearn``
(the feedback weights) to the recurrent neurons; outside the window it is 0. As in the original e-prop
and NEST's ``eprop_readout_bsshslm_2020``, the readout signal of a step is computed from the membrane of
the step before, when the other readouts' signals for the normalization are available. Synapses onto the
readout learn from its error (see ``eprop_synapse_chiplearn``).

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
``loss``                  string  mean_squared_error      ``mean_squared_error`` or ``cross_entropy``
========================= ======= ======================= ==========================================

State: ``V_m`` (mV), settable. Read-only: ``receptor_types`` and ``eprop_interval_offset`` (4), the step at
which the trials of the readout's signals start (modulo ``eprop_update_interval``): the signals of a trial's
step s are computed in step 4 + s, after three one-step hops and the normalization.

Recordables
+++++++++++

``V_m`` (mV); ``readout_signal`` :math:`y`; ``readout_signal_unnorm`` (:math:`V_\text{m}` or
:math:`e^{V_\text{m}}`); ``target_signal`` :math:`y^*`; ``error_signal`` :math:`y - y^*`;
``eprop_history_duration`` time covered by the interval history held for e-prop synapses (ms)

Sends
+++++

LearningSignalConnectionEvent, DelayedRateConnectionEvent (cross-entropy)

Receives
++++++++

SpikeEvent (weight in mV), CurrentEvent (pA), DelayedRateConnectionEvent (receptors 1 and 2),
DataLoggingRequest

References
++++++++++

.. [1] Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W (2020). A solution to
       the learning dilemma for recurrent networks of spiking neurons. Nature Communications 11:3625.
       https://doi.org/10.1038/s41467-020-17236-y

See also
++++++++

eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn

EndUserDocs */

//! Parameters of eprop_readout_chiplearn.
struct ReadoutNodeParameters
{
  MembraneParameters membrane;
  core::Loss loss = core::Loss::mean_squared_error;

  ReadoutNodeParameters();

  void get( Dictionary& ) const;
  double set( const Dictionary&, nest::Node* );
};

//! State of eprop_readout_chiplearn.
struct ReadoutNodeState
{
  double v = 0.0;                      //!< membrane potential [mV], relative to E_L
  double i_in = 0.0;                   //!< current for the next step, synaptic plus I_e [pA]
  double readout_signal = 0.0;         //!< y: V_m (MSE) or the softmax of the readouts (cross-entropy)
  double sent_V_m = 0.0;               //!< V_m of the last step [mV], sent to the other readouts for the next
  double target_signal = 0.0;          //!< y*: the target, from a rate generator on receptor target_signal
  double error_signal = 0.0;           //!< y - y* inside the learning window, else 0

  void get( Dictionary&, const ReadoutNodeParameters& ) const;
  void set( const Dictionary&, const ReadoutNodeParameters&, double delta_EL, nest::Node* );
};

class eprop_readout_chiplearn
  : public ChiplearnNode< eprop_readout_chiplearn, ReadoutNodeParameters, ReadoutNodeState >
  , public EpropLearner< core::ReadoutHistory >
{
public:
  using ChiplearnNode::handle;
  using ChiplearnNode::handles_test_event;
  using ChiplearnNode::sends_secondary_event;

  void handle( nest::DelayedRateConnectionEvent& ) override;
  size_t handles_test_event( nest::DelayedRateConnectionEvent&, size_t receptor_type ) override;

  void
  sends_secondary_event( nest::LearningSignalConnectionEvent& ) override
  {
  }

  void
  sends_secondary_event( nest::DelayedRateConnectionEvent& ) override
  {
  }

  void get_status( Dictionary& ) const override;

  EpropTarget*
  eprop_target() override
  {
    return this;
  }

  bool
  is_eprop_recurrent() const override
  {
    return false;
  }

private:
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  //! Sets readout_signal and error_signal of the step, and the V_m sent to the other readouts.
  void compute_error_signal();

  friend class ChiplearnNode;
  friend class nest::RecordablesMap< eprop_readout_chiplearn >;
  friend class nest::UniversalDataLogger< eprop_readout_chiplearn >;

  double
  get_V_m_() const
  {
    return S_.v + P_.membrane.E_L;
  }

  double
  get_readout_signal_() const
  {
    return S_.readout_signal;
  }

  //! V_m (MSE) or exp(V_m) (cross-entropy), the numerator of the readout signal.
  double
  get_readout_signal_unnorm_() const
  {
    return P_.loss == core::Loss::cross_entropy ? std::exp( S_.sent_V_m ) : S_.sent_V_m;
  }

  double
  get_target_signal_() const
  {
    return S_.target_signal;
  }

  double
  get_error_signal_() const
  {
    return S_.error_signal;
  }

  core::Exact arithmetic_;
  core::LeakyPropagators propagators_;
  long learning_window_steps_ = 1;
  core::OthersSoftmaxSum others_;  //!< the other readouts' membrane potentials of the previous step

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
