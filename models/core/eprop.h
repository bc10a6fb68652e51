/*
 *  eprop.h -- chiplearn numerical core: the learning part of e-prop (Bellec et al. 2020).
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  Header-only and free of NEST includes; shared by the NEST models and chiplearn._core.
 *
 *  Gradient work proportional to spikes. Over one update interval the e-prop gradient of a synapse i -> j is
 *    g_ij = sum_t L_j(t) ebar_ij(t) + reg_j sum_t e_ij(t),     ebar = (1 - kappa)-normalised kappa-filter of e,
 *  with the eligibility trace e_ij(t) = psi_j(t) zbar_i(t) (LIF) or psi_j(t) (zbar_i(t) - beta eps_ij(t-1)) (ALIF),
 *  eps_ij(t) = P_a eps_ij(t-1) + e_ij(t), zbar_i(t) = P_v zbar_i(t-1) + P_z z_i(t). Everything is linear in the
 *  presynaptic spike train z_i, so g_ij = sum over i's spike steps s of G_j(s), where the kernel G_j depends on
 *  the postsynaptic neuron alone and is obtained by one backward pass over the interval (the adjoint of the
 *  forward trace recursion):
 *    Lbar(t) = (1 - kappa) L(t) + kappa Lbar(t+1),          f(t) = Lbar(t) + reg,
 *    mu(t)   = P_a mu(t+1) - beta psi(t+1) (f(t+1) + mu(t+1)),   mu(last) = 0        (ALIF only),
 *    nu(t)   = psi(t) (f(t) + mu(t)) + P_v nu(t+1),               nu(end)  = 0,
 *    G(t)    = P_z nu(t).
 *  The neuron computes G once per interval in O(steps); each synapse then needs O(its presynaptic spikes).
 */

#ifndef CHIPLEARN_CORE_EPROP_H
#define CHIPLEARN_CORE_EPROP_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "grid.h"

namespace chiplearn::core
{

/** Shapes of the pseudo-derivative dz/dv (NEST's four). */
enum class SurrogateShape
{
  piecewise_linear,         //!< height * max(0, 1 - |v - v_th| / width)       (Bellec et al. 2020)
  exponential,              //!< height * exp(-|v - v_th| / width)               (Shrestha & Orchard 2018)
  fast_sigmoid_derivative,  //!< height * (1 + |v - v_th| / width)^-2            (Zenke & Ganguli 2018)
  arctan_derivative         //!< height / (1 + ((v - v_th) / width)^2)           (Fang et al. 2021)
};

inline const std::vector< std::string >&
surrogate_shape_names()
{
  static const std::vector< std::string > names {
    "piecewise_linear", "exponential", "fast_sigmoid_derivative", "arctan_derivative"
  };
  return names;
}

//! The shape with the given name; throws std::invalid_argument listing the names otherwise.
inline SurrogateShape
surrogate_shape_from_name( const std::string& name )
{
  const auto& names = surrogate_shape_names();
  const auto found = std::find( names.begin(), names.end(), name );
  if ( found == names.end() )
  {
    std::string allowed;
    for ( const auto& n : names )
    {
      allowed += ( allowed.empty() ? "" : ", " ) + n;
    }
    throw std::invalid_argument( allowed );
  }
  return static_cast< SurrogateShape >( found - names.begin() );
}

/** Pseudo-derivative psi of the spike with respect to v; zero while refractory. */
inline double
surrogate_gradient( SurrogateShape shape, bool refractory, double v, double v_th, double height, double width )
{
  if ( refractory )
  {
    return 0.0;
  }
  const double x = ( v - v_th ) / width;
  switch ( shape )
  {
  case SurrogateShape::piecewise_linear:
    return height * std::max( 0.0, 1.0 - std::abs( x ) );
  case SurrogateShape::exponential:
    return height * std::exp( -std::abs( x ) );
  case SurrogateShape::fast_sigmoid_derivative:
    return height / ( ( 1.0 + std::abs( x ) ) * ( 1.0 + std::abs( x ) ) );
  case SurrogateShape::arctan_derivative:
    return height / ( 1.0 + x * x );
  }
  return 0.0;
}

/** Constants of the eligibility trace of a synapse onto a recurrent neuron. */
struct EligibilityParameters
{
  double P_v;         //!< decay of the presynaptic trace zbar per step (the membrane's P_v)
  double P_z;         //!< jump of zbar per presynaptic spike (the membrane's P_z)
  double kappa;       //!< decay of the readout per step; filters the eligibility trace
  double adapt_beta;  //!< ALIF: threshold increase per unit adaptation (0 for LIF)
  double P_adapt;     //!< ALIF: decay of the adaptation per step (unused when adapt_beta is 0)
};

/**
 * Kernel G of a recurrent neuron over one interval of n steps (see the file comment): G[t] is the gradient
 * contribution of one presynaptic spike in step t. psi and L are the neuron's pseudo-derivative and learning
 * signal per step; reg the firing-rate regularization of the interval.
 */
inline void
recurrent_spike_kernel( const double* psi,
  const double* L,
  std::size_t n,
  double reg,
  const EligibilityParameters& p,
  double* G )
{
  double L_bar = 0.0;  // backward kappa-filter of L
  double mu = 0.0;     // adjoint of the adaptive eligibility component eps
  double nu = 0.0;     // adjoint of zbar
  double f_next = 0.0;
  double psi_next = 0.0;
  for ( std::size_t k = n; k-- > 0; )
  {
    mu = p.P_adapt * mu - p.adapt_beta * psi_next * ( f_next + mu );
    L_bar = ( 1.0 - p.kappa ) * L[ k ] + p.kappa * L_bar;
    const double f = L_bar + reg;
    nu = psi[ k ] * ( f + mu ) + p.P_v * nu;
    G[ k ] = p.P_z * nu;
    f_next = f;
    psi_next = psi[ k ];
  }
}

/**
 * Kernel G of a readout over one interval of n steps: the gradient of a synapse onto the readout is
 * sum_t E(t) zbar(t) = sum over presynaptic spike steps s of G[s], with nu(t) = E(t) + P_v nu(t+1) and
 * G(t) = P_z nu(t).
 */
inline void
readout_spike_kernel( const double* error, std::size_t n, double P_v, double P_z, double* G )
{
  double nu = 0.0;
  for ( std::size_t k = n; k-- > 0; )
  {
    nu = error[ k ] + P_v * nu;
    G[ k ] = P_z * nu;
  }
}

/** Optimizer of the synaptic weights, shared by all synapses of a model. */
enum class OptimizerType
{
  gradient_descent,
  adam
};

/**
 * Learning rate by batch. A change applies to the batches that start after it, so that a batch that is
 * still collecting gradients (or completed but not yet applied: synapses update at their next spike) keeps
 * the learning rate it was trained with. A learning rate of 0 freezes weights and optimizer state, for
 * validation and test trials.
 */
class EtaSchedule
{
public:
  explicit EtaSchedule( double eta = 1e-4 )
    : changes_ { { std::numeric_limits< long >::min(), eta } }
  {
  }

