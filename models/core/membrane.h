/*
 *  membrane.h -- chiplearn numerical core: leaky membranes on a time grid, and the spiking dynamics built on
 *  them (LIF with reset by subtraction, LIF with reset to a value, adaptive-threshold LIF).
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Header-only and free of NEST includes: the NEST models and the Python extension chiplearn._core call
 *  exactly these functions, so tests in Python exercise the arithmetic the simulations use. Every operation
 *  on state goes through an arithmetic policy (arithmetic.h). A dynamics type (Lif, LifResetToValue, Alif)
 *  bundles its parameters, its state and the parts of one step; the NEST neuron templates run its step.
 */

#ifndef CHIPLEARN_CORE_MEMBRANE_H
#define CHIPLEARN_CORE_MEMBRANE_H

#include <cmath>

#include "arithmetic.h"

namespace chiplearn::core
{

/**
 * Propagators of dv/dt = -v / tau_m + I / C_m over one step h (exact integration, Rotter & Diesmann 1999).
 * v is measured relative to the resting potential E_L.
 */
struct LeakyPropagators
{
  double P_v;  //!< decay of v over one step, exp(-h / tau_m)
  double P_i;  //!< effect of a current held constant over the step, tau_m / C_m * (1 - P_v)  [mV/pA]
  double P_z;  //!< effect of a weighted input spike: 1, or (1 - P_v) when spikes are taken as pulses of current
};

/**
 * With regular_spike_arrival, an input spike of weight w adds w to v (the e-prop convention,
 * Bellec et al. 2020); otherwise it adds (1 - P_v) w, as a current w / C_m * tau_m held over one step would.
 */
inline LeakyPropagators
leaky_propagators( double h, double tau_m, double C_m, bool regular_spike_arrival )
{
  // 1 - exp(-x) through expm1: with the second-long leaks of long-memory tasks (tau_m = 2 s, h = 1 ms)
  // the plain difference would lose five of sixteen significant digits.
  const double one_minus_P_v = -std::expm1( -h / tau_m );
  return { 1.0 - one_minus_P_v, tau_m / C_m * one_minus_P_v, regular_spike_arrival ? 1.0 : one_minus_P_v };
}

/** Decay factor exp(-h / tau) of a trace over one step. */
inline double
decay_factor( double h, double tau )
{
  return std::exp( -h / tau );
}

/** P_i i_in + P_z z_in + P_v v: the leaky integration of one step, before any bound or reset. */
template < typename Arithmetic >
double
leaky_integrate( double v, const LeakyPropagators& P, double i_in, double z_in, const Arithmetic& a )
{
  return a.add( a.add( a.scale( i_in, P.P_i ), a.scale( z_in, P.P_z ) ), a.scale( v, P.P_v ) );
}

/**
 * One step of a leaky integrator bounded below by V_min (the readout). i_in is the current in effect
 * during the step (set at the end of the previous one), z_in the summed weights of the spikes arriving
 * in this step.
 */
template < typename Arithmetic >
double
leaky_step( double v, const LeakyPropagators& P, double i_in, double z_in, double V_min, const Arithmetic& a )
{
  return a.bound_below( leaky_integrate( v, P, i_in, z_in, a ), V_min );
}

/** Parameters of a LIF neuron; potentials relative to E_L. */
struct LifParameters
{
  double V_th;            //!< threshold [mV], relative to E_L
  double V_min;           //!< lower bound of v [mV], relative to E_L
  long refractory_steps;  //!< steps after a spike during which no spike is emitted
};

/** State of a LIF neuron. */
struct LifState
{
  double v = 0.0;            //!< membrane potential [mV], relative to E_L
  double z = 0.0;            //!< 1.0 in the step of a spike, else 0.0
  long refractory_left = 0;  //!< steps of refractoriness still to come
};

/** Counts refractoriness down by one step. The membrane keeps integrating while refractory; it only blocks spikes. */
inline void
count_refractory_step( LifState& s )
{
  if ( s.refractory_left > 0 )
  {
    --s.refractory_left;
  }
}

/** Whether the neuron fires in this step: v^t >= threshold outside refractoriness. */
inline bool
lif_crosses_threshold( const LifState& s, double threshold )
{
  return s.v >= threshold and s.refractory_left == 0;
}

/** z^t = spike; a spike starts the refractory period. */
inline void
lif_set_spike( LifState& s, const LifParameters& p, bool spike )
{
  s.z = spike ? 1.0 : 0.0;
  if ( spike )
  {
    s.refractory_left = p.refractory_steps;
  }
}

/** Access to the LIF part of a dynamics whose state is a LifState. */
struct PlainLifState
{
  static const LifState&
  lif( const LifState& s )
  {
    return s;
  }

