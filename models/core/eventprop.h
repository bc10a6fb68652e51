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
#include <stdexcept>
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

/** An input spike inside a grid step: the current jumps by w [pA] at t in (0, h] from the step's start. */
struct TimedInput
{
  double t;  //!< [ms] from the step's start; an on-grid spike arrives at the step's end, t = h
  double w;  //!< [pA]
};

/** A spike inside a trial: the time at which v crossed V_th and tau_m dv/dt there (the paper's tau_m V-dot^-). */
struct Spike
{
  double time;   //!< [ms] from the start of the step (lif_step) or of the trial
  double slope;  //!< [mV]
};

/** The propagators of one whole grid step, so that a step without off-grid input is iaf_psc_exp's to the bit. */
struct StepPropagators
{
  double h = 0.1;
  ExpCurrentPropagators P {};
  double P_v = 0.0;
};

inline StepPropagators
step_propagators( const Membrane& m, double h )
{
  return { h, exp_current_propagators( h, m.tau_m, m.tau_s, m.C_m ), decay_factor( h, m.tau_m ) };
}

//! The state dt after s with no input in between: the step's propagators for a whole step, else the closed form.
inline MembraneState
advance( const MembraneState& s, const Membrane& m, const StepPropagators& step, double dt )
{
  if ( dt == step.h )
  {
    return { step.P_v * s.v + step.P.P_vi * s.i, step.P.P_ii * s.i };
  }
  return evolve( s, m, dt );
}

//! Most spikes a neuron may fire inside one grid step before the step is refused as numerically unstable.
constexpr std::size_t max_spikes_per_step = 1000;

/**
 * Runs the pieces of one grid step between its input times: piece(start, t0, dt) integrates from state `start`
 * at t0 (from the step's start) over dt and leaves the state at the piece's end in s; then the inputs at the
 * piece's end make the current jump. inputs are sorted by time, each in (0, h].
 */
template < typename Piece >
void
run_pieces( MembraneState& s, const StepPropagators& step, std::span< const TimedInput > inputs, Piece&& piece )
{
  double t = 0.0;
  for ( const TimedInput& input : inputs )
  {
    if ( input.t > t )
    {
      piece( MembraneState( s ), t, input.t - t );
      t = input.t;
    }
    s.i += input.w;
  }
  if ( t < step.h )
  {
    piece( MembraneState( s ), t, step.h - t );
  }
}

/**
 * One grid step of a LIF neuron with reset to 0 at the crossing and no refractoriness: between inputs the
 * membrane evolves in closed form; when v >= V_th at the end of a piece, the crossing inside the piece is
 * found (crossing_time), v is reset to 0 there and the piece continues from the crossing (a neuron may fire
 * several times in a step). Appends the spikes, with times from the step's start, to `spikes`. The potential
 * between a crossing and the end of its step is the continuous-time model's, as in iaf_psc_exp_ps; the
 * detection at the pieces' ends is the grid's. Throws std::overflow_error after max_spikes_per_step spikes.
 */
inline void
lif_step( MembraneState& s,
  const Membrane& m,
  const StepPropagators& step,
  std::span< const TimedInput > inputs,
  std::vector< Spike >& spikes )
{
  std::size_t fired = 0;
  run_pieces( s,
    step,
    inputs,
    [ & ]( MembraneState start, double t0, double dt )
    {
      s = advance( start, m, step, dt );
      while ( s.v >= m.V_th )
      {
        if ( ++fired > max_spikes_per_step )
        {
          throw std::overflow_error( "more than " + std::to_string( max_spikes_per_step )
            + " spikes in one step (synaptic current " + format_number( start.i ) + " pA)" );
        }
        const double t = crossing_time( start, m, dt );
        const MembraneState at = evolve( start, m, t );
        spikes.push_back( { t0 + t, m.tau_m * v_slope( at, m ) } );
        start = { 0.0, at.i };
        t0 += t;
        dt -= t;
        s = evolve( start, m, dt );
      }
    } );
}

