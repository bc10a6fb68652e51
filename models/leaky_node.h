/*
 *  leaky_node.h -- what every chiplearn neuron with a leaky membrane shares: the membrane parameters
 *  (C_m, E_L, I_e, tau_m, V_min, regular_spike_arrival) with their checks, and the input of spikes and
 *  currents over NEST's ordinary connections.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef CHIPLEARN_LEAKY_NODE_H
#define CHIPLEARN_LEAKY_NODE_H

#include <limits>
#include <string>
#include <vector>

// nestkernel
#include "archiving_node.h"
#include "dictionary.h"
#include "event.h"
#include "ring_buffer.h"

// chiplearn
#include "core/membrane.h"

namespace chiplearn
{

class EpropTarget;
class EventpropTarget;

/**
 * Step of the buffer in which event e is due at node; KernelException if that lies beyond the buffer (NEST's
 * delay range gone stale).
 */
long input_offset( const nest::Node& node, const nest::Event& e, const nest::RingBuffer& buffer );

/** Updates a potential stored relative to E_L from d's (absolute) entry `name`, or shifts it by -delta_EL. */
void update_relative_potential( const Dictionary& d,
  const std::string& name,
  double& value,
  double E_L,
  double delta_EL,
  nest::Node* node );

/** BadProperty naming the first membrane parameter out of range; V_min relative to E_L. */
void check_membrane( const std::string& model, double C_m, double E_L, double I_e, double tau_m, double V_min );

/**
 * Parameters of a leaky membrane. Potentials are stored relative to E_L, so that changing E_L moves
 * every potential with it, as in NEST's integrate-and-fire models.
 */
struct MembraneParameters
{
  double C_m = 250.0;                //!< membrane capacitance [pF]
  double E_L = -70.0;                //!< resting potential [mV]
  double I_e = 0.0;                  //!< constant external current [pA]
  double tau_m = 10.0;               //!< membrane time constant [ms]
  double V_min = -std::numeric_limits< double >::max();  //!< lower bound of V_m [mV], relative to E_L
  bool regular_spike_arrival = true;  //!< an input spike of weight w adds w (true) or (1 - P_v) w to V_m

  void get( Dictionary& d ) const;

  /**
   * Reads and checks the dictionary; V_min moves with E_L unless it is given. Returns the change of E_L,
   * which the model applies to its own relative potentials with update_relative_potential().
   */
  double set( const Dictionary& d, nest::Node* node );

  //! Updates a potential stored relative to E_L from the dictionary entry `name`, or shifts it by -delta_EL.
  void update_relative_potential( const Dictionary& d, const std::string& name, double& value,
    double delta_EL, nest::Node* node ) const;

  //! Throws BadProperty naming the first parameter out of range.
  void check( const std::string& model ) const;

  core::LeakyPropagators propagators() const;
};

/** Parameters of a spiking neuron with reset by subtraction: the membrane plus V_th and t_ref. */
struct SpikingParameters
{
  MembraneParameters membrane_parameters;
  double V_th = -55.0 - membrane_parameters.E_L;  //!< threshold [mV], relative to E_L
  double t_ref = 2.0;                              //!< refractory period [ms]

  void get( Dictionary& d ) const;

  //! As MembraneParameters::set, for V_th and t_ref too.
  double set( const Dictionary& d, nest::Node* node );

  const MembraneParameters&
  membrane() const
  {
    return membrane_parameters;
  }

  //! The core's parameters of the LIF dynamics (needs the simulation resolution).
  core::LifParameters dynamics() const;
};

/**
 * Base of the chiplearn neurons: receives spikes (weights in mV, added to V_m) and currents (pA) on
 * receptor 0 and buffers them for the step in which they arrive.
 */
class LeakyNode : public nest::ArchivingNode
{
public:
  using nest::Node::handle;
  using nest::Node::handles_test_event;

  size_t send_test_event( nest::Node& target, size_t receptor_type, nest::synindex, bool ) override;

  void handle( nest::SpikeEvent& e ) override;
  void handle( nest::CurrentEvent& e ) override;

  size_t handles_test_event( nest::SpikeEvent&, size_t receptor_type ) override;
  size_t handles_test_event( nest::CurrentEvent&, size_t receptor_type ) override;

  //! The neuron's e-prop learning side, or nullptr if e-prop synapses cannot target it.
  virtual EpropTarget*
  eprop_target()
  {
    return nullptr;
  }

  //! The neuron's EventProp learning side, or nullptr if EventProp synapses cannot target it.
  virtual EventpropTarget*
  eventprop_target()
  {
    return nullptr;
  }

protected:
  void clear_input_buffers();

  //! Step of the buffer in which event e is due; KernelException if that lies beyond the buffer.
  long input_offset( const nest::Event& e, const nest::RingBuffer& buffer ) const;

  //! Sends a spike in step origin + lag and records its time for spike-time-based synapses.
  void emit_spike( const nest::Time& origin, long lag );

  //! Sends an off-grid spike fired `offset` ms (0 <= offset < h) before the end of step origin + lag, and records it.
  void emit_precise_spike( const nest::Time& origin, long lag, double offset );

  //! Raises NumericalInstability naming the node and the quantity that is not finite.
  [[noreturn]] void numerical_instability( const std::string& quantity, double value ) const;

  //! Raises UnknownReceptorType unless receptor_type is 0.
  void require_receptor_zero( size_t receptor_type ) const;

  /**
   * Raises BadProperty for a key of d that neither the model has read nor NEST reads after it (the archiving
   * node's parameters, "frozen"): before anything is changed, so that a refused dictionary changes nothing.
   */
  void refuse_unknown_parameters( const Dictionary& d ) const;

  nest::RingBuffer spike_input_;    //!< summed spike weights per step [mV]
  nest::RingBuffer current_input_;  //!< summed currents per step [pA]
};

}  // namespace chiplearn

#endif
