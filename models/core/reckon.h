/*
 *  reckon.h -- chiplearn numerical core: ReckOn's network, tick by tick, in its own integer arithmetic.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 *
 *  ReckOn (Frenkel & Indiveri, ISSCC 2022): N_in inputs, N_rec recurrent LIF neurons with 16-bit
 *  saturating membranes and Q1.15 leaks, N_out leaky outputs (Q1.7), per-neuron presynaptic traces
 *  (12/12/10 bits), 8-bit weights shifted into the membranes, e-prop with symmetric feedback through the
 *  output weights and stochastic +-1 LSB updates in every tick of the target window, and the chip's LFSR
 *  streams for stochastic rounding and updates, consumed in the chip's order. Reproduces the released RTL
 *  bit for bit (tests/test_reckon_core.py against the RTL's dumps).
 *
 *  One tick: STEP (spike test on the integrated membrane, leak, reset; traces and outputs leak), EPROP on
 *  ticks of the target window (from the state after STEP), PROP (events of this tick and this STEP's
 *  spikes, presynaptic index by index). The first tick of a sample has no STEP.
 *  Configuration names are the chip's register names without SPI_, in lower case.
 */

#ifndef CHIPLEARN_CORE_RECKON_H
#define CHIPLEARN_CORE_RECKON_H

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "checks.h"
#include "fixed_point.h"

namespace chiplearn::core::reckon
{

using NamedValue = std::pair< const char*, int >;

//! Defaults: the release testbench's cue-accumulation configuration (seed_strnd_oneur: the low 15 bits of its
//! 0xF4F4, which it writes to a 15-bit register).
struct Config
{
  int num_inp_neur = 39, num_rec_neur = 99, num_out_neur = 1;  // N - 1
  int rst_mode = 0, do_eprop = 0b111, force_traces = 0, en_stoch_round = 1, no_out_act = 0;
  int fp_loc_winp = 3, fp_loc_wrec = 3, fp_loc_wout = 3, fp_loc_tinp = 3, fp_loc_trec = 4, fp_loc_tout = 6;
  int learn_sig_scale = 5, regul_mode = 0b010, regul_w = 0b11, regul_f0 = 160;
  int regul_k_inp_r = 0, regul_k_inp_p = 10, regul_k_rec_r = 0, regul_k_rec_p = 10, regul_k_mul = 0;
  int kappa = 0x79;
  fixed_point::PseudoDerivative pseudo_derivative { { 205, 205, 205, 205 }, { 0, 0, 0, 0, 1 } };
  int lr_r_winp = 0, lr_p_winp = 8, lr_r_wrec = 0, lr_p_wrec = 8, lr_r_wout = 0, lr_p_wout = 14;
  std::uint64_t seed_inp = 0xF0F0, seed_rec = 0xF1F1, seed_out = 0xF2F2, seed_strnd_neur = 0x3F3FF3F3,
                seed_strnd_oneur = 0x74F4, seed_strnd_tinp = 0x3F5FF5F5, seed_strnd_trec = 0x3F6FF6F6,
                seed_strnd_tout = 0x3F7FF7F7;

  bool operator==( const Config& ) const = default;

  int
  n_inp() const
  {
    return num_inp_neur + 1;
  }
  int
  n_rec() const
  {
    return num_rec_neur + 1;
  }
  int
  n_out() const
  {
    return num_out_neur + 1;
  }