/**
 * One grid step of an output: a LIF output runs lif_step and notes its first spike (its precise crossing and
 * slope); a leaky output notes the maximum of v over the step's pieces. t_start is the step's start relative
 * to the trial; the spikes (times from the step's start) are appended to `spikes`.
 */
inline void
output_step( MembraneState& s,
  TrialObservation& seen,
  NeuronModel model,
  const Membrane& m,
  const StepPropagators& step,
  double t_start,
  std::span< const TimedInput > inputs,
  std::vector< Spike >& spikes )
{
  if ( model == NeuronModel::lif )
  {
    const std::size_t before = spikes.size();
    lif_step( s, m, step, inputs, spikes );
    if ( spikes.size() > before and not seen.spiked() )
    {
      seen.first_spike_time = t_start + spikes[ before ].time;
      seen.slope = spikes[ before ].slope;
    }
    return;
  }
  run_pieces( s,
    step,
    inputs,
    [ & ]( MembraneState start, double t0, double dt )
    {
      s = advance( start, m, step, dt );
      const Peak peak = peak_in_step( start, m, dt );
      if ( peak.v > seen.v_max )
      {
        seen.v_max = peak.v;
        seen.t_max = t_start + t0 + peak.t;
      }
    } );
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

/**
 * The adjoint jumps of a hidden neuron at its spikes of a trial (sorted by time), chained backwards in time:
 * at spike k, lambda_V^+ is what the later jumps left, and the jump is spike_jump with the error errors[k] that
 * the neurons it drives send back (sum_j w_jk (lambda_V^j - lambda_I^j) at the spike's arrival at j, w in the
 * paper's units, see feedback_error).
 */
inline std::vector< AdjointJump >
hidden_jumps( const Membrane& m, std::span< const Spike > spikes, std::span< const double > errors, double slope_floor )
{
  std::vector< AdjointJump > jumps( spikes.size() );
  AdjointState a;
  for ( std::size_t k = spikes.size(); k-- > 0; )
  {
    if ( k + 1 < spikes.size() )
    {
      a = propagate_back( a, m, spikes[ k + 1 ].time - spikes[ k ].time );
    }
    const double jump = spike_jump( a.lambda_v, 0.0, errors[ k ], spikes[ k ].slope, m.V_th, slope_floor );
    a.lambda_v += jump;
    jumps[ k ] = { spikes[ k ].time, jump };
  }
  return jumps;
}

/**
 * The lift of a silent hidden neuron, a regulariser: in a trial in which the neuron did not fire and that
 * ends a run of at least `after` such trials in a row, it adds strength (V_th - v_max) to the loss, with
 * v_max the largest v at the ends of the trial's grid steps. The exact gradient of a silent neuron is zero
 * (no spike time moves with its weights), so a hidden neuron that training silences never learns again, and
 * a layer that falls silent takes its outputs with it; the lift's gradient raises v_max until the neuron
 * fires. v at a fixed step end is a smooth function of the weights, so this is an exact gradient too: the
 * max-voltage loss's jump of lambda_V, -dL/dv_max / tau_m = strength / tau_m, at the step end of the maximum.
 * A neuron whose v never rises above rest (0 at the trial start) has its maximum before any input and is
 * not lifted. `after` = 1 lifts a neuron in every trial it is silent in; a batch's length lifts only
 * neurons that stayed silent through a batch.
 */
struct SilentLift
{
  double strength = 0.0;  //!< [1/mV]; 0: off
  long after = 1;         //!< silent trials in a row, this one included, before the lift applies

  void
  check() const
  {
    require_non_negative( "silent_lift", strength, "1/mV" );
    if ( after < 1 )
    {
      refuse( "silent_lift_after", static_cast< double >( after ), "trials", "silent_lift_after >= 1" );
    }
  }

  //! The adjoint jump of a trial that ends `silent_trials` silent trials in a row, with its maximum at t_max.
  std::optional< AdjointJump >
  jump( long silent_trials, double t_max, const Membrane& m ) const
  {
    if ( strength > 0.0 and silent_trials >= after )
    {
      return AdjointJump { t_max, strength / m.tau_m };
    }
    return std::nullopt;
  }
};

/**
 * What a spike arriving at time `arrival` at a neuron with adjoint jump `jump` (membrane `target`) over a
 * connection of weight w [pA] contributes to the error of its sender: w tau_m / C_m (lambda_V - lambda_I)
 * at the arrival (the weight in the paper's units, I = tau_m / C_m i). An arrival at or after the jump sees
 * the adjoint after it (0), as in weight_gradient.
 */
inline double
feedback_error( const Membrane& target, const AdjointJump& jump, double arrival, double w )
{
  if ( not( arrival < jump.time ) )
  {
    return 0.0;
  }
  const AdjointState a = propagate_back( { jump.lambda_v, 0.0 }, target, jump.time - arrival );
  return w * target.tau_m / target.C_m * ( a.lambda_v - a.lambda_i );
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
  //! the phantom spike of a silent target, as a fraction of dL/dt(trial end) / slope_floor (output_jump)
  double phantom_spike_scale = 1.0;

  void
  check() const
  {
    require_positive( "tau_0", tau_0, "ms" );
    require_positive( "tau_1", tau_1, "ms" );
    require_non_negative( "alpha", alpha, "" );
    require_non_negative( "phantom_spike_scale", phantom_spike_scale, "" );
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
 * - silent outputs (first spike): the target gets a phantom spike at the trial end, a jump of
 *   phantom_spike_scale dL/dt / slope_floor, so that its incoming weights grow until it answers (the exact
 *   gradient of a silent output is 0: no spike time moves with its weights); a silent non-target gets no
 *   jump, it is already where the loss wants it. With the scale at 1 the phantom is a crossing at the
 *   floor's slope, the largest jump an ordinary crossing can give, and one silent trial can outweigh the
 *   rest of its batch; 0 leaves silent targets without a gradient;
 * - the other outputs of a trial whose target stayed silent (target_silent) get no jump, as in Wunderlich
 *   & Pehle's code, which drops such trials: their loss would push them later, and through a hidden layer
 *   that they share with the target that lowers the target's drive too and silences it further.
 */
inline std::optional< AdjointJump >
output_jump( Loss loss,
  const TrialObservation& seen,
  double dl_dvalue,
  bool is_target,
  bool target_silent,
  double trial_length,
  const Membrane& m,
  const FirstSpikeLoss& f,
  double slope_floor )
{
  if ( loss == Loss::max_voltage_cross_entropy )
  {
    return AdjointJump { seen.t_max, -dl_dvalue / m.tau_m };
  }
  if ( target_silent and not is_target )
  {
    return std::nullopt;
  }
  if ( seen.spiked() )
  {
    return AdjointJump { seen.first_spike_time, spike_jump( 0.0, dl_dvalue, 0.0, seen.slope, m.V_th, slope_floor ) };
  }
  if ( is_target )
  {
    const double at_floor = spike_jump( 0.0, dl_dvalue, 0.0, slope_floor, m.V_th, slope_floor );
    return AdjointJump { trial_length, f.phantom_spike_scale * at_floor };
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
 * other outputs' softmax terms (the outputs exchange their logits; loss.h's softmax, which cannot overflow);
 * target_silent: the task's target output did not spike in the trial (first-spike loss).
 */
inline OutputAdjoint
output_adjoint( Loss loss,
  const TrialObservation& seen,
  const OthersSoftmaxSum& others,
  bool is_target,
  bool target_silent,
  double trial_length,
  const Membrane& m,
  const FirstSpikeLoss& f,
  double slope_floor )
{
  const double p = readout_signal( core::Loss::cross_entropy, logit( loss, seen, trial_length, f ), others );
  const double derivative = loss_derivative( loss, p, is_target, first_spike_time_or_end( seen, trial_length ), f );
  const auto jump = output_jump( loss, seen, derivative, is_target, target_silent, trial_length, m, f, slope_floor );
  return { p, derivative, jump };
}

}  // namespace chiplearn::core::eventprop

#endif
