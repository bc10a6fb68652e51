/*
 *  eventprop.h -- chiplearn numerical core: EventProp (Wunderlich & Pehle 2021) for outputs with
 *  current-based exponential synapses: the closed-form forward solution between events, the threshold
 *  crossing inside a step, the adjoint (lambda_V, lambda_I) between events and its jumps, the two losses
 *  and the gradient of a weight from its input spikes' arrival times.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Units are NEST's: v [mV] relative to E_L, i [pA], w [pA], times [ms]; dv/dt = -v / tau_m + i / C_m,
 *  di/dt = -i / tau_s, an input spike of weight w makes i jump by w. The paper writes the same membrane as
 *  tau_m dV/dt = -V + I with I in mV; its adjoint is kept in those units (lambda_V and lambda_I per mV) and
 *  the conversion I = tau_m / C_m * i appears once, in weight_gradient().
 *
 *  Between events the adjoint obeys, in reverse time (paper, Table 2):
 *    tau_m lambda_V' = -lambda_V,   tau_s lambda_I' = -lambda_I + lambda_V,
 *  at a spike t_k of the neuron lambda_V jumps (lambda_V^- = lambda_V^+ + jump), lambda_I is continuous,
 *  and the gradient of a weight is dL/dw = -tau_s (tau_m / C_m) sum over the arrival times t_i of its input
 *  spikes of lambda_I(t_i).
 */

#ifndef CHIPLEARN_CORE_EVENTPROP_H
#define CHIPLEARN_CORE_EVENTPROP_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "checks.h"
#include "loss.h"
#include "membrane.h"

namespace chiplearn::core::eventprop
{

/** The membrane of an EventProp neuron: iaf_psc_exp with one synaptic time constant and reset to E_L. */
struct Membrane
{
  double tau_m = 10.0;  //!< membrane time constant [ms]
  double tau_s = 5.0;   //!< synaptic time constant [ms]; tau_s != tau_m
  double C_m = 250.0;   //!< capacitance [pF]
  double V_th = 15.0;   //!< threshold [mV], relative to E_L