  //! Throws std::invalid_argument naming the first register out of its width or a combination not modelled.
  void
  check() const
  {
    auto bits = []( const char* name, std::int64_t value, int width )
    {
      if ( value < 0 or value >= ( std::int64_t { 1 } << width ) )
      {
        refuse( name, static_cast< double >( value ), "", std::string( "0 <= " ) + name + " < 2^" + std::to_string( width ) );
      }
    };
    bits( "num_out_neur", num_out_neur, 4 );
    for ( auto [ name, value ] : std::initializer_list< NamedValue > { { "num_inp_neur", num_inp_neur }, { "num_rec_neur", num_rec_neur } } )
    {
      bits( name, value, 8 );
    }
    if ( n_rec() % 2 != 0 )
    {
      refuse( "num_rec_neur", num_rec_neur, "", "an odd number (the chip steps neurons in pairs)" );
    }
    if ( num_inp_neur > num_rec_neur )
    {
      refuse( "num_inp_neur", num_inp_neur, "", "num_inp_neur <= num_rec_neur" );
    }
    if ( num_out_neur > num_rec_neur )
    {
      refuse( "num_out_neur", num_out_neur, "", "num_out_neur <= num_rec_neur" );
    }
    for ( auto [ name, value ] : std::initializer_list< NamedValue > { { "rst_mode", rst_mode }, { "force_traces", force_traces },
            { "en_stoch_round", en_stoch_round }, { "no_out_act", no_out_act } } )
    {
      bits( name, value, 1 );
    }
    for ( auto [ name, value ] : std::initializer_list< NamedValue > { { "do_eprop", do_eprop }, { "regul_mode", regul_mode },
            { "fp_loc_winp", fp_loc_winp }, { "fp_loc_wrec", fp_loc_wrec }, { "fp_loc_wout", fp_loc_wout },
            { "fp_loc_tinp", fp_loc_tinp }, { "fp_loc_trec", fp_loc_trec }, { "fp_loc_tout", fp_loc_tout } } )
    {
      bits( name, value, 3 );
    }
    if ( ( regul_mode >> 1 ) == 0b11 )
    {
      refuse( "regul_mode", regul_mode, "", "0 to 5 (learning outside the target window is not modelled)" );
    }
    bits( "regul_w", regul_w, 2 );
    bits( "learn_sig_scale", learn_sig_scale, 4 );
    bits( "regul_f0", regul_f0, 12 );
    bits( "kappa", kappa, 8 );
    for ( auto [ name, value ] : std::initializer_list< NamedValue > { { "regul_k_inp_r", regul_k_inp_r }, { "regul_k_inp_p", regul_k_inp_p },
            { "regul_k_rec_r", regul_k_rec_r }, { "regul_k_rec_p", regul_k_rec_p }, { "regul_k_mul", regul_k_mul },
            { "lr_r_winp", lr_r_winp }, { "lr_p_winp", lr_p_winp }, { "lr_r_wrec", lr_r_wrec },
            { "lr_p_wrec", lr_p_wrec }, { "lr_r_wout", lr_r_wout }, { "lr_p_wout", lr_p_wout } } )
    {
      bits( name, value, 5 );
    }
    pseudo_derivative.check( 16, 5 );
    bits( "seed_inp", static_cast< std::int64_t >( seed_inp ), 25 );
    bits( "seed_rec", static_cast< std::int64_t >( seed_rec ), 25 );
    bits( "seed_out", static_cast< std::int64_t >( seed_out ), 22 );
    bits( "seed_strnd_neur", static_cast< std::int64_t >( seed_strnd_neur ), 30 );
    bits( "seed_strnd_oneur", static_cast< std::int64_t >( seed_strnd_oneur ), 15 );
    bits( "seed_strnd_tinp", static_cast< std::int64_t >( seed_strnd_tinp ), 30 );
    bits( "seed_strnd_trec", static_cast< std::int64_t >( seed_strnd_trec ), 30 );
    bits( "seed_strnd_tout", static_cast< std::int64_t >( seed_strnd_tout ), 30 );
  }
};

//! The output register feeds its stream in this order of its bits (the chip's 7-bit-word LFSRs).
inline std::vector< int >
seven_bit_order()
{
  return { 0, 1, 3, 5, 7, 9, 11, 13, 2, 4, 6, 8, 10, 12, 14 };
}

class Network
{
public:
  /** Weights row = presynaptic (input n_inp x n_rec, recurrent n_rec x n_rec, output n_rec x n_out), signed
   *  8 bit; alpha (16 bit, Q1.15) and threshold (signed 16 bit) per neuron pair. */
  Network( const Config& config, std::vector< std::int64_t > w_inp, std::vector< std::int64_t > w_rec,
    std::vector< std::int64_t > w_out, std::vector< std::int64_t > alpha, std::vector< std::int64_t > threshold )
    : c_( config )
    , n_inp_( config.n_inp() )
    , n_rec_( config.n_rec() )
    , n_out_( config.n_out() )
    , w_inp_( std::move( w_inp ) )
    , w_rec_( std::move( w_rec ) )
    , w_out_( std::move( w_out ) )
    , alpha_( std::move( alpha ) )
    , threshold_( std::move( threshold ) )
    , lfsr_u_ { stream15( config.seed_strnd_neur, 0 ), stream15( config.seed_strnd_neur, 1 ) }
    , lfsr_ti_ { stream15( config.seed_strnd_tinp, 0 ), stream15( config.seed_strnd_tinp, 1 ) }
    , lfsr_tr_ { stream15( config.seed_strnd_trec, 0 ), stream15( config.seed_strnd_trec, 1 ) }
    , lfsr_to_ { stream7( config.seed_strnd_tout >> 0 ), stream7( config.seed_strnd_tout >> 15 ) }
    , lfsr_vo_( stream7( config.seed_strnd_oneur ) )
    , lfsr_winp_( 25, 3, 512, config.seed_inp )
    , lfsr_wrec_( 25, 3, 512, config.seed_rec )
    , lfsr_wout_( 22, 1, 448, config.seed_out )
  {
    config.check();
    check_weights( "w_inp", w_inp_, static_cast< std::size_t >( n_inp_ ) * n_rec_ );
    check_weights( "w_rec", w_rec_, static_cast< std::size_t >( n_rec_ ) * n_rec_ );
    check_weights( "w_out", w_out_, static_cast< std::size_t >( n_rec_ ) * n_out_ );
    const std::size_t pairs = static_cast< std::size_t >( n_rec_ / 2 );
    if ( alpha_.size() != pairs or threshold_.size() != pairs )
    {
      refuse( "alpha", static_cast< double >( alpha_.size() ), "values", "one alpha and one threshold per neuron pair" );
    }
    for ( std::size_t p = 0; p < pairs; ++p )
    {
      if ( alpha_[ p ] < 0x7000 or alpha_[ p ] > 0x8FFF )
      {
        refuse( "alpha", static_cast< double >( alpha_[ p ] ), "", "0x7000 <= alpha <= 0x8FFF (Q1.15)" );
      }
      if ( threshold_[ p ] < -32768 or threshold_[ p ] > 32767 )
      {
        refuse( "threshold", static_cast< double >( threshold_[ p ] ), "", "-32768 <= threshold <= 32767" );
      }
    }
    reset_state();
  }

