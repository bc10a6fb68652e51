/*
 *  counter_rng.h -- chiplearn numerical core: random numbers that are a function of (seed, stream, id, step).
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  A counter-based generator has no state to carry from one draw to the next: the number drawn for a
 *  neuron or synapse in a step is a pure function of the seed, the purpose of the draw (its stream), the
 *  node or synapse and the step. So results do not depend on how NEST distributes nodes over threads and
 *  MPI ranks, nor on the order in which they are updated. The function is Philox4x32-10 (Salmon, Moraes,
 *  Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), written from the paper's
 *  description and checked against its published known-answer vectors.
 *
 *  Layout: key = (seed, stream); counter = (id low 32 bits, id high 32 bits, step low 32 bits, step high
 *  32 bits). The streams in use are listed in `Stream`.
 */

#ifndef CHIPLEARN_CORE_COUNTER_RNG_H
#define CHIPLEARN_CORE_COUNTER_RNG_H

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace chiplearn::core
{

using PhiloxBlock = std::array< std::uint32_t, 4 >;
using PhiloxKey = std::array< std::uint32_t, 2 >;

/** Philox4x32 with 10 rounds: a bijection of the 128-bit counter, keyed by 64 bits. */
inline PhiloxBlock
philox4x32_10( PhiloxBlock counter, PhiloxKey key )
{
  constexpr std::uint64_t multiplier_0 = 0xD2511F53u;
  constexpr std::uint64_t multiplier_1 = 0xCD9E8D57u;
  constexpr std::uint32_t key_increment_0 = 0x9E3779B9u;  // golden ratio
  constexpr std::uint32_t key_increment_1 = 0xBB67AE85u;  // sqrt(3) - 1
  for ( int round = 0; round < 10; ++round )
  {
    if ( round > 0 )
    {
      key[ 0 ] += key_increment_0;
      key[ 1 ] += key_increment_1;
    }
    const std::uint64_t product_0 = multiplier_0 * counter[ 0 ];
    const std::uint64_t product_1 = multiplier_1 * counter[ 2 ];
    const auto high = []( std::uint64_t p ) { return static_cast< std::uint32_t >( p >> 32 ); };
    const auto low = []( std::uint64_t p ) { return static_cast< std::uint32_t >( p ); };
    counter = { high( product_1 ) ^ counter[ 1 ] ^ key[ 0 ], low( product_1 ), high( product_0 ) ^ counter[ 3 ] ^ key[ 1 ],
      low( product_0 ) };
  }
  return counter;
}

/** What a draw is for: draws for different purposes with the same seed, id and step are independent. */
enum class Stream : std::uint32_t
{
  membrane_noise = 1,     //!< per neuron and step: Gaussian noise of the input current
  mismatch_tau_m = 2,     //!< per neuron: device mismatch of the leak
  mismatch_threshold = 3, //!< per neuron: device mismatch of the threshold
  mismatch_weight_step = 4, //!< per synapse (id = the pair of node ids): device mismatch of the weight step
  weight_rounding = 5       //!< per synapse (id = the pair of node ids) and batch: stochastic rounding onto the weight grid
};

/** The Philox block for (seed, stream, id, step). */
inline PhiloxBlock
counter_block( std::uint32_t seed, Stream stream, std::uint64_t id, std::uint64_t step )
{
  return philox4x32_10( { static_cast< std::uint32_t >( id ), static_cast< std::uint32_t >( id >> 32 ),
                          static_cast< std::uint32_t >( step ), static_cast< std::uint32_t >( step >> 32 ) },
    { seed, static_cast< std::uint32_t >( stream ) } );
}

/** A double in (0, 1] with 53 random bits, from two words of a block. */
inline double
open_unit_interval( std::uint32_t high_word, std::uint32_t low_word )
{
  const std::uint64_t bits = ( static_cast< std::uint64_t >( high_word >> 5 ) << 26 ) | ( low_word >> 6 );
  return ( static_cast< double >( bits ) + 1.0 ) * 0x1.0p-53;
}

/** A uniform double in (0, 1] for (seed, stream, id, step). */
inline double
counter_uniform( std::uint32_t seed, Stream stream, std::uint64_t id, std::uint64_t step )
{
  const PhiloxBlock b = counter_block( seed, stream, id, step );
  return open_unit_interval( b[ 0 ], b[ 1 ] );
}

/** A standard normal double for (seed, stream, id, step): Box-Muller on the two uniforms of one block. */
inline double
counter_normal( std::uint32_t seed, Stream stream, std::uint64_t id, std::uint64_t step )
{
  const PhiloxBlock b = counter_block( seed, stream, id, step );
  const double radius = std::sqrt( -2.0 * std::log( open_unit_interval( b[ 0 ], b[ 1 ] ) ) );
  return radius * std::cos( 2.0 * std::numbers::pi * open_unit_interval( b[ 2 ], b[ 3 ] ) );
}

/** The id of the synapse from node `source` to node `target` in the per-synapse streams. */
inline std::uint64_t
synapse_id( std::uint64_t source, std::uint64_t target )
{
  return ( source << 32 ) ^ target;
}

}  // namespace chiplearn::core

#endif
