/*
 *  eprop_learning_signal_connection_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EPROP_LEARNING_SIGNAL_CONNECTION_CHIPLEARN_H
#define EPROP_LEARNING_SIGNAL_CONNECTION_CHIPLEARN_H

// chiplearn (first: it brings NEST's node headers in the order they need)
#include "leaky_node.h"

// C++
#include <memory>

// nestkernel
#include "connection.h"
#include "exceptions.h"
#include "nest_names.h"
#include "secondary_event.h"

// chiplearn
#include "eprop_target.h"
#include "synapse_common.h"

namespace chiplearn
{

/* BeginUserDocs: synapse, e-prop plasticity

Short description
+++++++++++++++++

Connection that carries the learning signals of chiplearn's e-prop readouts to its recurrent neurons

Description
+++++++++++

``eprop_learning_signal_connection_chiplearn`` is NEST's ``eprop_learning_signal_connection_bsshslm_2020``
for chiplearn's models: its weight is the feedback weight :math:`B_{jk}` by which the error of readout
:math:`k` (``eprop_readout_chiplearn``) enters the learning signal of recurrent neuron :math:`j`
(``eprop_iaf_chiplearn``, ``eprop_iaf_adapt_chiplearn``). It connects only these models: NEST's e-prop models
follow other delays and meanings. The delay must be one step. Signals that are 0 (all of them outside the
learning window) are not delivered: adding them would change nothing.

Parameters: ``weight`` (the feedback weight), ``delay``.

See also
++++++++

eprop_readout_chiplearn, eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn, eprop_synapse_chiplearn

EndUserDocs */

template < typename targetidentifierT >
class eprop_learning_signal_connection_chiplearn : public nest::Connection< targetidentifierT >
{
  using Base = nest::Connection< targetidentifierT >;

public:
  typedef nest::CommonSynapseProperties CommonPropertiesType;

  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY;

  using Base::get_delay_steps;
  using Base::get_rport;
  using Base::get_target;

  std::unique_ptr< nest::SecondaryEvent >
  get_secondary_event()
  {
    return std::make_unique< nest::LearningSignalConnectionEvent >();
  }

  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& )
  {
    auto* target = dynamic_cast< LeakyNode* >( &t );
    const EpropTarget* learner = target ? target->eprop_target() : nullptr;
    if ( learner == nullptr or not learner->is_eprop_recurrent() )
    {
      throw nest::IllegalConnection( "eprop_learning_signal_connection_chiplearn connects chiplearn's readouts to "
        "chiplearn's recurrent neurons (eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn), not to " + t.get_name() + "." );
    }
    // the recurrent neurons place a learning signal by its stamp, in the step that e-prop's chain of one-step
    // delays gives it (eprop_delays::learning_signal_lag): another delay would be ignored silently
    if ( get_delay_steps() != 1 )
    {
      refuse_delay_other_than_one_step( model_name, Base::get_delay() );
    }
    nest::LearningSignalConnectionEvent event;
    s.sends_secondary_event( event );
    event.set_sender( s );
    Base::target_.set_rport( t.handles_test_event( event, receptor_type ) );  // the target checks the source
    Base::target_.set_target( &t );
  }

  /**
   * Delivers the readout's learning signals unless every one of them is 0. NEST hands each readout's signals
   * to each of its recurrent neurons in every communication round, also outside the learning window, where
   * the readout's error is 0 and the neuron would discard them (EpropRecurrentNeuron::handle); discarding
   * them here spares NEST's dispatch to the neuron. The product with the weight is tested, as the neuron
   * tests it: a non-finite weight times 0 is not 0 and reaches the neuron's finiteness check.
   */
  bool
  send( nest::Event& e, size_t thread, const CommonPropertiesType& )
  {
    auto& signals = static_cast< nest::LearningSignalConnectionEvent& >( e );
    for ( auto it = signals.begin(); it != signals.end(); )
    {
      if ( weight_ * signals.get_coeffvalue( it ) != 0.0 )  // get_coeffvalue advances it
      {
        e.set_weight( weight_ );
        e.set_delay_steps( get_delay_steps() );
        e.set_receiver( *get_target( thread ) );
        e.set_rport( get_rport() );
        e();
        return true;
      }
    }
    return false;
  }

  void
  get_status( Dictionary& d ) const
  {
    Base::get_status( d );
    d[ nest::names::weight ] = weight_;
    d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
  }

  void
  set_status( const Dictionary& d, nest::ConnectorModel& cm )
  {
    const long delay_steps = get_delay_steps();
    Base::set_status( d, cm );
    // the model's default delay is checked when a connection is made with it
    if ( not is_model_default( *this, cm ) and d.known( nest::names::delay ) and get_delay_steps() != 1 )
    {
      Base::set_delay_steps( delay_steps );
      refuse_delay_other_than_one_step( model_name, d.get< double >( nest::names::delay ) );
    }
    d.update_value( nest::names::weight, weight_ );
  }

  void
  set_weight( double w )
  {
    weight_ = w;
  }

private:
  static inline const std::string model_name = "eprop_learning_signal_connection_chiplearn";

  double weight_ = 1.0;  //!< feedback weight B_jk
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties eprop_learning_signal_connection_chiplearn< targetidentifierT >::properties;

}  // namespace chiplearn

#endif
