/*
 *  eventprop_feedback_connection_chiplearn.h
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef EVENTPROP_FEEDBACK_CONNECTION_CHIPLEARN_H
#define EVENTPROP_FEEDBACK_CONNECTION_CHIPLEARN_H

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

// nestkernel
#include "connection.h"
#include "kernel_manager.h"
#include "model.h"
#include "secondary_event.h"

// chiplearn
#include "eventprop_iaf_chiplearn.h"
#include "eventprop_readout_chiplearn.h"
#include "eventprop_synapse_chiplearn.h"

namespace chiplearn
{

/* BeginUserDocs: synapse, EventProp plasticity

Short description
+++++++++++++++++

Reverse connection from an EventProp output to a hidden neuron that drives it: carries the output's adjoint
back and holds the forward weight

Description
+++++++++++

``eventprop_feedback_connection_chiplearn`` connects an ``eventprop_readout_chiplearn`` to an
``eventprop_iaf_chiplearn`` that drives it over an ``eventprop_synapse_chiplearn`` connection, with the same
delay and the same initial weight. Once per trial the output sends the description of its adjoint (its one
jump, its time constants); the connection evaluates :math:`w\,\tau_\text{m}/C_\text{m}\,(\lambda_V -
\lambda_I)` of the output at the arrival of each of the hidden neuron's spikes of the trial and adds it to
that spike's error (see ``eventprop_iaf_chiplearn``).

Its weight stays equal to the forward synapse's, to the bit: from the hidden neuron's spikes and its delay
it computes the arrival times the forward synapse saw, takes the same gradient from the same jump with the
same functions, and takes the same optimizer steps with the optimizer of the forward synapse model (common
property ``forward_synapse_model``, default ``eventprop_synapse_chiplearn``), before each trial the steps of
the batches before it. So the two are equal only if they start equal and have the same delay: create them
together (``chiplearn.eventprop.build_hidden_network`` does).

Parameters
++++++++++

Common property ``forward_synapse_model`` (string, an ``eventprop_synapse_chiplearn`` model); individual
``weight`` (pA, finite), ``delay`` (ms), ``adam_m``, ``adam_v``, ``adam_steps``.

Transmits
+++++++++

LearningSignalConnectionEvent

See also
++++++++

eventprop_iaf_chiplearn, eventprop_readout_chiplearn, eventprop_synapse_chiplearn

EndUserDocs */

/** The common property of the feedback connections: whose optimizer they follow. */
class EventpropFeedbackCommonProperties : public nest::CommonSynapseProperties
{
public:
  void get_status( Dictionary& d ) const;
  void set_status( const Dictionary& d, nest::ConnectorModel& cm );

  //! The forward synapse model's common properties (its optimizer and weight range) on this thread.
  const EventpropSynapseCommonProperties& forward( size_t thread ) const;

  std::string forward_synapse_model = "eventprop_synapse_chiplearn";
};

//! Checks weight, delay and Adam state in d (BadProperty naming the first one out of range), changing nothing.
void check_eventprop_feedback_entries( const Dictionary& d, bool model_defaults );

template < typename targetidentifierT >
class eventprop_feedback_connection_chiplearn : public nest::Connection< targetidentifierT >
{
public:
  typedef EventpropFeedbackCommonProperties CommonPropertiesType;
  typedef nest::Connection< targetidentifierT > ConnectionBase;

  static constexpr nest::ConnectionModelProperties properties = nest::ConnectionModelProperties::HAS_DELAY;

  using ConnectionBase::get_delay_steps;
  using ConnectionBase::get_rport;
  using ConnectionBase::get_target;