  //! A new sample: every membrane, trace and spike reads 0. The random streams run on.
  void
  reset_state()
  {
    u_.assign( n_rec_, 0 );
    ti_.assign( n_rec_, 0 );
    tr_.assign( n_rec_, 0 );
    to_.assign( n_rec_, 0 );
    vo_.assign( n_out_, 0 );
    z_.assign( n_rec_, 0 );
    votes_.assign( n_out_, 0 );
    started_ = false;
  }

  //! The class the chip sends at the end of a sample: the output with most votes (the first of equals).
  int
  inference() const
  {
    return static_cast< int >( std::max_element( votes_.begin(), votes_.end() ) - votes_.begin() );
  }

  //! Which weights learn (bits: input, recurrent, output), as the chip's DO_EPROP register between samples.
  void
  set_do_eprop( int do_eprop )
  {
    Config changed = c_;
    changed.do_eprop = do_eprop;
    changed.check();
    c_ = changed;
  }

  /** One tick with the input events (indices) of this tick; a label on ticks of the target window; with
   *  `infer`, the output with the largest membrane after the step (the first of equals) gets a vote. */
  void
  tick( const std::vector< int >& inputs, std::optional< int > label, bool infer = false )
  {
    if ( started_ )
    {
      step();
      if ( infer )
      {
        ++votes_[ std::max_element( vo_.begin(), vo_.end() ) - vo_.begin() ];
      }
      if ( label and c_.do_eprop != 0 )
      {
        eprop( *label );
      }
    }
    else
    {
      z_.assign( n_rec_, 0 );
    }
    started_ = true;
    prop( inputs );
  }

