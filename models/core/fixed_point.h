/*
 *  fixed_point.h -- chiplearn numerical core: the fixed-point arithmetic of a learning chip.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  The pieces of ReckOn's datapath (Frenkel & Indiveri, ISSCC 2022) that are not specific to its network:
 *  two's-complement wrapping and saturating n-bit adds, a leak as a Q-format multiply with floor and
 *  optional stochastic rounding, the piecewise-constant pseudo-derivative, the stochastic +-1 LSB weight
 *  update, and the chip's unfolded LFSR streams. Values are int64 holding n-bit numbers.
 */

#ifndef CHIPLEARN_CORE_FIXED_POINT_H
#define CHIPLEARN_CORE_FIXED_POINT_H

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "checks.h"

namespace chiplearn::core::fixed_point
{

//! The two's-complement value of the low `bits` bits of x.
inline std::int64_t
wrap( std::int64_t x, int bits )
{
  const std::uint64_t mask = ( std::uint64_t { 1 } << bits ) - 1;
  const std::uint64_t low = static_cast< std::uint64_t >( x ) & mask;
  return low >= ( std::uint64_t { 1 } << ( bits - 1 ) ) ? static_cast< std::int64_t >( low ) - ( std::int64_t { 1 } << bits )
                                                          : static_cast< std::int64_t >( low );
}

//! Signed n-bit add that clamps when both operands have the sign the wrapped result lost.
inline std::int64_t
saturating_add( std::int64_t a, std::int64_t b, int bits )
{
  const std::int64_t total = wrap( a + b, bits );
  const std::int64_t max = ( std::int64_t { 1 } << ( bits - 1 ) ) - 1;
  if ( a >= 0 and b >= 0 and total < 0 )
  {
    return max;
  }
  if ( a < 0 and b < 0 and total >= 0 )
  {
    return -max - 1;
  }
  return total;
}

//! Unsigned n-bit add that clamps at all ones (the chip's presynaptic traces).
inline std::int64_t
saturating_add_unsigned( std::int64_t a, std::int64_t b, int bits )
{
  const std::int64_t ones = ( std::int64_t { 1 } << bits ) - 1;
  return a + b > ones ? ones : a + b;
}

/** A leak: floor(value * factor / 2^frac_bits), kept in value_bits bits (signed or not), plus one LSB when
 *  `stochastic` and the dropped fraction is at least `rand` (uniform on frac_bits bits) and the kept part
 *  is not zero: ReckOn's stochastic rounding, which also rounds negative values up. */
inline std::int64_t
leak( std::int64_t value, std::int64_t factor, int frac_bits, int value_bits, bool is_signed, bool stochastic,
  std::uint64_t rand )
{
  const std::int64_t product = value * factor;
  const std::uint64_t mask = ( std::uint64_t { 1 } << value_bits ) - 1;
  const std::uint64_t kept = static_cast< std::uint64_t >( product >> frac_bits ) & mask;
  const std::uint64_t fraction = static_cast< std::uint64_t >( product ) & ( ( std::uint64_t { 1 } << frac_bits ) - 1 );
  const std::uint64_t up = ( stochastic and fraction >= rand and kept != 0 ) ? 1 : 0;
  const std::uint64_t result = ( kept + up ) & mask;
  return is_signed ? wrap( static_cast< std::int64_t >( result ), value_bits ) : static_cast< std::int64_t >( result );
}

/** A piecewise-constant pseudo-derivative of the membrane: levels[0] below breakpoints[0], levels[k] in
 *  [breakpoints[k-1], breakpoints[k]), levels[4] from breakpoints[3] on. */
struct PseudoDerivative
{
  std::array< std::int64_t, 4 > breakpoints { 0, 0, 0, 0 };
  std::array< std::int64_t, 5 > levels { 0, 0, 0, 0, 0 };

  bool operator==( const PseudoDerivative& ) const = default;

  std::int64_t
  operator()( std::int64_t u ) const
  {
    for ( std::size_t k = 0; k < breakpoints.size(); ++k )
    {
      if ( u < breakpoints[ k ] )
      {
        return levels[ k ];
      }
    }
    return levels[ 4 ];
  }

