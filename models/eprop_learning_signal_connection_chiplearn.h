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

// nestkernel
#include "eprop_learning_signal_connection_bsshslm_2020.h"
#include "exceptions.h"

// chiplearn
#include "eprop_target.h"

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
follow other delays and meanings. The delay must be one step.

Parameters: ``weight`` (the feedback weight), ``delay``.

See also
++++++++

eprop_readout_chiplearn, eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn, eprop_synapse_chiplearn

EndUserDocs */

template < typename targetidentifierT >
class eprop_learning_signal_connection_chiplearn
  : public nest::eprop_learning_signal_connection_bsshslm_2020< targetidentifierT >
{
  using Base = nest::eprop_learning_signal_connection_bsshslm_2020< targetidentifierT >;

public:
  void
  check_connection( nest::Node& s, nest::Node& t, size_t receptor_type, const typename Base::CommonPropertiesType& cp )
  {
    auto* target = dynamic_cast< LeakyNode* >( &t );
    const EpropTarget* learner = target ? target->eprop_target() : nullptr;
    if ( learner == nullptr or not learner->is_eprop_recurrent() )
    {
      throw nest::IllegalConnection( "eprop_learning_signal_connection_chiplearn connects chiplearn's readouts to "
        "chiplearn's recurrent neurons (eprop_iaf_chiplearn, eprop_iaf_adapt_chiplearn), not to " + t.get_name() + "." );
    }
    Base::check_connection( s, t, receptor_type, cp );  // the target checks the source
  }
};

}  // namespace chiplearn

#endif