  /** The random streams where they are: per stream its state's length, then the state (ChipLfsr::state), in a
   *  fixed order. With set_random_state, a run continues from a checkpoint as it would have without it. */
  std::vector< std::uint64_t >
  random_state() const
  {
    std::vector< std::uint64_t > s;
    for ( const fixed_point::ChipLfsr* stream : streams() )
    {
      const auto part = stream->state();
      s.push_back( part.size() );
      s.insert( s.end(), part.begin(), part.end() );
    }
    return s;
  }

  //! Throws std::invalid_argument if `s` is not a random_state() of a network of the same configuration.
  void
  set_random_state( const std::vector< std::uint64_t >& s )
  {
    auto restored = *this;
    std::size_t at = 0;
    for ( fixed_point::ChipLfsr* stream : restored.streams() )
    {
      const bool fits = at < s.size() and s[ at ] <= s.size() - at - 1;
      if ( not fits or not stream->set_state( { s.begin() + at + 1, s.begin() + at + 1 + s[ at ] } ) )
      {
        refuse( "random_state", static_cast< double >( s.size() ), "values", "a random_state read from this chip's configuration" );
      }
      at += 1 + s[ at ];
    }
    if ( at != s.size() )
    {
      refuse( "random_state", static_cast< double >( s.size() ), "values", "a random_state read from this chip's configuration" );
    }
    *this = std::move( restored );
  }

  const std::vector< std::int64_t >& u() const { return u_; }
  const std::vector< std::int64_t >& trace_inp() const { return ti_; }
  const std::vector< std::int64_t >& trace_rec() const { return tr_; }
  const std::vector< std::int64_t >& trace_out() const { return to_; }
  const std::vector< std::int64_t >& output() const { return vo_; }
  const std::vector< std::uint8_t >& spikes() const { return z_; }
  const std::vector< std::int64_t >& w_inp() const { return w_inp_; }
  const std::vector< std::int64_t >& w_rec() const { return w_rec_; }
  const std::vector< std::int64_t >& w_out() const { return w_out_; }
  const Config& config() const { return c_; }

private:
  Config c_;
  int n_inp_, n_rec_, n_out_;
  std::vector< std::int64_t > w_inp_, w_rec_, w_out_, alpha_, threshold_;
  std::vector< std::int64_t > u_, ti_, tr_, to_, vo_;
  std::vector< std::uint8_t > z_;
  std::vector< std::int64_t > votes_;
  bool started_ = false;
  std::array< fixed_point::ChipLfsr, 2 > lfsr_u_, lfsr_ti_, lfsr_tr_, lfsr_to_;
  fixed_point::ChipLfsr lfsr_vo_, lfsr_winp_, lfsr_wrec_, lfsr_wout_;

  std::array< fixed_point::ChipLfsr*, 12 >
  streams()
  {
    return { &lfsr_u_[ 0 ], &lfsr_u_[ 1 ], &lfsr_ti_[ 0 ], &lfsr_ti_[ 1 ], &lfsr_tr_[ 0 ], &lfsr_tr_[ 1 ], &lfsr_to_[ 0 ],
      &lfsr_to_[ 1 ], &lfsr_vo_, &lfsr_winp_, &lfsr_wrec_, &lfsr_wout_ };
  }
  std::array< const fixed_point::ChipLfsr*, 12 >
  streams() const
  {
    return { &lfsr_u_[ 0 ], &lfsr_u_[ 1 ], &lfsr_ti_[ 0 ], &lfsr_ti_[ 1 ], &lfsr_tr_[ 0 ], &lfsr_tr_[ 1 ], &lfsr_to_[ 0 ],
      &lfsr_to_[ 1 ], &lfsr_vo_, &lfsr_winp_, &lfsr_wrec_, &lfsr_wout_ };
  }