  /**
   * Throws std::invalid_argument naming the first parameter out of range. tau_m == tau_s is refused:
   * the adjoint kernels divide by tau_m - tau_s, and the closed forms of the two equal time constants are
   * a different function (t e^{-t/tau}) that the models do not carry.
   */
  void
  check() const
  {
    require_positive( "tau_m", tau_m, "ms" );
    require_positive( "tau_syn", tau_s, "ms" );
    require_positive( "C_m", C_m, "pF" );
    require_positive( "V_th", V_th, "mV" );
    if ( tau_m == tau_s )
    {
      refuse( "tau_syn", tau_s, "ms", "tau_syn != tau_m (" + format_number( tau_m ) + " ms)" );
    }
  }
};

/** The state of the membrane: potential and synaptic current. */
struct MembraneState
{
  double v = 0.0;  //!< [mV], relative to E_L
  double i = 0.0;  //!< [pA]
};

//! The state a time t >= 0 after `s` with no input in between (exact solution; the propagators of iaf_psc_exp).
inline MembraneState
evolve( const MembraneState& s, const Membrane& m, double t )
{
  const ExpCurrentPropagators P = exp_current_propagators( t, m.tau_m, m.tau_s, m.C_m );
  return { decay_factor( t, m.tau_m ) * s.v + P.P_vi * s.i, P.P_ii * s.i };
}

//! dv/dt [mV/ms].
inline double
v_slope( const MembraneState& s, const Membrane& m )
{
  return -s.v / m.tau_m + s.i / m.C_m;
}

/**
 * The first time t in (0, h] at which v reaches V_th, for a state with v < V_th at 0 and v >= V_th at h
 * (the step in which the grid detected the spike). Between two events v = A e^{-t/tau_m} + B e^{-t/tau_s}
 * has at most one extremum, so such a step holds exactly one crossing. Newton's method kept inside a
 * bracket that shrinks every iteration, with bisection whenever Newton would leave it: it always converges,
 * quadratically near the root, also for grazing crossings where the slope vanishes.
 */
inline double
crossing_time( const MembraneState& start, const Membrane& m, double h )
{
  double lo = 0.0;
  double hi = h;
  double t = h;
  for ( int iteration = 0; iteration < 200 and hi - lo > 4.0 * std::numeric_limits< double >::epsilon() * h;
        ++iteration )
  {
    const MembraneState s = evolve( start, m, t );
    const double f = s.v - m.V_th;
    if ( f == 0.0 )
    {
      return t;
    }
    ( f < 0.0 ? lo : hi ) = t;
    const double slope = v_slope( s, m );
    const double newton = slope != 0.0 ? t - f / slope : lo;
    t = ( newton > lo and newton < hi ) ? newton : 0.5 * ( lo + hi );
  }
  return hi;
}

/**
 * The maximum of v over (0, h] for a state at 0 with no input in between, and when it is reached:
 * the end of the step or the one interior stationary point of A e^{-t/tau_m} + B e^{-t/tau_s}.
 */
struct Peak
{
  double t;  //!< [ms] from the start of the step
  double v;  //!< [mV]
};

inline Peak
peak_in_step( const MembraneState& start, const Membrane& m, double h )
{
  Peak best { h, evolve( start, m, h ).v };
  // v(t) = A e^{-t/tau_m} + B e^{-t/tau_s}, B = -i tau_m tau_s / (C_m (tau_m - tau_s)), A = v - B;
  // v'(t) = 0 where e^{t (1/tau_s - 1/tau_m)} = -B tau_m / (A tau_s).
  const double B = -start.i * m.tau_m * m.tau_s / ( m.C_m * ( m.tau_m - m.tau_s ) );
  const double A = start.v - B;
  const double ratio = A != 0.0 ? -B * m.tau_m / ( A * m.tau_s ) : 0.0;
  if ( ratio > 0.0 )
  {
    const double t = std::log( ratio ) / ( 1.0 / m.tau_s - 1.0 / m.tau_m );
    if ( t > 0.0 and t < h )
    {
      const double v = evolve( start, m, t ).v;
      if ( v > best.v )
      {
        best = { t, v };
      }
    }
  }
  return best;
}

/** Whether the output spikes (LIF, reset to E_L, no refractoriness) or is a non-spiking leaky readout. */
enum class NeuronModel
{
  lif,
  leaky
};

inline const std::vector< std::string >&
neuron_model_names()
{
  static const std::vector< std::string > names { "lif", "leaky" };
  return names;
}

/**
 * What an output observes of a trial for its loss. first_spike_time is the precise crossing inside the
 * grid step in which the spike was detected, and slope is tau_m dv/dt there (= tau_m i / C_m - V_th [mV],
 * the paper's tau_m V-dot^-); the maximum of v is taken over continuous time as well.
 */
struct TrialObservation
{
  double first_spike_time = std::numeric_limits< double >::quiet_NaN();  //!< [ms] from the trial start; NaN: silent
  double slope = std::numeric_limits< double >::quiet_NaN();             //!< [mV]
  double t_max = 0.0;                                                    //!< [ms]
  double v_max = 0.0;                                                    //!< [mV]; v = 0 at the trial start