  void
  check( int membrane_bits, int level_bits ) const
  {
    const double low = -std::ldexp( 1.0, membrane_bits - 1 ), high = std::ldexp( 1.0, membrane_bits - 1 ) - 1;
    for ( std::size_t k = 0; k < breakpoints.size(); ++k )
    {
      const std::string name = "thr_h[" + std::to_string( k ) + "]";
      if ( breakpoints[ k ] < low or breakpoints[ k ] > high )
      {
        refuse( name, static_cast< double >( breakpoints[ k ] ), "",
          format_number( low ) + " <= " + name + " <= " + format_number( high ) );
      }
      if ( k > 0 and breakpoints[ k ] < breakpoints[ k - 1 ] )
      {
        refuse( name, static_cast< double >( breakpoints[ k ] ), "", name + " >= thr_h[" + std::to_string( k - 1 ) + "]" );
      }
    }
    const double level_low = -std::ldexp( 1.0, level_bits - 1 ), level_high = std::ldexp( 1.0, level_bits - 1 ) - 1;
    for ( std::size_t k = 0; k < levels.size(); ++k )
    {
      if ( levels[ k ] < level_low or levels[ k ] > level_high )
      {
        const std::string name = "h[" + std::to_string( k ) + "]";
        refuse( name, static_cast< double >( levels[ k ] ), "",
          format_number( level_low ) + " <= " + name + " <= " + format_number( level_high ) );
      }
    }
  }
};

struct UpdatedWeight
{
  std::int64_t w;
  bool written;  //!< the chip writes the lane (also when the step was dropped at the range's edge)
};

/** ReckOn's stochastic +-1 LSB update of a signed 8-bit weight: the step sign(prob) is taken when
 *  min(|prob| << lr_p, 2^width - 1) >> lr_r >= rnd (rnd uniform on width bits), always for the most
 *  negative prob, never for prob 0 or when not enabled; a step out of the 8-bit range is dropped. */
inline UpdatedWeight
stochastic_update( std::int64_t prob, std::int64_t w, bool enabled, int lr_p, int lr_r, std::uint64_t rnd, int width )
{
  const std::uint64_t ones = ( std::uint64_t { 1 } << width ) - 1;
  if ( prob == 0 or not enabled )
  {
    return { w, false };
  }
  const bool most_negative = prob == -( std::int64_t { 1 } << ( width - 1 ) );
  const std::uint64_t magnitude = static_cast< std::uint64_t >( prob < 0 ? -prob : prob ) & ones;
  // |prob| < 2^width and lr_p < 32, so the shifted value fits in 64 bits
  const std::uint64_t shifted = magnitude << lr_p;
  const std::uint64_t total = ( shifted > ones ? ones : shifted ) >> lr_r;
  if ( not( most_negative or total >= rnd ) )
  {
    return { w, false };
  }
  const std::int64_t stepped = w + ( prob < 0 ? -1 : 1 );
  return { stepped > 127 or stepped < -128 ? w : stepped, true };
}

/** One of ReckOn's unfolded LFSRs: a bit stream s with s[i] = s[i - tap] ^ s[i - length], whose first
 *  `length` bits are s[k] = r[order[k]] ^ s[k - tap] for the seed register r; each enabled clock cycle
 *  hands out the next word of `word_bits` bits, bit b being the b-th of them. */
class ChipLfsr
{
public:
  ChipLfsr( int length, int tap, int word_bits, std::uint64_t seed, std::vector< int > order = {} )
    : length_( length )
    , tap_( tap )
    , word_bits_( word_bits )
  {
    if ( order.empty() )
    {
      for ( int k = 0; k < length; ++k )
      {
        order.push_back( k );
      }
    }
    for ( int k = 0; k < length; ++k )
    {
      const int bit = static_cast< int >( ( seed >> order[ k ] ) & 1 ) ^ ( k >= tap ? bit_at( k - tap ) : 0 );
      push_bit( bit );
    }
  }

  int
  word_bits() const
  {
    return word_bits_;
  }

  //! Lane `lane` (of `lane_bits` bits, little-endian) of the current word.
  std::uint64_t
  lane( int lane, int lane_bits )
  {
    ensure( next_ + word_bits_ );
    return bits_at( next_ + static_cast< std::uint64_t >( lane ) * lane_bits, lane_bits );
  }