  static fixed_point::ChipLfsr
  stream15( std::uint64_t seed, int lane )
  {
    return fixed_point::ChipLfsr( 15, 1, 15, ( seed >> ( 15 * lane ) ) & 0x7FFF );
  }
  static fixed_point::ChipLfsr
  stream7( std::uint64_t seed )
  {
    return fixed_point::ChipLfsr( 15, 1, 7, seed & 0x7FFF, seven_bit_order() );
  }

  static void
  check_weights( const char* name, const std::vector< std::int64_t >& w, std::size_t size )
  {
    if ( w.size() != size )
    {
      refuse( name, static_cast< double >( w.size() ), "values", std::to_string( size ) + " values" );
    }
    for ( const auto v : w )
    {
      if ( v < -128 or v > 127 )
      {
        refuse( name, static_cast< double >( v ), "", std::string( "-128 <= " ) + name + " <= 127 (8 bit)" );
      }
    }
  }

  void
  step()
  {
    const bool stochastic = c_.en_stoch_round != 0;
    const bool kappa_leaks = c_.kappa != 0x80;
    for ( int j = 0; j < n_rec_; ++j )
    {
      const int pair = j / 2, lane = j % 2;
      const std::int64_t alpha = alpha_[ pair ], thr = threshold_[ pair ];
      const bool leaks = alpha != 0x8000;
      // the membrane stream of a lane advances only for pairs that leak, the trace streams always
      const std::uint64_t rand_u = stochastic and leaks ? lfsr_u_[ lane ].next_word() : 0;
      const std::uint64_t rand_ti = stochastic ? lfsr_ti_[ lane ].next_word() : 0;
      const std::uint64_t rand_tr = stochastic ? lfsr_tr_[ lane ].next_word() : 0;
      const std::uint64_t rand_to = stochastic ? lfsr_to_[ lane ].next_word() : 0;
      const bool spike = u_[ j ] >= thr;
      const std::int64_t leaked = fixed_point::leak( u_[ j ], alpha, 15, 16, true, stochastic and leaks, rand_u );
      u_[ j ] = spike ? ( c_.rst_mode ? 0 : fixed_point::wrap( leaked - thr, 16 ) ) : leaked;
      z_[ j ] = spike;
      ti_[ j ] = fixed_point::leak( ti_[ j ], alpha, 15, 12, false, stochastic and leaks, rand_ti );
      tr_[ j ] = fixed_point::leak( tr_[ j ], alpha, 15, 12, false, stochastic and leaks, rand_tr );
      to_[ j ] = fixed_point::leak( to_[ j ], c_.kappa, 7, 10, false, stochastic and kappa_leaks, rand_to );
    }
    // the output neurons leak one per cycle of the first 16 cycles of the step, one stream word per cycle
    const int cycles = std::min( 16, n_rec_ );
    for ( int k = 0; k < cycles; ++k )
    {
      const std::uint64_t rand = stochastic and kappa_leaks ? lfsr_vo_.next_word() : 0;
      if ( k < n_out_ )
      {
        vo_[ k ] = fixed_point::leak( vo_[ k ], c_.kappa, 7, 16, true, stochastic and kappa_leaks, rand );
      }
    }
  }

  std::int64_t
  output_error( int k, int label ) const
  {
    const std::int64_t v = vo_[ k ];
    const std::int64_t y = c_.no_out_act ? v : ( v > 2047 ? 2048 : ( v < -2048 ? 0 : ( v + 2048 ) >> 1 ) );
    const std::int64_t target = k == label ? 2048 : 0;
    return std::clamp< std::int64_t >( target - y, -32768, 32767 );
  }

