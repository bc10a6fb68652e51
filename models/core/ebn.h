/*
 *  ebn.h -- chiplearn numerical core: the plasticity of efficient balanced networks (Büchel, Kakon, Perez &
 *  Indiveri, ISCAS 2021), discrete and continuous.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  On each spike of neuron k, the weight of k's connection onto neuron n changes so that n's membrane
 *  potential becomes more symmetric around rest before and after the spike: with V the potential of n just
 *  before the spike's effect and omega the weight in the rule's potential units,
 *    x = 2 V + omega;   discrete:   x < -(g/2 + margin): w += g;   x > g/2 + margin: w -= g;
 *                       continuous: w -= eta x   (the gradient of (V_before + V_after)^2 / 4).
 *  The self term (n = k) moves the neuron's reset and resting potentials instead of a weight.
 *
 *  Units. Büchel et al.'s code converts a weight to the rule's potential as omega = w tau_m / 1 s, while the
 *  potential a weight w actually causes is w tau_syn / tau_m (for tau_syn << tau_m): the two differ by
 *  tau_m^2 / (tau_syn 1 s), 2.5 with their constants. Their published results come from the first
 *  conversion; the conversion is a parameter (omega_per_weight), and its default is theirs.
 */

#ifndef CHIPLEARN_CORE_EBN_H
#define CHIPLEARN_CORE_EBN_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "checks.h"

namespace chiplearn::core
{

enum class EbnRule
{
  discrete,   //!< fixed steps of +-g on the weight grid (the circuit's rule)
  continuous  //!< gradient steps -eta x (the rule the discrete one approximates)
};

inline const std::vector< std::string >&
ebn_rule_names()
{
  static const std::vector< std::string > names { "discrete", "continuous" };
  return names;
}

/** Settings of the EBN rule shared by all connections of a synapse model. */
struct EbnRuleParameters
{
  EbnRule rule = EbnRule::discrete;
  bool learning = true;           //!< whether spikes change weights
  double granularity = 2.0;       //!< g: the weight step [pA]
  double margin = 0.0;            //!< widens the dead zone |x| <= g/2 + margin [mV]
  double omega_per_weight = 0.05; //!< omega = omega_per_weight w [mV/pA]; 0.05 = tau_m / 1 s of Büchel et al.
  double eta = 0.001;             //!< learning rate of the continuous rule [pA/mV]
  double Wmin = -std::numeric_limits< double >::infinity();  //!< lowest weight at step_gain 1 [pA]
  double Wmax = std::numeric_limits< double >::infinity();   //!< highest weight at step_gain 1 [pA]

  //! Half-width of the dead zone in which the discrete rule leaves a weight alone [mV].
  double
  dead_zone() const
  {
    return granularity / 2.0 + margin;
  }

  //! Throws std::invalid_argument naming the first setting out of range.
  void
  check() const
  {
    require_positive( "granularity", granularity, "pA" );
    require_non_negative( "margin", margin, "mV" );
    require_finite( "omega_per_weight", omega_per_weight, "mV/pA" );
    require_non_negative( "eta", eta, "pA/mV" );
    require_finite( "eta", eta, "pA/mV" );
    if ( std::isnan( Wmin ) or Wmin == std::numeric_limits< double >::infinity() )
    {
      refuse( "Wmin", Wmin, "pA", "-inf <= Wmin < inf" );
    }
    if ( std::isnan( Wmax ) or Wmax == -std::numeric_limits< double >::infinity() )
    {
      refuse( "Wmax", Wmax, "pA", "-inf < Wmax <= inf" );
    }
    if ( Wmin > Wmax )
    {
      refuse( "Wmax", Wmax, "pA", "Wmax >= Wmin (" + format_number( Wmin ) + ")" );
    }
  }
};

/**
 * The weight after a presynaptic spike, for a synapse of weight w whose target had potential V_before [mV]
 * just before the spike's effect. step_gain scales this synapse's step and range (1: nominal; device
 * mismatch draws it per synapse), so that the weight is a counter of steps of g step_gain within
 * [Wmin, Wmax] step_gain. A discrete step that would leave the range is not taken (a saturating counter).
 */
inline double
ebn_weight_after_spike( const EbnRuleParameters& p, double w, double V_before, double step_gain )
{
  if ( not p.learning )
  {
    return w;
  }
  const double x = 2.0 * V_before + p.omega_per_weight * w;
  const double lowest = p.Wmin * step_gain;
  const double highest = p.Wmax * step_gain;
  if ( p.rule == EbnRule::continuous )
  {
    return std::clamp( w - p.eta * x, lowest, highest );
  }
  const double step = p.granularity * step_gain;
  if ( x < -p.dead_zone() and w + step <= highest )
  {
    return w + step;
  }
  if ( x > p.dead_zone() and w - step >= lowest )
  {
    return w - step;
  }
  return w;
}

/**
 * The self term of the discrete rule, taken when neuron k itself spikes: with V_after its potential after
 * the reset and omega_kk = V_reset + V_th (Büchel et al.), x = 2 V_after + V_reset + V_th. Returns the shift
 * of the reset and resting potentials: +reset_step if x < -dead_zone, -reset_step if x > dead_zone, else 0.
 */
inline double
ebn_self_term_shift( double V_after, double V_reset, double V_th, double dead_zone, double reset_step )
{
  const double x = 2.0 * V_after + V_reset + V_th;
  if ( x < -dead_zone )
  {
    return reset_step;
  }
  if ( x > dead_zone )
  {
    return -reset_step;
  }
  return 0.0;
}

}  // namespace chiplearn::core

#endif
