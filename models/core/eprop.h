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
 *
 *  The kernels are the adjoint of the exact (double-precision) forward recursion. Rounding each step of a
 *  backward recursion is not what a chip does to its forward traces, so fixed-point learning takes its
 *  gradients from forward traces instead: another strategy of the interval history.
 */

#ifndef CHIPLEARN_CORE_EPROP_H
#define CHIPLEARN_CORE_EPROP_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "interval_history.h"
#include "membrane.h"

namespace chiplearn::core
{

/** Constants of the eligibility trace of a synapse onto a recurrent neuron. */
struct EligibilityParameters
{
  double P_v;         //!< decay of the presynaptic trace zbar per step (the membrane's P_v)
  double P_z;         //!< jump of zbar per presynaptic spike (the membrane's P_z)
  double kappa;       //!< decay of the readout per step; filters the eligibility trace
  double adapt_beta;  //!< ALIF: threshold increase per unit adaptation (0 for LIF)
  double P_adapt;     //!< ALIF: decay of the adaptation per step (unused when adapt_beta is 0)
};

//! Eligibility constants of a LIF neuron with membrane propagators P and readout decay kappa.
inline EligibilityParameters
eligibility_parameters( const LifParameters&, const LeakyPropagators& P, double kappa )
{
  return { P.P_v, P.P_z, kappa, 0.0, 0.0 };
}

//! Eligibility constants of an ALIF neuron: its adaptation adds the component eps of the trace.
inline EligibilityParameters
eligibility_parameters( const AlifParameters& p, const LeakyPropagators& P, double kappa )
{
  return { P.P_v, P.P_z, kappa, p.adapt_beta, p.P_adapt };
}

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

/** What a recurrent e-prop neuron records per step of an interval, and once per interval. */
struct RecurrentRecord
{
  struct Step
  {
    double surrogate_gradient = 0.0;
    double learning_signal = 0.0;
  };

  std::vector< double > surrogate_gradient;  //!< psi per step
  std::vector< double > learning_signal;     //!< L per step, summed over the readouts as their signals arrive
  double firing_rate_regularization = 0.0;   //!< c_reg (spikes / steps - f_target h) / steps of the interval

  static constexpr std::vector< double > RecurrentRecord::*per_step[] = { &RecurrentRecord::surrogate_gradient,
    &RecurrentRecord::learning_signal };

  void
  append( const Step& step )
  {
    surrogate_gradient.push_back( step.surrogate_gradient );
    learning_signal.push_back( step.learning_signal );
  }
};

/** What a readout records per step of an interval. */
struct ReadoutRecord
{
  struct Step
  {
    double error_signal = 0.0;
  };

  std::vector< double > error_signal;  //!< y - y* per step (0 outside the learning window)

  static constexpr std::vector< double > ReadoutRecord::*per_step[] = { &ReadoutRecord::error_signal };

  void
  append( const Step& step )
  {
    error_signal.push_back( step.error_signal );
  }
};

/** The spike kernel of a recurrent neuron's interval. */
struct RecurrentKernel
{
  using Record = RecurrentRecord;
  EligibilityParameters eligibility {};

  void
  operator()( const Record& r, double* G ) const
  {
    recurrent_spike_kernel( r.surrogate_gradient.data(),
      r.learning_signal.data(),
      r.surrogate_gradient.size(),
      r.firing_rate_regularization,
      eligibility,
      G );
  }
};

/** The spike kernel of a readout's interval. */
struct ReadoutKernel
{
  using Record = ReadoutRecord;
  double P_v = 0.0;
  double P_z = 1.0;

  void
  operator()( const Record& r, double* G ) const
  {
    readout_spike_kernel( r.error_signal.data(), r.error_signal.size(), P_v, P_z, G );
  }
};

/**
 * Gradient strategy of an IntervalHistory: the spike kernel of each interval, computed once (and again if
 * values arrive after it was computed), summed at a holder's spike steps. Once the interval is older than
 * the previous one, only the kernel values at the steps of the spikes still owed a gradient are kept: a
 * synapse whose presynaptic neuron falls silent holds its last interval, possibly for ever, and such
 * intervals must not cost a kernel of interval_steps doubles each.
 */
template < typename Kernel >
class BackwardKernel
{
public:
  //! The kernel at one step of an old interval, and how many holders' spikes at that step are owed it.
  struct OwedKernelValue
  {
    std::uint32_t step;
    std::uint32_t spikes;
    double value;
  };

