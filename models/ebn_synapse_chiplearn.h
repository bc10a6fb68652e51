/*
 *  ebn_synapse_chiplearn.h -- the recurrent synapse of an efficient balanced network, with the discrete
 *  (or continuous) plasticity of Büchel et al. (2021).
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EBN_SYNAPSE_CHIPLEARN_H
#define EBN_SYNAPSE_CHIPLEARN_H

#include <string>
#include <vector>

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "ebn_iaf_chiplearn.h"

// nestkernel
#include "common_synapse_properties.h"
#include "connection.h"
#include "connector_model.h"

// chiplearn
#include "core/ebn.h"
#include "parameter_checks.h"
#include "synapse_common.h"

namespace chiplearn
{

/* BeginUserDocs: synapse, spike-coding network, discrete plasticity

Short description
+++++++++++++++++

Recurrent synapse of an efficient balanced network with the discrete learning rule of Büchel et al.

Description
+++++++++++

``ebn_synapse_chiplearn`` connects ``ebn_iaf_chiplearn`` neurons and learns with the local rule of
Büchel, Kakon, Perez & Indiveri (2021) [1]_, which drives a random network of LIF neurons into the tightly
balanced regime of spike-coding networks. On each presynaptic spike, with :math:`V` the postsynaptic
membrane potential just before the spike's effect (the synapse's delay must be one step, so that it is the
potential at the spike time) and :math:`\omega = ` ``omega_per_weight`` :math:`\cdot w`:

.. math::

   x = 2 V + \omega; \quad
   \text{discrete: } w \leftarrow w + g s \text{ if } x < -(g/2 + m), \quad
   w \leftarrow w - g s \text{ if } x > g/2 + m; \qquad
   \text{continuous: } w \leftarrow w - \eta x

with the granularity :math:`g`, the margin :math:`m` and the synapse's ``step_gain`` :math:`s` (1, or
drawn per synapse for device mismatch). The weight is a saturating counter: a step that would leave
[``Wmin`` s, ``Wmax`` s] is not taken (the continuous rule clips to that range). The spike is transmitted
with the weight before the update, as in the original code.

Self term. A connection of a neuron onto itself (``allow_autapses``) carries the rule's diagonal: with
:math:`V` the neuron's potential after its reset, :math:`x = 2 V + V_\text{reset} + V_\text{th}`, and the
neuron's ``V_reset`` and ``E_L`` move together by +``reset_step`` (if :math:`x < -(g/2 + m)`) or
-``reset_step`` (if :math:`x > g/2 + m`). Its weight is transmitted as any other (normally 0).

Units. Büchel et al.'s code converts a weight to a potential as :math:`\omega = w \, \tau_\text{m} / 1\,\text{s}`
(``omega_per_weight`` = 0.05 for :math:`\tau_\text{m}` = 50 ms, the default), while the potential a weight
causes is :math:`w \, \tau_\text{syn} / \tau_\text{m}` (0.02): their published results come from the first.

Parameters
++++++++++

Common to all connections of the model (``nest.SetDefaults``, ``nest.CopyModel``):

==================== ======= ==================== ==============================================
**Parameter**        **Unit** **Default, range**  **Description**
==================== ======= ==================== ==============================================
``learning``         boolean True                 Whether spikes change weights and resets
``learning_rule``    string  discrete             ``discrete`` or ``continuous``
``granularity``      pA      2, > 0               Weight step g
``margin``           mV      0, >= 0              Widens the dead zone to g/2 + margin
``omega_per_weight`` mV/pA   0.05, finite         Conversion of a weight to the rule's potential
``eta``              pA/mV   0.001, >= 0          Learning rate of the continuous rule
``reset_step``       mV      0.1, >= 0            Step of the self term
``Wmin``             pA      -inf, <= Wmax        Lowest weight (times step_gain)
``Wmax``             pA      inf, >= Wmin         Highest weight (times step_gain)
==================== ======= ==================== ==============================================

Per connection: ``weight`` (pA), ``delay`` (one simulation step), ``step_gain`` (> 0, default 1).

Transmits
+++++++++

SpikeEvent

References
++++++++++

.. [1] Büchel J, Kakon J, Perez M, Indiveri G (2021). Implementing efficient balanced networks with
       mixed-signal spike-based learning circuits. ISCAS 2021. https://arxiv.org/abs/2010.14353

See also
++++++++

ebn_iaf_chiplearn

EndUserDocs */

/** Properties shared by all connections of an ebn_synapse_chiplearn model. */
class EbnSynapseCommonProperties : public nest::CommonSynapseProperties
{
public:
  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  core::EbnRuleParameters rule;
  double reset_step = 0.1;  //!< step of the self term [mV]
};