  //! Learning rate of the batches from first_batch on.
  void
  set( long first_batch, double eta )
  {
    while ( changes_.size() > 1 and changes_.back().first >= first_batch )
    {
      changes_.pop_back();
    }
    if ( changes_.back().second != eta )
    {
      changes_.emplace_back( first_batch, eta );
    }
  }

  double
  at( long batch ) const
  {
    auto it = changes_.rbegin();
    while ( it->first > batch )
    {
      ++it;
    }
    return it->second;
  }

  //! The learning rate of the latest change.
  double
  latest() const
  {
    return changes_.back().second;
  }

private:
  std::vector< std::pair< long, double > > changes_;  //!< (first batch, learning rate), increasing batches
};

struct OptimizerParameters
{
  OptimizerType type = OptimizerType::gradient_descent;
  EtaSchedule eta;         //!< learning rate
  long batch_size = 1;     //!< update intervals (trials) whose gradients are averaged into one step
  double Wmin = -100.0;    //!< lower bound of the weight
  double Wmax = 100.0;     //!< upper bound of the weight
  double beta_1 = 0.9;     //!< Adam: decay of the first moment
  double beta_2 = 0.999;   //!< Adam: decay of the second moment
  double epsilon = 1e-7;   //!< Adam: added to sqrt(v) (TensorFlow/Keras form)
};

/** Per-synapse optimizer state. */
struct OptimizerState
{
  double summed_gradient = 0.0;  //!< gradients of the intervals of the open batch
  long batch = 0;                //!< index of the open batch
  long adam_steps = 0;           //!< Adam steps taken (for the bias correction)
  double m = 0.0;                //!< Adam: first moment
  double v = 0.0;                //!< Adam: second moment
};

/**
 * Adds the gradient of update interval `interval` to the open batch and returns the weight after the
 * optimizer steps that are due: one per completed batch of batch_size intervals, the first with the batch's
 * mean gradient and any further ones (batches without gradient for this synapse) with zero gradient, so
 * that Adam's moments decay as for a synapse updated every batch. Batches with learning rate 0 change
 * nothing. Weights are clipped to [Wmin, Wmax].
 */
inline double
optimized_weight( OptimizerState& s, const OptimizerParameters& p, long interval, double gradient, double weight )
{
  s.summed_gradient += gradient;
  const long open_batch = floor_div( interval, p.batch_size );
  if ( open_batch <= s.batch )
  {
    return weight;
  }
  double g = s.summed_gradient / p.batch_size;
  s.summed_gradient = 0.0;
  for ( ; s.batch < open_batch; ++s.batch, g = 0.0 )
  {
    const double eta = p.eta.at( s.batch );
    if ( eta == 0.0 )
    {
      continue;
    }
    if ( p.type == OptimizerType::gradient_descent )
    {
      weight -= eta * g;
    }
    else
    {
      ++s.adam_steps;
      const double alpha =
        eta * std::sqrt( 1.0 - std::pow( p.beta_2, s.adam_steps ) ) / ( 1.0 - std::pow( p.beta_1, s.adam_steps ) );
      s.m = p.beta_1 * s.m + ( 1.0 - p.beta_1 ) * g;
      s.v = p.beta_2 * s.v + ( 1.0 - p.beta_2 ) * g * g;
      weight -= alpha * s.m / ( std::sqrt( s.v ) + p.epsilon );
    }
  }
  return std::clamp( weight, p.Wmin, p.Wmax );
}

}  // namespace chiplearn::core

#endif