  void
  eprop( int label )
  {
    const int blocks = ( n_rec_ - 1 ) / 16 + 1;
    const int posts = 16 * blocks;
    // lanes beyond the last neuron see the last neuron pair the chip read
    const int last_pair = ( n_rec_ - 1 ) / 2;
    std::vector< std::int64_t > e( n_out_ );
    for ( int k = 0; k < n_out_; ++k )
    {
      e[ k ] = output_error( k, label );
    }
    std::vector< std::int64_t > h( posts ), rate_excess( posts ), L( posts, 0 );
    std::vector< std::uint8_t > block_quiet( blocks, 1 );
    for ( int j = 0; j < posts; ++j )
    {
      const int source = j < n_rec_ ? j : 2 * last_pair + ( j & 1 );
      h[ j ] = c_.pseudo_derivative( u_[ source ] );
      rate_excess[ j ] = c_.regul_mode ? std::max< std::int64_t >( 0, ( tr_[ source ] >> c_.fp_loc_trec ) - c_.regul_f0 ) : 0;
      if ( rate_excess[ j ] != 0 )
      {
        block_quiet[ j / 16 ] = 0;
      }
    }
    // learning signals through the output weights as they are before this tick's update
    if ( c_.do_eprop & 0b011 )
    {
      for ( int j = 0; j < n_rec_; ++j )
      {
        std::int64_t psum = 0;
        for ( int k = 0; k < n_out_; ++k )
        {
          psum += e[ k ] * w_out_[ j * n_out_ + k ];
        }
        psum = fixed_point::wrap( psum, 28 );
        const std::int64_t scaled = psum * ( std::int64_t { 1 } << c_.learn_sig_scale );
        const bool fits = scaled >= -( std::int64_t { 1 } << 27 ) and scaled < ( std::int64_t { 1 } << 27 );
        L[ j ] = fits ? scaled >> 12 : ( psum < 0 ? -32768 : 32767 );
      }
    }
    if ( c_.do_eprop & 0b100 )
    {
      for ( int j = 0; j < n_rec_; ++j )
      {
        const std::int64_t trace = to_[ j ] >> c_.fp_loc_tout;
        if ( trace == 0 )
        {
          continue;  // the chip skips the row, and its stream does not advance
        }
        for ( int k = 0; k < n_out_; ++k )
        {
          const std::int64_t prob = fixed_point::wrap( e[ k ] * trace, 28 );
          auto& w = w_out_[ j * n_out_ + k ];
          w = fixed_point::stochastic_update( prob, w, true, c_.lr_p_wout, c_.lr_r_wout, lfsr_wout_.lane( k, 28 ), 28 ).w;
        }
        lfsr_wout_.advance();
      }
    }
    if ( c_.do_eprop & 0b001 )
    {
      update_block_weights( false, blocks, h, rate_excess, L, block_quiet );
    }
    if ( c_.do_eprop & 0b010 )
    {
      update_block_weights( true, blocks, h, rate_excess, L, block_quiet );
    }
  }

  void
  update_block_weights( bool recurrent, int blocks, const std::vector< std::int64_t >& h,
    const std::vector< std::int64_t >& rate_excess, const std::vector< std::int64_t >& L,
    const std::vector< std::uint8_t >& block_quiet )
  {
    auto& w = recurrent ? w_rec_ : w_inp_;
    auto& lfsr = recurrent ? lfsr_wrec_ : lfsr_winp_;
    const auto& traces = recurrent ? tr_ : ti_;
    const int fp_trace = recurrent ? c_.fp_loc_trec : c_.fp_loc_tinp;
    const int n_pre = recurrent ? n_rec_ : n_inp_;
    const int regul_bit = recurrent ? 2 : 1;
    const bool regul_on = c_.regul_mode != 0 and ( c_.regul_w & regul_bit );
    const bool additive = ( c_.regul_mode & 0b010 ) and ( c_.regul_w & regul_bit );
    const bool multiplicative = ( c_.regul_mode & 0b001 ) and c_.regul_w != 0;
    const int k_p = recurrent ? c_.regul_k_rec_p : c_.regul_k_inp_p;
    const int k_r = recurrent ? c_.regul_k_rec_r : c_.regul_k_inp_r;
    const int lr_p = recurrent ? c_.lr_p_wrec : c_.lr_p_winp;
    const int lr_r = recurrent ? c_.lr_r_wrec : c_.lr_r_winp;
    for ( int b = 0; b < blocks; ++b )
    {
      for ( int i = 0; i < n_pre; ++i )
      {
        const std::int64_t trace = traces[ i ] >> fp_trace;
        if ( trace == 0 and block_quiet[ b ] )
        {
          continue;  // skipped word: no stream word either
        }
        for ( int lane = 0; lane < 16; ++lane )
        {
          const int j = 16 * b + lane;
          if ( j >= n_rec_ )
          {
            break;  // lanes beyond the network: written on chip, never read
          }
          const std::int64_t prob_e = h[ j ] != 0 ? fixed_point::wrap( L[ j ] * trace * h[ j ], 32 ) : 0;
          std::int64_t scale = 16;
          if ( multiplicative and prob_e >= 0 )
          {
            const std::int64_t m = rate_excess[ j ] >> c_.regul_k_mul;
            scale = ( m >> 4 ) != 0 ? 0 : 16 - ( m & 0xF );
          }
          const std::int64_t scaled = fixed_point::wrap( prob_e * scale, 37 );
          const std::int64_t regularizer
            = additive ? static_cast< std::int64_t >( ( static_cast< std::uint64_t >( rate_excess[ j ] << k_p ) & 0xFFFFFFFFu ) >> k_r ) : 0;
          const std::int64_t difference = fixed_point::wrap( fixed_point::wrap( scaled >> 4, 32 ) - regularizer, 32 );
          // as the RTL is written: bit 31 of the 37-bit product flags an underflow
          const bool flagged = difference >= 0 and ( ( scaled >> 31 ) & 1 );
          const std::int64_t prob = flagged ? -( std::int64_t { 1 } << 31 ) : difference;
          auto& weight = w[ static_cast< std::size_t >( i ) * n_rec_ + j ];
          const auto updated = fixed_point::stochastic_update( prob, weight, h[ j ] != 0 or regul_on, lr_p, lr_r, lfsr.lane( lane, 32 ), 32 );
          weight = recurrent and updated.written and i == j ? 0 : updated.w;
        }
        lfsr.advance();
      }
    }
  }