/**
 * Checks one connection's weight, step_gain and delay from d (or the present values) against the rule's
 * range, and the keys of d; BadProperty naming the first one out of range. `known`: keys allowed besides.
 */
void check_ebn_connection_entries( const Dictionary& d,
  const core::EbnRuleParameters& rule,
  double weight,
  double step_gain,
  const std::vector< std::string >& known );

//! IllegalConnection unless the target is an ebn_iaf_chiplearn and the delay one step.
ebn_iaf_chiplearn& ebn_target_of( nest::Node& target, long delay_steps );

template < typename targetidentifierT >
class ebn_synapse_chiplearn : public nest::Connection< targetidentifierT >
{
public:
  typedef EbnSynapseCommonProperties CommonPropertiesType;
  typedef nest::Connection< targetidentifierT > ConnectionBase;

  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY
    | nest::ConnectionModelProperties::IS_PRIMARY | nest::ConnectionModelProperties::SUPPORTS_HPC;

  using ConnectionBase::get_delay_steps;
  using ConnectionBase::get_rport;
  using ConnectionBase::get_target;

  using ConnTestDummyNode = SpikeSynapseTestDummyNode;

  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& cp )
  {
    ebn_target_of( t, get_delay_steps() );
    check_ebn_connection_entries( Dictionary(), cp.rule, weight_, step_gain_, {} );
    ConnTestDummyNode dummy_target;
    ConnectionBase::check_connection_( dummy_target, s, t, receptor_type );
    is_autapse_ = s.get_node_id() == t.get_node_id();
  }

  bool
  send( nest::Event& e, size_t thread, const CommonPropertiesType& cp )
  {
    auto& target = static_cast< ebn_iaf_chiplearn& >( *get_target( thread ) );  // checked at connection
    e.set_receiver( target );
    e.set_weight( weight_ );
    e.set_delay_steps( get_delay_steps() );
    e.set_rport( get_rport() );
    e();
    if ( cp.rule.learning )
    {
      if ( is_autapse_ )
      {
        target.take_self_term( cp.rule.dead_zone(), cp.reset_step );
      }
      else
      {
        weight_ = core::ebn_weight_after_spike( cp.rule, weight_, target.membrane_potential_before_reset(), step_gain_ );
        if ( not std::isfinite( weight_ ) )
        {
          throw nest::NumericalInstability( "ebn_synapse_chiplearn (to node " + std::to_string( target.get_node_id() )
            + "): weight = " + format_number( weight_ ) + " after a step of the continuous rule; lower eta." );
        }
      }
    }
    return true;
  }

  void
  get_status( Dictionary& d ) const
  {
    ConnectionBase::get_status( d );
    d[ nest::names::weight ] = weight_;
    d[ step_gain_key ] = step_gain_;
    d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
  }

  //! Changes nothing unless every value is valid, every key known and the delay stays one step.
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  void
  set_weight( double w )
  {
    weight_ = w;
  }

  double
  get_weight() const
  {
    return weight_;
  }

  static inline const std::string step_gain_key = "step_gain";

private:
  double weight_ = 0.0;
  double step_gain_ = 1.0;
  bool is_autapse_ = false;  //!< carries the self term (set at connection: NEST's events do not always name their sender)
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties ebn_synapse_chiplearn< targetidentifierT >::properties;

//! Keys of a synapse model's defaults besides one connection's: read by NEST's connector model and the common properties.
const std::vector< std::string >& ebn_model_defaults_keys();

template < typename targetidentifierT >
void
ebn_synapse_chiplearn< targetidentifierT >::set_status( const Dictionary& d, nest::ConnectorModel& cm )
{
  const auto& model = dynamic_cast< const nest::GenericConnectorModel< ebn_synapse_chiplearn >& >( cm );
  const bool defaults = is_model_default( *this, cm );
  const auto set = [ & ]
  {
    double weight = weight_;
    double step_gain = step_gain_;
    d.update_value( nest::names::weight, weight );
    d.update_value( step_gain_key, step_gain );
    check_ebn_connection_entries(
      d, model.get_common_properties().rule, weight, step_gain, defaults ? ebn_model_defaults_keys() : std::vector< std::string > {} );
    const long delay_steps = get_delay_steps();
    ConnectionBase::set_status( d, cm );
    // the model's default delay is checked when a connection is made with it
    if ( not defaults and get_delay_steps() != 1 )
    {
      ConnectionBase::set_delay_steps( delay_steps );
      refuse_delay_other_than_one_step( "ebn_synapse_chiplearn", d.get< double >( nest::names::delay ) );
    }
    weight_ = weight;
    step_gain_ = step_gain;
  };
  set_connection_status( defaults, set );
}

}  // namespace chiplearn

#endif
