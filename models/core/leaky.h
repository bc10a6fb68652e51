/*
 *  leaky.h -- chiplearn numerical core: leaky membranes integrated exactly on a time grid.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Header-only and free of NEST includes: the NEST models and the Python extension chiplearn._core
 *  call exactly these functions, so tests in Python exercise the arithmetic the simulations use.
 */

#ifndef CHIPLEARN_CORE_LEAKY_H
#define CHIPLEARN_CORE_LEAKY_H

#include <algorithm>
#include <cmath>

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
inline double
leaky_integrate( double v, const LeakyPropagators& P, double i_in, double z_in )
{
  return P.P_i * i_in + P.P_z * z_in + P.P_v * v;
}

/**
 * One step of a leaky integrator bounded below by V_min (the readout). i_in is the current in effect
 * during the step (set at the end of the previous one), z_in the summed weights of the spikes arriving
 * in this step.
 */
inline double
leaky_step( double v, const LeakyPropagators& P, double i_in, double z_in, double V_min )
{
  return std::max( leaky_integrate( v, P, i_in, z_in ), V_min );
}

/** Parameters of a LIF neuron with reset by subtraction; potentials relative to E_L. */
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

/**
 * Membrane part of a LIF step: v^t = P_i i^{t-1} + P_z z_in^t + P_v v^{t-1} - V_th z^{t-1}, bounded by V_min
 * (Bellec et al. 2020, Methods). The membrane keeps integrating while refractory; refractoriness only
 * blocks spikes.
 */
inline void
lif_integrate( LifState& s, const LifParameters& p, const LeakyPropagators& P, double i_in, double z_in )
{
  if ( s.refractory_left > 0 )
  {
    --s.refractory_left;
  }
  s.v = std::max( leaky_integrate( s.v, P, i_in, z_in ) - p.V_th * s.z, p.V_min );
}

/** Whether the neuron fires in this step: v^t >= threshold outside refractoriness. */
inline bool
lif_crosses_threshold( const LifState& s, double threshold )
{
  return s.v >= threshold and s.refractory_left == 0;
}

/** Spike part of a step: z^t = spike; a spike starts the refractory period. */
inline void
lif_set_spike( LifState& s, const LifParameters& p, bool spike )
{
  s.z = spike ? 1.0 : 0.0;
  if ( spike )
  {
    s.refractory_left = p.refractory_steps;
  }
}

/**
 * One step of the e-prop LIF neuron with reset by subtraction. The shortest inter-spike interval is
 * max(refractory_steps, 1) steps. Returns true on a spike.
 */
inline bool
lif_step( LifState& s, const LifParameters& p, const LeakyPropagators& P, double i_in, double z_in )
{
  lif_integrate( s, p, P, i_in, z_in );
  const bool spike = lif_crosses_threshold( s, p.V_th );
  lif_set_spike( s, p, spike );
  return spike;
}

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

/** Adaptive threshold A = V_th + adapt_beta * a [mV], relative to E_L. */
inline double
adaptive_threshold( const AlifState& s, const AlifParameters& p )
{
  return p.lif.V_th + p.adapt_beta * s.adaptation;
}

/**
 * Membrane and adaptation part of an ALIF step (Bellec et al. 2020, Methods):
 *   a^t = P_adapt a^{t-1} + z^{t-1},   A^t = V_th + adapt_beta a^t;  the neuron fires if v^t >= A^t.
 * The reset subtracts the baseline V_th, as in the paper's equations and NEST's e-prop models.
 */
inline void
alif_integrate( AlifState& s, const AlifParameters& p, const LeakyPropagators& P, double i_in, double z_in )
{
  lif_integrate( s.lif, p.lif, P, i_in, z_in );
  s.adaptation = p.P_adapt * s.adaptation + s.lif.z;
}

/** One step of the ALIF neuron. Returns true on a spike. */
inline bool
alif_step( AlifState& s, const AlifParameters& p, const LeakyPropagators& P, double i_in, double z_in )
{
  alif_integrate( s, p, P, i_in, z_in );
  const bool spike = lif_crosses_threshold( s.lif, adaptive_threshold( s, p ) );
  lif_set_spike( s.lif, p.lif, spike );
  return spike;
}

}  // namespace chiplearn::core

#endif