  enum class KernelState
  {
    stale,    //!< not computed, or values changed since
    current,  //!< reflects every value recorded so far
    compact,  //!< only the owed values are kept
  };

  struct IntervalData
  {
    std::vector< std::uint32_t > owed_spikes;  //!< per step: holders' spikes whose gradient is not yet taken
    std::vector< double > kernel;
    std::vector< OwedKernelValue > owed;  //!< compact form of kernel and owed_spikes (ordered by step)
    KernelState state = KernelState::stale;
  };

  Kernel kernel;

  void
  values_changed( IntervalData& d ) const
  {
    d.state = KernelState::stale;
  }

  bool
  needs_records( const IntervalData& d ) const
  {
    return d.state == KernelState::stale;
  }

  void
  check_can_note( const IntervalData& d, long interval ) const
  {
    if ( d.state == KernelState::compact )
    {
      throw std::logic_error( "e-prop history: spike noted in the old interval " + std::to_string( interval ) );
    }
  }

  void
  note_spikes( IntervalData& d, long step, std::uint32_t spikes, long steps )
  {
    if ( d.owed_spikes.empty() )
    {
      d.owed_spikes = spare_counts_.take( steps );
      d.owed_spikes.resize( steps, 0 );
    }
    d.owed_spikes[ step ] += spikes;
  }

  void
  prepare( IntervalData& d, const typename Kernel::Record& record, long steps )
  {
    current_kernel( d, record, steps );
  }

  template < typename StepRange, typename NotNoted >
  double
  take( IntervalData& d,
    const typename Kernel::Record& record,
    const StepRange& spike_steps,
    long steps,
    const NotNoted& not_noted )
  {
    double gradient = 0.0;
    if ( d.state == KernelState::compact )
    {
      for ( const auto step : spike_steps )
      {
        const auto owed = std::lower_bound( d.owed.begin(),
          d.owed.end(),
          step,
          []( const OwedKernelValue& entry, long s ) { return entry.step < s; } );
        if ( owed == d.owed.end() or owed->step != step or owed->spikes == 0 )
        {
          not_noted( step );
        }
        gradient += owed->value;
        --owed->spikes;
      }
      return gradient;
    }
    const std::vector< double >& G = current_kernel( d, record, steps );
    for ( const auto step : spike_steps )
    {
      if ( static_cast< std::size_t >( step ) >= d.owed_spikes.size() or d.owed_spikes[ step ] == 0 )
      {
        not_noted( step );
      }
      gradient += G[ step ];
      --d.owed_spikes[ step ];
    }
    return gradient;
  }

  //! Keeps of an old interval with a current kernel only the kernel values that holders' spikes are owed.
  void
  shrink( IntervalData& d )
  {
    if ( d.state != KernelState::current )
    {
      return;
    }
    for ( std::size_t step = 0; step < d.owed_spikes.size(); ++step )
    {
      if ( d.owed_spikes[ step ] > 0 )
      {
        d.owed.push_back( { static_cast< std::uint32_t >( step ), d.owed_spikes[ step ], d.kernel[ step ] } );
      }
    }
    d.owed.shrink_to_fit();
    spare_kernels_.give( d.kernel );
    spare_counts_.give( d.owed_spikes );
    d.state = KernelState::compact;
  }

  void
  release( IntervalData& d )
  {
    spare_kernels_.give( d.kernel );
    spare_counts_.give( d.owed_spikes );
  }

  std::size_t
  stored_values( const IntervalData& d ) const
  {
    return d.kernel.size() + d.owed_spikes.size() + d.owed.size();
  }

private:
  const std::vector< double >&
  current_kernel( IntervalData& d, const typename Kernel::Record& record, long steps )
  {
    if ( d.state == KernelState::stale )
    {
      if ( d.kernel.empty() )
      {
        d.kernel = spare_kernels_.take( steps );
      }
      d.kernel.resize( steps );
      kernel( record, d.kernel.data() );
      d.state = KernelState::current;
    }
    return d.kernel;
  }

  SpareVectors< double > spare_kernels_;
  SpareVectors< std::uint32_t > spare_counts_;
};

//! The interval histories of chiplearn's e-prop neurons.
using RecurrentHistory = IntervalHistory< RecurrentRecord, BackwardKernel< RecurrentKernel > >;
using ReadoutHistory = IntervalHistory< ReadoutRecord, BackwardKernel< ReadoutKernel > >;


}  // namespace chiplearn::core

#endif