  std::unique_ptr< nest::SecondaryEvent >
  get_secondary_event()
  {
    return std::make_unique< nest::LearningSignalConnectionEvent >();
  }

  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const CommonPropertiesType& )
  {
    // a source on another thread or rank is a proxy: its model's prototype says what it is
    const nest::Node& source =
      s.is_proxy() ? nest::kernel().model_manager.get_node_model( s.get_model_id() )->get_prototype() : s;
    if ( dynamic_cast< const eventprop_readout_chiplearn* >( &source ) == nullptr
      or dynamic_cast< eventprop_iaf_chiplearn* >( &t ) == nullptr )
    {
      throw nest::IllegalConnection( "eventprop_feedback_connection_chiplearn connects an eventprop_readout_chiplearn "
                                     "to an eventprop_iaf_chiplearn, not "
        + s.get_name() + " to " + t.get_name() + "." );
    }
    Dictionary weight;
    weight[ nest::names::weight ] = learned_.weight;
    check_eventprop_feedback_entries( weight, false );
    if ( receptor_type != 0 )
    {
      throw nest::UnknownReceptorType( receptor_type, t.get_name() );
    }
    nest::LearningSignalConnectionEvent ge;
    s.sends_secondary_event( ge );
    // The hidden neuron takes no learning-signal events: send() hands the output's message to it directly, and
    // another connection of learning signals (which would deliver the events) is refused by its handles_test_event.
    ConnectionBase::target_.set_rport( receptor_type );
    ConnectionBase::target_.set_target( &t );
  }

  //! Collects the output's message; when it is complete, adds the errors and steps the weight.
  bool
  send( nest::Event& e, size_t thread, const CommonPropertiesType& cp )
  {
    auto& event = static_cast< nest::LearningSignalConnectionEvent& >( e );
    for ( auto it = event.begin(); it != event.end(); )
    {
      const double value = event.get_coeffvalue( it );  // advances it
      if ( std::isnan( value ) )
      {
        continue;
      }
      message_[ received_++ ] = value;
      if ( received_ == FeedbackMessage::length )
      {
        received_ = 0;
        deliver( FeedbackMessage::from( message_ ), thread, cp );
      }
    }
    return true;
  }

  void
  get_status( Dictionary& d ) const
  {
    ConnectionBase::get_status( d );
    learned_.get( d );
    d[ nest::names::size_of ] = static_cast< long >( sizeof( *this ) );
  }

  void
  set_status( const Dictionary& d, nest::ConnectorModel& cm )
  {
    const bool defaults = is_model_default( *this, cm );
    const auto set = [ & ]
    {
      check_eventprop_feedback_entries( d, defaults );
      ConnectionBase::set_status( d, cm );
      learned_.set( d );
    };
    set_connection_status( defaults, set );
  }

  void
  set_weight( double w )
  {
    learned_.weight = w;
  }

private:
  void
  deliver( const FeedbackMessage& message, size_t thread, const CommonPropertiesType& cp )
  {
    const size_t output = static_cast< size_t >( message.output );
    auto& hidden = *static_cast< eventprop_iaf_chiplearn* >( get_target( thread ) );  // checked at connection
    const EventpropSynapseCommonProperties& forward = cp.forward( thread );
    const size_t hidden_id = hidden.get_node_id();
    // the weight the forward synapse (hidden -> output) carried in this trial: the steps of the batches before it
    learned_.take( message.trial, 0.0, forward, hidden_id, output );
    const double h = nest::Time::get_resolution().get_ms();
    std::vector< double > arrivals;
    std::vector< double > errors;
    // spikes of the trial before may arrive in this one (they enter the gradient, but carry no error back)
    for ( const long trial : { message.trial - 1, message.trial } )
    {
      for ( const SentSpike& s : hidden.sent_spikes( trial ) )
      {
        const Arrival a = arrival_of( hidden.trial_grid(), s.stamp_steps, get_delay_steps(), s.offset, h );
        if ( a.trial == message.trial )
        {
          arrivals.push_back( a.time );
        }
        if ( trial == message.trial )
        {
          errors.push_back( a.trial == message.trial
              ? core::eventprop::feedback_error( message.membrane, message.jump, a.time, learned_.weight )
              : 0.0 );
        }
      }
    }
    hidden.add_feedback( message.trial, output, std::move( errors ) );
    if ( not arrivals.empty() )
    {
      const double gradient =
        core::eventprop::weight_gradient( message.membrane, std::span( &message.jump, 1 ), arrivals );
      learned_.take( message.trial, gradient, forward, hidden_id, output );
    }
  }

  EventpropLearnedWeight learned_;  //!< the forward synapse's weight, taking its steps
  std::array< double, FeedbackMessage::length > message_ {};
  std::size_t received_ = 0;
};

template < typename targetidentifierT >
constexpr nest::ConnectionModelProperties eventprop_feedback_connection_chiplearn< targetidentifierT >::properties;

}  // namespace chiplearn

#endif