  void
  prop( const std::vector< int >& inputs )
  {
    std::vector< std::uint8_t > active( n_rec_, 0 );
    for ( const int i : inputs )
    {
      if ( i >= 0 and i < n_inp_ )
      {
        active[ i ] = 1;
      }
    }
    const bool grow_inp = ( c_.do_eprop & 1 ) or c_.force_traces;
    const bool grow_rec = ( c_.do_eprop & 2 ) or c_.force_traces;
    const bool grow_out = ( c_.do_eprop & 4 ) or c_.force_traces;
    for ( int i = 0; i < n_rec_; ++i )
    {
      if ( not( active[ i ] or z_[ i ] ) )
      {
        continue;
      }
      if ( z_[ i ] )
      {
        for ( int k = 0; k < n_out_; ++k )
        {
          vo_[ k ] = fixed_point::saturating_add( vo_[ k ], fixed_point::wrap( w_out_[ i * n_out_ + k ] << c_.fp_loc_wout, 16 ), 16 );
        }
      }
      for ( int j = 0; j < n_rec_; ++j )
      {
        const std::int64_t from_inp = active[ i ] ? fixed_point::wrap( w_inp_[ static_cast< std::size_t >( i ) * n_rec_ + j ] << c_.fp_loc_winp, 16 ) : 0;
        const std::int64_t from_rec = z_[ i ] ? fixed_point::wrap( w_rec_[ static_cast< std::size_t >( i ) * n_rec_ + j ] << c_.fp_loc_wrec, 16 ) : 0;
        u_[ j ] = fixed_point::saturating_add( u_[ j ], fixed_point::saturating_add( from_inp, from_rec, 16 ), 16 );
      }
      if ( active[ i ] and grow_inp )
      {
        ti_[ i ] = fixed_point::saturating_add_unsigned( ti_[ i ], 8 << c_.fp_loc_tinp, 12 );
      }
      if ( z_[ i ] and grow_rec )
      {
        tr_[ i ] = fixed_point::saturating_add_unsigned( tr_[ i ], 8 << c_.fp_loc_trec, 12 );
      }
      if ( z_[ i ] and grow_out )
      {
        to_[ i ] = fixed_point::saturating_add_unsigned( to_[ i ], 2 << c_.fp_loc_tout, 10 );
      }
    }
  }
};

}  // namespace chiplearn::core::reckon

#endif