  bool
  spiked() const
  {
    return not std::isnan( first_spike_time );
  }
};

/**
 * One grid step of an output, in the order of NEST's iaf_psc_exp: the membrane evolves over h from the
 * state after the previous step, the observation notes the crossing or the peak inside the step, a LIF
 * output that reaches V_th is reset to 0, and then the input spikes arriving in this step (summed weight
 * `input`, pA) make the current jump. t_start is the step's start relative to the trial. Returns whether
 * the output spiked.
 */
inline bool
output_step( MembraneState& s,
  TrialObservation& seen,
  NeuronModel model,
  const Membrane& m,
  const ExpCurrentPropagators& P,
  double P_v,
  double h,
  double t_start,
  double input )
{
  const MembraneState start = s;
  s = { P_v * s.v + P.P_vi * s.i, P.P_ii * s.i };
  bool spike = false;
  if ( model == NeuronModel::lif )
  {
    spike = s.v >= m.V_th;
    if ( spike )
    {
      if ( not seen.spiked() )
      {
        const double t = crossing_time( start, m, h );
        seen.first_spike_time = t_start + t;
        seen.slope = m.tau_m * v_slope( evolve( start, m, t ), m );
      }
      s.v = 0.0;
    }
  }
  else
  {
    const Peak peak = peak_in_step( start, m, h );
    if ( peak.v > seen.v_max )
    {
      seen.v_max = peak.v;
      seen.t_max = t_start + peak.t;
    }
  }
  s.i += input;
  return spike;
}

/** A jump of lambda_V (lambda_V just before minus just after, in reverse time) at a time of the trial. */
struct AdjointJump
{
  double time;      //!< [ms] from the trial start
  double lambda_v;  //!< [1/mV]
};

/** The adjoint state. */
struct AdjointState
{
  double lambda_v = 0.0;
  double lambda_i = 0.0;
};

/**
 * The adjoint a time d >= 0 earlier, with no event in between (exact solution of the reverse-time
 * equations): lambda_V decays with tau_m, and lambda_I is lambda_V low-pass filtered with tau_s,
 * lambda_I(t - d) = e^{-d/tau_s} lambda_I(t) + tau_m / (tau_m - tau_s) (e^{-d/tau_m} - e^{-d/tau_s}) lambda_V(t).
 */
inline AdjointState
propagate_back( const AdjointState& a, const Membrane& m, double d )
{
  const double P_m = std::exp( -d / m.tau_m );
  const double P_s = std::exp( -d / m.tau_s );
  // e^{-d/tau_m} - e^{-d/tau_s} = e^{-d/tau_m} (1 - e^{-d (1/tau_s - 1/tau_m)}), through expm1 for close time constants
  const double difference = -P_m * std::expm1( -d * ( 1.0 / m.tau_s - 1.0 / m.tau_m ) );
  return { P_m * a.lambda_v, P_s * a.lambda_i + m.tau_m / ( m.tau_m - m.tau_s ) * difference * a.lambda_v };
}

/**
 * The jump of lambda_V at a spike of the neuron (paper, Table 2, with reset to 0):
 *   jump = (V_th lambda_V^+ + dl/dt_k + error) / (tau_m V-dot^-),   tau_m V-dot^- = tau_m i / C_m - V_th,
 * with error the adjoint sent by the neurons it drives (zero for an output). The division is the exact
 * gradient's 1/(I - V_th): it diverges for a grazing crossing, where a small change of a weight moves the
 * spike far or removes it. slope_floor bounds the denominator from below; without a floor, grazing
 * crossings give gradients that silence the correct output for good (research note, pitfall 1).
 */
inline double
spike_jump( double lambda_v_after, double dl_dt, double error, double slope, double V_th, double slope_floor )
{
  return ( V_th * lambda_v_after + dl_dt + error ) / std::max( slope, slope_floor );
}

/**
 * dL/dw of one synapse: -tau_s tau_m / C_m sum_i lambda_I(t_i) over the arrival times t_i of its input
 * spikes in a trial, with the adjoint made of the target's jumps (both sorted by time). The adjoint is
 * carried backwards from event to event with propagate_back; lambda_I is continuous at a jump, so an
 * arrival at the time of a jump sees the same lambda_I on either side.
 */
inline double
weight_gradient( const Membrane& m, std::span< const AdjointJump > jumps, std::span< const double > arrivals )
{
  AdjointState a;
  double now = std::numeric_limits< double >::infinity();
  double lambda_i_sum = 0.0;
  auto jump = jumps.rbegin();
  auto arrival = arrivals.rbegin();
  const auto move_to = [ & ]( double t )
  {
    if ( std::isfinite( now ) )
    {
      a = propagate_back( a, m, now - t );
    }
    now = t;
  };
  while ( arrival != arrivals.rend() )
  {
    if ( jump != jumps.rend() and jump->time > *arrival )
    {
      move_to( jump->time );
      a.lambda_v += jump->lambda_v;
      ++jump;
    }
    else
    {
      if ( std::isfinite( now ) )
      {
        move_to( *arrival );
        lambda_i_sum += a.lambda_i;
      }
      ++arrival;
    }
  }
  return -m.tau_s * m.tau_m / m.C_m * lambda_i_sum;
}

/** The losses of a task's outputs. Both are a cross-entropy of a softmax over the task's outputs. */
enum class Loss
{
  first_spike_cross_entropy,
  max_voltage_cross_entropy
};

inline const std::vector< std::string >&
loss_names()
{
  static const std::vector< std::string > names { "first_spike_cross_entropy", "max_voltage_cross_entropy" };
  return names;
}

/**
 * First-spike-time cross-entropy (paper, eq. 11): L = -log softmax_l(-t / tau_0) + alpha (e^{t_l / tau_1} - 1)
 * for target l; the second term pulls the target's spike early.
 */
struct FirstSpikeLoss
{
  double tau_0 = 0.5;   //!< [ms] temperature of the softmax over first spike times
  double tau_1 = 6.4;   //!< [ms] time constant of the early-spike term
  double alpha = 3e-3;  //!< weight of the early-spike term