  static LifState&
  lif( LifState& s )
  {
    return s;
  }
};

/** Access to the LIF part of a dynamics whose state holds a LifState as its member `lif`. */
struct NestedLifState
{
  template < typename State >
  static const LifState&
  lif( const State& s )
  {
    return s.lif;
  }

  template < typename State >
  static LifState&
  lif( State& s )
  {
    return s.lif;
  }
};

/**
 * LIF with reset by subtraction, the neuron of e-prop: v^t = P_i i^{t-1} + P_z z_in^t + P_v v^{t-1} - V_th z^{t-1},
 * bounded by V_min (Bellec et al. 2020, Methods): the threshold is subtracted in the step after a spike.
 * The shortest inter-spike interval is max(refractory_steps, 1) steps.
 */
struct Lif : PlainLifState
{
  using Parameters = LifParameters;
  using State = LifState;

  template < typename Arithmetic >
  static void
  integrate( State& s, const Parameters& p, const LeakyPropagators& P, double i_in, double z_in, const Arithmetic& a )
  {
    count_refractory_step( s );
    s.v = a.bound_below( a.subtract( leaky_integrate( s.v, P, i_in, z_in, a ), a.scale( s.z, p.V_th ) ), p.V_min );
  }

  static double
  threshold( const State&, const Parameters& p )
  {
    return p.V_th;
  }

  template < typename Arithmetic >
  static void
  set_spike( State& s, const Parameters& p, bool spike, const Arithmetic& )
  {
    lif_set_spike( s, p, spike );
  }
};

/** Parameters of a LIF neuron with reset to a value. */
struct LifResetParameters
{
  LifParameters lif;
  double V_reset;  //!< potential after a spike [mV], relative to E_L
};

/**
 * LIF with reset to a value, the neuron of spike-coding (efficient balanced) networks:
 * v^t = max(P_i i^{t-1} + P_z z_in^t + P_v v^{t-1}, V_min), and v^t = V_reset in the step of a spike.
 */
struct LifResetToValue : PlainLifState
{
  using Parameters = LifResetParameters;
  using State = LifState;

  template < typename Arithmetic >
  static void
  integrate( State& s, const Parameters& p, const LeakyPropagators& P, double i_in, double z_in, const Arithmetic& a )
  {
    count_refractory_step( s );
    s.v = leaky_step( s.v, P, i_in, z_in, p.lif.V_min, a );
  }

  static double
  threshold( const State&, const Parameters& p )
  {
    return p.lif.V_th;
  }


  template < typename Arithmetic >
  static void
  set_spike( State& s, const Parameters& p, bool spike, const Arithmetic& )
  {
    lif_set_spike( s, p.lif, spike );
    if ( spike )
    {
      s.v = p.V_reset;
    }
  }
};

/** Parameters of the adaptive-threshold LIF (ALIF) neuron. */
struct AlifParameters
{
  LifParameters lif;
  double adapt_beta;  //!< threshold increase per unit of adaptation [mV]
  double P_adapt;     //!< decay of the adaptation over one step, exp(-h / adapt_tau)
};

/** State of the ALIF neuron. */
struct AlifState
{
  LifState lif;
  double adaptation = 0.0;  //!< a: spike train low-pass filtered with adapt_tau (dimensionless)
};

/**
 * Adaptive-threshold LIF (Bellec et al. 2020, Methods): the membrane of Lif, and
 *   a^t = P_adapt a^{t-1} + z^{t-1},   A^t = V_th + adapt_beta a^t;  the neuron fires if v^t >= A^t.
 * The reset subtracts the baseline V_th, as in the paper's equations and NEST's e-prop models.
 */
struct Alif : NestedLifState
{
  using Parameters = AlifParameters;
  using State = AlifState;

  template < typename Arithmetic >
  static void
  integrate( State& s, const Parameters& p, const LeakyPropagators& P, double i_in, double z_in, const Arithmetic& a )
  {
    Lif::integrate( s.lif, p.lif, P, i_in, z_in, a );
    s.adaptation = a.add( a.scale( s.adaptation, p.P_adapt ), s.lif.z );
  }

