/*
 *  eprop_iaf_adapt_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_IAF_ADAPT_CHIPLEARN_H
#define EPROP_IAF_ADAPT_CHIPLEARN_H

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "core/leaky.h"
#include "leaky_node.h"

// nestkernel
#include "recordables_map.h"
#include "universal_data_logger.h"

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

Recordables
+++++++++++

``V_m``  membrane potential (mV); ``adaptation`` :math:`a`; ``V_th_adapt`` adaptive threshold :math:`A` (mV)

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

See also
++++++++

eprop_iaf_chiplearn, eprop_readout_chiplearn

EndUserDocs */

class eprop_iaf_adapt_chiplearn : public LeakyNode
{
public:
  eprop_iaf_adapt_chiplearn();
  eprop_iaf_adapt_chiplearn( const eprop_iaf_adapt_chiplearn& );

  using LeakyNode::handle;
  using LeakyNode::handles_test_event;

  void handle( nest::DataLoggingRequest& ) override;
  size_t handles_test_event( nest::DataLoggingRequest&, size_t ) override;

  void get_status( Dictionary& ) const override;
  void set_status( const Dictionary& ) override;

private:
  void init_buffers_() override;
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  friend class nest::RecordablesMap< eprop_iaf_adapt_chiplearn >;
  friend class nest::UniversalDataLogger< eprop_iaf_adapt_chiplearn >;

  struct Parameters_
  {
    SpikingParameters spiking;
    double adapt_beta = 1.0;  //!< threshold increase per unit of adaptation [mV]
    double adapt_tau = 10.0;  //!< time constant of the adaptation [ms]

    void get( Dictionary& ) const;
    double set( const Dictionary&, nest::Node* );
  };

  struct State_
  {
    core::AlifState alif;
    double i_in = 0.0;  //!< current for the next step, synaptic plus I_e [pA]

    void get( Dictionary&, const Parameters_& ) const;
    void set( const Dictionary&, const Parameters_&, double delta_EL, nest::Node* );
  };

  struct Variables_
  {
    core::LeakyPropagators propagators;
    core::AlifParameters alif;
  };

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
    return core::adaptive_threshold( S_.alif, V_.alif ) + P_.spiking.membrane.E_L;
  }

  Parameters_ P_;
  State_ S_;
  Variables_ V_;
  nest::UniversalDataLogger< eprop_iaf_adapt_chiplearn > logger_;

  static nest::RecordablesMap< eprop_iaf_adapt_chiplearn > recordablesMap_;
};

}  // namespace chiplearn

#endif