  //! Moves on to the next word (the clock edge of an enabled cycle).
  void
  advance()
  {
    next_ += word_bits_;
    trim();
  }

  //! The current word's first lane of word_bits bits (words of at most 64 bits), then advance().
  std::uint64_t
  next_word()
  {
    const std::uint64_t value = lane( 0, word_bits_ );
    advance();
    return value;
  }

  //! Where the stream is and the bits it still needs: base, size, next, then the words from base on.
  std::vector< std::uint64_t >
  state() const
  {
    std::vector< std::uint64_t > s { base_, size_, next_ };
    s.insert( s.end(), words_.begin(), words_.end() );
    return s;
  }

  //! Continues from a state() of a stream of the same length, tap and word size; false if `s` is not one.
  bool
  set_state( const std::vector< std::uint64_t >& s )
  {
    if ( s.size() < 3 )
    {
      return false;
    }
    const std::uint64_t base = s[ 0 ], size = s[ 1 ], next = s[ 2 ];
    const bool consistent = base % 64 == 0 and size >= base + static_cast< std::uint64_t >( length_ ) and next >= base
      and s.size() - 3 == ( size - base + 63 ) / 64;
    if ( not consistent )
    {
      return false;
    }
    words_.assign( s.begin() + 3, s.end() );
    const std::uint64_t used = ( size - base ) & 63;
    if ( used != 0 )
    {
      words_.back() &= ( std::uint64_t { 1 } << used ) - 1;  // bits beyond the stream's end are 0
    }
    base_ = base;
    size_ = size;
    next_ = next;
    return true;
  }

private:
  // The stream is kept from bit `base_` on in 64-bit words. Once 64 * length bits exist, 64 new bits at a
  // time follow from s[i] = s[i - 64 tap] ^ s[i - 64 length] (the feedback polynomial squared six times).
  int length_, tap_, word_bits_;
  std::vector< std::uint64_t > words_;
  std::uint64_t base_ = 0, size_ = 0, next_ = 0;

  int
  bit_at( std::uint64_t i ) const
  {
    const std::uint64_t k = i - base_;
    return static_cast< int >( ( words_[ k >> 6 ] >> ( k & 63 ) ) & 1 );
  }

  void
  push_bit( int bit )
  {
    const std::uint64_t k = size_ - base_;
    if ( ( k & 63 ) == 0 )
    {
      words_.push_back( 0 );
    }
    words_.back() |= static_cast< std::uint64_t >( bit ) << ( k & 63 );
    ++size_;
  }

  std::uint64_t
  bits_at( std::uint64_t i, int n ) const
  {
    const std::uint64_t k = i - base_;
    const std::uint64_t w = k >> 6, s = k & 63;
    std::uint64_t v = words_[ w ] >> s;
    if ( s != 0 and s + n > 64 )
    {
      v |= words_[ w + 1 ] << ( 64 - s );
    }
    return n == 64 ? v : v & ( ( std::uint64_t { 1 } << n ) - 1 );
  }

  void
  ensure( std::uint64_t end )
  {
    const std::uint64_t history = 64 * static_cast< std::uint64_t >( length_ );
    while ( size_ < end )
    {
      if ( size_ - base_ >= history and ( ( size_ - base_ ) & 63 ) == 0 )
      {
        words_.push_back( bits_at( size_ - 64 * tap_, 64 ) ^ bits_at( size_ - history, 64 ) );
        size_ += 64;
      }
      else
      {
        push_bit( bit_at( size_ - tap_ ) ^ bit_at( size_ - length_ ) );
      }
    }
  }

  void
  trim()
  {
    // drop whole words that lie before both the next word and the history the recurrence needs
    const std::uint64_t history = 64 * static_cast< std::uint64_t >( length_ ) + 64;
    if ( size_ - base_ < 4 * history )
    {
      return;
    }
    const std::uint64_t keep_from = std::min( next_, size_ - history );
    const std::uint64_t drop_words = ( keep_from - base_ ) >> 6;
    if ( drop_words > 0 )
    {
      words_.erase( words_.begin(), words_.begin() + static_cast< std::ptrdiff_t >( drop_words ) );
      base_ += 64 * drop_words;
    }
  }
};

}  // namespace chiplearn::core::fixed_point

#endif