  //! Adaptive threshold A = V_th + adapt_beta * a [mV], relative to E_L.
  static double
  threshold( const State& s, const Parameters& p )
  {
    return p.lif.V_th + p.adapt_beta * s.adaptation;
  }

  template < typename Arithmetic >
  static void
  set_spike( State& s, const Parameters& p, bool spike, const Arithmetic& )
  {
    lif_set_spike( s.lif, p.lif, spike );
  }
};

/**
 * Propagators of a current-based exponential synapse, di/dt = -i / tau_syn, into the membrane
 * dv/dt = -v / tau_m + i / C_m over one step h (exact integration, Rotter & Diesmann 1999).
 */
struct ExpCurrentPropagators
{
  double P_ii;  //!< decay of the synaptic current over one step, exp(-h / tau_syn)
  double P_vi;  //!< effect on v of the synaptic current at the start of the step [mV/pA]
};

/**
 * P_vi = (e^{-h/tau_syn} - e^{-h/tau_m}) / (C_m (1/tau_m - 1/tau_syn)) = e^{-h/tau_m} expm1(h r) / (C_m r) with
 * r = 1/tau_m - 1/tau_syn: through expm1, close time constants lose no digits, and r = 0 (tau_syn = tau_m)
 * takes the limit h e^{-h/tau_m} / C_m.
 */
inline ExpCurrentPropagators
exp_current_propagators( double h, double tau_m, double tau_syn, double C_m )
{
  const double P_vv = std::exp( -h / tau_m );
  const double rate_difference = 1.0 / tau_m - 1.0 / tau_syn;
  const double P_vi = rate_difference == 0.0
    ? h / C_m * P_vv
    : P_vv * std::expm1( h * rate_difference ) / ( C_m * rate_difference );
  return { std::exp( -h / tau_syn ), P_vi };
}

/** Parameters of a current-based LIF with reset to a value: the reset LIF and its synaptic current's propagators. */
struct CurrentLifParameters
{
  LifResetParameters reset_lif;
  ExpCurrentPropagators synapse;
};

/** State of a current-based LIF: the LIF state and the synaptic current [pA]. */
struct CurrentLifState
{
  LifState lif;
  double i_syn = 0.0;
};

/**
 * LIF with an exponential synaptic current and reset to a value, the neuron of spike-coding networks with
 * fast synapses (Boerlin, Machens & Deneve 2013; Büchel et al. 2021) and NEST's iaf_psc_exp with one
 * synaptic time constant: v^t = max(P_v v^{t-1} + P_i i_in^{t-1} + P_vi i_syn^{t-1}, V_min),
 * i_syn^t = P_ii i_syn^{t-1} + z_in^t (input spikes' weights as jumps of the current), v^t = V_reset on a spike.
 */
struct CurrentLifResetToValue : NestedLifState
{
  using Parameters = CurrentLifParameters;
  using State = CurrentLifState;

  template < typename Arithmetic >
  static void
  integrate( State& s, const Parameters& p, const LeakyPropagators& P, double i_in, double z_in, const Arithmetic& a )
  {
    count_refractory_step( s.lif );
    s.lif.v = a.bound_below(
      a.add( leaky_integrate( s.lif.v, P, i_in, 0.0, a ), a.scale( s.i_syn, p.synapse.P_vi ) ), p.reset_lif.lif.V_min );
    s.i_syn = a.add( a.scale( s.i_syn, p.synapse.P_ii ), z_in );
  }

  static double
  threshold( const State&, const Parameters& p )
  {
    return p.reset_lif.lif.V_th;
  }

  template < typename Arithmetic >
  static void
  set_spike( State& s, const Parameters& p, bool spike, const Arithmetic& a )
  {
    LifResetToValue::set_spike( s.lif, p.reset_lif, spike, a );
  }
};

/** One step of a spiking dynamics type: integrate, compare with the threshold, spike. Returns true on a spike. */
template < typename Dynamics, typename Arithmetic >
bool
spiking_step( typename Dynamics::State& s,
  const typename Dynamics::Parameters& p,
  const LeakyPropagators& P,
  double i_in,
  double z_in,
  const Arithmetic& a )
{
  Dynamics::integrate( s, p, P, i_in, z_in, a );
  const bool spike = lif_crosses_threshold( Dynamics::lif( s ), Dynamics::threshold( s, p ) );
  Dynamics::set_spike( s, p, spike, a );
  return spike;
}

}  // namespace chiplearn::core

#endif