  void
  check() const
  {
    require_positive( "tau_0", tau_0, "ms" );
    require_positive( "tau_1", tau_1, "ms" );
    require_non_negative( "alpha", alpha, "" );
  }
};

/**
 * The time an output enters the first-spike softmax with: its first spike, or the trial end if it stayed
 * silent (the latest time it could have answered, so a silent target costs as much as a last-moment spike).
 */
inline double
first_spike_time_or_end( const TrialObservation& seen, double trial_length )
{
  return seen.spiked() ? seen.first_spike_time : trial_length;
}

//! The output's logit: -t / tau_0 (first spike) or v_max (max voltage).
inline double
logit( Loss loss, const TrialObservation& seen, double trial_length, const FirstSpikeLoss& f )
{
  return loss == Loss::first_spike_cross_entropy ? -first_spike_time_or_end( seen, trial_length ) / f.tau_0 : seen.v_max;
}

/**
 * dL/d(the output's observed value): dL/dt_k [1/ms] for the first-spike loss,
 *   (1 - p_l) / tau_0 + alpha / tau_1 e^{t_l / tau_1} for the target, -p_k / tau_0 for the others;
 * dL/dv_max,k = p_k - [k = target] [1/mV] for the max-voltage loss. p is the output's softmax probability.
 */
inline double
loss_derivative( Loss loss, double p, bool is_target, double t, const FirstSpikeLoss& f )
{
  if ( loss == Loss::max_voltage_cross_entropy )
  {
    return p - ( is_target ? 1.0 : 0.0 );
  }
  return is_target ? ( 1.0 - p ) / f.tau_0 + f.alpha / f.tau_1 * std::exp( t / f.tau_1 ) : -p / f.tau_0;
}

//! The loss of a trial, computed by its target output from its probability p and its first spike time.
inline double
target_loss( Loss loss, double p, double t, const FirstSpikeLoss& f )
{
  const double cross_entropy = -std::log( p );
  return loss == Loss::first_spike_cross_entropy ? cross_entropy + f.alpha * std::expm1( t / f.tau_1 ) : cross_entropy;
}

/**
 * The adjoint jump of an output at the end of a trial, from dL/d(its value):
 * - max voltage: lambda_V jumps by -dL/dv_max / tau_m at t_max (v_max = v(t_max) with t_max held: the
 *   derivative of a maximum is that of the function at its argument);
 * - first spike: lambda_V jumps by dL/dt / max(slope, slope_floor) at the first spike (spike_jump with
 *   lambda_V^+ = 0, since nothing after the first spike enters the loss);
 * - silent outputs (first spike): the target gets a phantom spike at the trial end with the floor as its
 *   slope, so that its incoming weights grow until it answers; a silent non-target gets no jump, it is
 *   already where the loss wants it.
 */
inline std::optional< AdjointJump >
output_jump( Loss loss,
  const TrialObservation& seen,
  double dl_dvalue,
  bool is_target,
  double trial_length,
  const Membrane& m,
  double slope_floor )
{
  if ( loss == Loss::max_voltage_cross_entropy )
  {
    return AdjointJump { seen.t_max, -dl_dvalue / m.tau_m };
  }
  if ( seen.spiked() )
  {
    return AdjointJump { seen.first_spike_time, spike_jump( 0.0, dl_dvalue, 0.0, seen.slope, m.V_th, slope_floor ) };
  }
  if ( is_target )
  {
    return AdjointJump { trial_length, spike_jump( 0.0, dl_dvalue, 0.0, slope_floor, m.V_th, slope_floor ) };
  }
  return std::nullopt;
}

/** What an output takes from a trial for its synapses: its probability, dL/d(its value), its adjoint jump. */
struct OutputAdjoint
{
  double p;
  double loss_derivative;
  std::optional< AdjointJump > jump;
};

/**
 * The adjoint of one output of a task at the end of a trial, from its own observation and the sum of the
 * other outputs' softmax terms (the outputs exchange their logits; loss.h's softmax, which cannot overflow).
 */
inline OutputAdjoint
output_adjoint( Loss loss,
  const TrialObservation& seen,
  const OthersSoftmaxSum& others,
  bool is_target,
  double trial_length,
  const Membrane& m,
  const FirstSpikeLoss& f,
  double slope_floor )
{
  const double p = readout_signal( core::Loss::cross_entropy, logit( loss, seen, trial_length, f ), others );
  const double derivative = loss_derivative( loss, p, is_target, first_spike_time_or_end( seen, trial_length ), f );
  return { p, derivative, output_jump( loss, seen, derivative, is_target, trial_length, m, slope_floor ) };
}

}  // namespace chiplearn::core::eventprop

#endif
