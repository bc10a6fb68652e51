/*
 *  reckon_chip_chiplearn.cpp
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "reckon_chip_chiplearn.h"

#include <limits>
#include <utility>

// nestkernel
#include "kernel_manager.h"
#include "nest_names.h"
#include "universal_data_logger_impl.h"

// chiplearn
#include "leaky_node.h"
#include "parameter_checks.h"

namespace chiplearn
{

namespace
{
using core::reckon::Config;

// recordable elements: recurrent membranes, recurrent spikes, output membranes
constexpr size_t V_M_ELEMENTS = 0, SPIKE_ELEMENTS = 256, V_OUT_ELEMENTS = 512;

const std::vector< std::pair< const char*, int Config::* > >&
int_registers()
{
  static const std::vector< std::pair< const char*, int Config::* > > registers {
    { "num_inp_neur", &Config::num_inp_neur },
    { "num_rec_neur", &Config::num_rec_neur },
    { "num_out_neur", &Config::num_out_neur },
    { "rst_mode", &Config::rst_mode },
    { "do_eprop", &Config::do_eprop },
    { "force_traces", &Config::force_traces },
    { "en_stoch_round", &Config::en_stoch_round },
    { "no_out_act", &Config::no_out_act },
    { "fp_loc_winp", &Config::fp_loc_winp },
    { "fp_loc_wrec", &Config::fp_loc_wrec },
    { "fp_loc_wout", &Config::fp_loc_wout },
    { "fp_loc_tinp", &Config::fp_loc_tinp },
    { "fp_loc_trec", &Config::fp_loc_trec },
    { "fp_loc_tout", &Config::fp_loc_tout },
    { "learn_sig_scale", &Config::learn_sig_scale },
    { "regul_mode", &Config::regul_mode },
    { "regul_w", &Config::regul_w },
    { "regul_f0", &Config::regul_f0 },
    { "regul_k_inp_r", &Config::regul_k_inp_r },
    { "regul_k_inp_p", &Config::regul_k_inp_p },
    { "regul_k_rec_r", &Config::regul_k_rec_r },
    { "regul_k_rec_p", &Config::regul_k_rec_p },
    { "regul_k_mul", &Config::regul_k_mul },
    { "kappa", &Config::kappa },
    { "lr_r_winp", &Config::lr_r_winp },
    { "lr_p_winp", &Config::lr_p_winp },
    { "lr_r_wrec", &Config::lr_r_wrec },
    { "lr_p_wrec", &Config::lr_p_wrec },
    { "lr_r_wout", &Config::lr_r_wout },
    { "lr_p_wout", &Config::lr_p_wout },
  };
  return registers;
}

const std::vector< std::pair< const char*, std::uint64_t Config::* > >&
seed_registers()
{
  static const std::vector< std::pair< const char*, std::uint64_t Config::* > > registers {
    { "seed_inp", &Config::seed_inp },
    { "seed_rec", &Config::seed_rec },
    { "seed_out", &Config::seed_out },
    { "seed_strnd_neur", &Config::seed_strnd_neur },
    { "seed_strnd_oneur", &Config::seed_strnd_oneur },
    { "seed_strnd_tinp", &Config::seed_strnd_tinp },
    { "seed_strnd_trec", &Config::seed_strnd_trec },
    { "seed_strnd_tout", &Config::seed_strnd_tout },
  };
  return registers;
}

std::vector< long >
as_longs( const std::vector< std::int64_t >& v )
{
  return { v.begin(), v.end() };
}

//! Reads a list of integers (an empty list too) into `values`; whether d has `key`.
bool
update_integers( const Dictionary& d, const std::string& key, std::vector< std::int64_t >& values )
{
  const auto entry = d.find( key );
  if ( entry == d.end() )
  {
    return false;
  }
  if ( std::holds_alternative< EmptyList >( entry->second.item ) )
  {
    values.clear();
  }
  else
  {
    const auto given = d.get< std::vector< long > >( key );
    values.assign( given.begin(), given.end() );
  }
  return true;
}

//! A register of a chip word: `value` as an int, or BadProperty if it does not even fit one.
int
register_value( const std::string& model, const std::string& name, long value )
{
  if ( value < std::numeric_limits< int >::min() or value > std::numeric_limits< int >::max() )
  {
    refuse( model, name, static_cast< double >( value ), "", "the register's width (see the model's documentation)" );
  }
  return static_cast< int >( value );
}

//! A neuron word given as one integer for every pair or as one per pair.
void
update_neuron_word( const Dictionary& d, const std::string& key, std::vector< std::int64_t >& values, std::size_t pairs )
{
  const auto entry = d.find( key );
  if ( entry != d.end() and std::holds_alternative< long >( entry->second.item ) )
  {
    values.assign( pairs, d.get< long >( key ) );
  }
  else
  {
    update_integers( d, key, values );
  }
}

template < std::size_t N >
void
update_array( const std::string& model, const Dictionary& d, const std::string& key, std::array< std::int64_t, N >& values )
{
  std::vector< std::int64_t > given;
  if ( not update_integers( d, key, given ) )
  {
    return;
  }
  if ( given.size() != N )
  {
    refuse( model, key, static_cast< double >( given.size() ), "values", std::to_string( N ) + " values" );
  }
  std::copy( given.begin(), given.end(), values.begin() );
}

}  // namespace

Config
ReckonSetup::default_config()
{
  return Config {};
}

ReckonSetup::ReckonSetup()
  : alpha( config.n_rec() / 2, 0x7FEF )
  , threshold( config.n_rec() / 2, 614 )
  , w_inp( static_cast< std::size_t >( config.n_inp() ) * config.n_rec(), 0 )
  , w_rec( static_cast< std::size_t >( config.n_rec() ) * config.n_rec(), 0 )
  , w_out( static_cast< std::size_t >( config.n_rec() ) * config.n_out(), 0 )
{
}

core::reckon::Network
ReckonSetup::build( const std::string& model ) const
{
  std::optional< core::reckon::Network > network;
  check_parameters( model, [ & ] { network.emplace( config, w_inp, w_rec, w_out, alpha, threshold ); } );
  return std::move( *network );
}

reckon_chip_chiplearn::reckon_chip_chiplearn()
  : chip_( setup_.build( "reckon_chip_chiplearn" ) )
  , input_( setup_.config.n_inp() )
  , logger_( *this )
{
  create_recordables();
}

reckon_chip_chiplearn::reckon_chip_chiplearn( const reckon_chip_chiplearn& n )
  : nest::Node( n )
  , setup_( n.setup_ )
  , samples_( n.samples_ )
  , chip_( n.chip_ )
  , labels_( n.labels_ )
  , inferences_( n.inferences_ )
  , label_( n.label_ )
  , input_( n.input_ )
  , logger_( *this )
{
  create_recordables();
}

void
reckon_chip_chiplearn::create_recordables()
{
  recordables_.clear();
  using Access = nest::DataAccessFunctor< reckon_chip_chiplearn >;
  for ( int j = 0; j < setup_.config.n_rec(); ++j )
  {
    recordables_.insert( "V_m_" + std::to_string( j ), Access( *this, V_M_ELEMENTS + j ) );
    recordables_.insert( "spike_" + std::to_string( j ), Access( *this, SPIKE_ELEMENTS + j ) );
  }
  for ( int k = 0; k < setup_.config.n_out(); ++k )
  {
    recordables_.insert( "V_out_" + std::to_string( k ), Access( *this, V_OUT_ELEMENTS + k ) );
  }
}

double
reckon_chip_chiplearn::get_state_element( size_t elem ) const
{
  // a multimeter connected before the network shrank may still ask for a neuron that is gone: it reads 0
  const auto read = []( const auto& values, size_t index )
  { return index < values.size() ? static_cast< double >( values[ index ] ) : 0.0; };
  if ( elem >= V_OUT_ELEMENTS )
  {
    return read( chip_.output(), elem - V_OUT_ELEMENTS );
  }
  if ( elem >= SPIKE_ELEMENTS )
  {
    return read( chip_.spikes(), elem - SPIKE_ELEMENTS );
  }
  return read( chip_.u(), elem - V_M_ELEMENTS );
}

void
reckon_chip_chiplearn::get_status( Dictionary& d ) const
{
  const Config& c = setup_.config;
  for ( const auto& [ name, field ] : int_registers() )
  {
    d[ name ] = static_cast< long >( c.*field );
  }
  for ( const auto& [ name, field ] : seed_registers() )
  {
    d[ name ] = static_cast< long >( c.*field );
  }
  d[ "thr_h" ] = std::vector< long >( c.pseudo_derivative.breakpoints.begin(), c.pseudo_derivative.breakpoints.end() );
  d[ "h" ] = std::vector< long >( c.pseudo_derivative.levels.begin(), c.pseudo_derivative.levels.end() );
  d[ "alpha" ] = as_longs( setup_.alpha );
  d[ "threshold" ] = as_longs( setup_.threshold );
  d[ "w_inp" ] = as_longs( chip_.w_inp() );
  d[ "w_rec" ] = as_longs( chip_.w_rec() );
  d[ "w_out" ] = as_longs( chip_.w_out() );
  d[ "sample_start" ] = samples_.sample_start;
  d[ "sample_ticks" ] = samples_.sample_ticks;
  d[ "target_start" ] = samples_.target_start;
  d[ "target_end" ] = samples_.target_end;
  d[ "inference_start" ] = samples_.inference_start;
  d[ "labels" ] = std::vector< long >( labels_.begin(), labels_.end() );
  d[ "inferences" ] = inferences_;
  const auto random_state = chip_.random_state();
  d[ "random_state" ] = std::vector< long >( random_state.begin(), random_state.end() );
  d[ nest::names::V_m ] = as_longs( chip_.u() );
  d[ "trace_inp" ] = as_longs( chip_.trace_inp() );
  d[ "trace_rec" ] = as_longs( chip_.trace_rec() );
  d[ "trace_out" ] = as_longs( chip_.trace_out() );
  d[ "V_out" ] = as_longs( chip_.output() );
  d[ "spikes" ] = std::vector< long >( chip_.spikes().begin(), chip_.spikes().end() );
  d[ nest::names::recordables ] = recordables_.get_list();
}

void
reckon_chip_chiplearn::set_status( const Dictionary& d )
{
  const std::string& model = get_name();
  // the weights as the chip has them now: learning has moved them away from setup_'s
  ReckonSetup setup = setup_;
  setup.w_inp = chip_.w_inp();
  setup.w_rec = chip_.w_rec();
  setup.w_out = chip_.w_out();
  const ReckonSetup now = setup;
  Config& c = setup.config;
  for ( const auto& [ name, field ] : int_registers() )
  {
    long value = c.*field;
    if ( d.update_integer_value( name, value ) )
    {
      c.*field = register_value( model, name, value );
    }
  }
  for ( const auto& [ name, field ] : seed_registers() )
  {
    long value = static_cast< long >( c.*field );
    if ( d.update_integer_value( name, value ) )
    {
      if ( value < 0 )
      {
        refuse( model, name, static_cast< double >( value ), "", std::string( "0 <= " ) + name );
      }
      c.*field = static_cast< std::uint64_t >( value );
    }
  }
  update_array( model, d, "thr_h", c.pseudo_derivative.breakpoints );
  update_array( model, d, "h", c.pseudo_derivative.levels );
  const std::size_t pairs = static_cast< std::size_t >( c.n_rec() / 2 );
  update_neuron_word( d, "alpha", setup.alpha, pairs );
  update_neuron_word( d, "threshold", setup.threshold, pairs );
  update_integers( d, "w_inp", setup.w_inp );
  update_integers( d, "w_rec", setup.w_rec );
  update_integers( d, "w_out", setup.w_out );

  ReckonSamples samples = samples_;
  d.update_integer_value( "sample_start", samples.sample_start );
  d.update_integer_value( "sample_ticks", samples.sample_ticks );
  d.update_integer_value( "target_start", samples.target_start );
  d.update_integer_value( "target_end", samples.target_end );
  d.update_integer_value( "inference_start", samples.inference_start );
  if ( samples.sample_start < 0 )
  {
    refuse( model, "sample_start", static_cast< double >( samples.sample_start ), "steps", "0 <= sample_start" );
  }
  if ( samples.sample_ticks < 1 )
  {
    refuse( model, "sample_ticks", static_cast< double >( samples.sample_ticks ), "ticks", "1 <= sample_ticks" );
  }
  if ( samples.target_start < 0 or samples.target_start > samples.sample_ticks )
  {
    refuse( model, "target_start", static_cast< double >( samples.target_start ), "ticks", "0 <= target_start <= sample_ticks" );
  }
  if ( samples.target_end < samples.target_start or samples.target_end > samples.sample_ticks )
  {
    refuse( model, "target_end", static_cast< double >( samples.target_end ), "ticks",
      "target_start <= target_end <= sample_ticks" );
  }
  if ( samples.inference_start < -1 or samples.inference_start >= samples.sample_ticks )
  {
    refuse( model, "inference_start", static_cast< double >( samples.inference_start ), "ticks",
      "-1 <= inference_start < sample_ticks" );
  }

  std::deque< long > labels = labels_;
  std::vector< std::int64_t > given_labels;
  if ( update_integers( d, "labels", given_labels ) )
  {
    labels.assign( given_labels.begin(), given_labels.end() );
  }
  for ( const long label : labels )
  {
    if ( label < -1 or label > c.num_out_neur )
    {
      refuse( model, "labels", static_cast< double >( label ), "", "-1 <= label <= num_out_neur (" + std::to_string( c.num_out_neur ) + ")" );
    }
  }
  std::vector< std::int64_t > inferences;
  const bool clear_inferences = update_integers( d, "inferences", inferences );
  if ( not inferences.empty() )
  {
    refuse( model, "inferences", static_cast< double >( inferences.size() ), "values", "[] (clears the list)" );
  }

  // only a changed configuration restarts the chip; do_eprop switches learning between samples, as on chip
  ReckonSetup same_but_do_eprop = setup;
  same_but_do_eprop.config.do_eprop = now.config.do_eprop;
  const bool restart = not( same_but_do_eprop == now );
  std::optional< core::reckon::Network > changed;
  if ( restart )
  {
    changed.emplace( setup.build( model ) );
  }
  else
  {
    check_parameters( model, [ & ] { c.check(); } );
  }
  std::vector< std::int64_t > random_state;
  if ( update_integers( d, "random_state", random_state ) )
  {
    if ( not changed )
    {
      changed.emplace( chip_ );
    }
    check_parameters( model, [ & ] { changed->set_random_state( { random_state.begin(), random_state.end() } ); } );
  }
  refuse_unknown_keys( d, model, "parameter",
    [ & ]( const std::string& key ) { return d.has_been_accessed( key ) or key == nest::names::frozen; } );

  const bool resized = c.n_rec() != now.config.n_rec() or c.n_out() != now.config.n_out();
  if ( changed )
  {
    chip_ = std::move( *changed );
  }
  if ( not restart and c.do_eprop != now.config.do_eprop )
  {
    chip_.set_do_eprop( c.do_eprop );
  }
  setup_ = std::move( setup );
  samples_ = samples;
  labels_ = std::move( labels );
  if ( clear_inferences )
  {
    inferences_.clear();
  }
  input_.resize( setup_.config.n_inp() );
  if ( resized )
  {
    create_recordables();
  }
}

size_t
reckon_chip_chiplearn::handles_test_event( nest::SpikeEvent&, size_t receptor_type )
{
  if ( receptor_type < 1 or receptor_type > static_cast< size_t >( setup_.config.n_inp() ) )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return receptor_type;
}

size_t
reckon_chip_chiplearn::handles_test_event( nest::DataLoggingRequest& request, size_t receptor_type )
{
  if ( receptor_type != 0 )
  {
    throw nest::UnknownReceptorType( receptor_type, get_name() );
  }
  return logger_.connect_logging_device( request, recordables_ );
}

void
reckon_chip_chiplearn::handle( nest::SpikeEvent& e )
{
  const size_t channel = e.get_rport() - 1;
  // a channel beyond the inputs configured since the connection was made: the chip ignores its address
  if ( channel < input_.size() )
  {
    input_[ channel ].add_value( input_offset( *this, e, input_[ channel ] ), e.get_multiplicity() );
  }
}

void
reckon_chip_chiplearn::handle( nest::DataLoggingRequest& e )
{
  logger_.handle( e );
}

void
reckon_chip_chiplearn::init_buffers_()
{
  for ( auto& buffer : input_ )
  {
    buffer.clear();
  }
  logger_.reset();
}

void
reckon_chip_chiplearn::pre_run_hook()
{
  logger_.init();
}

void
reckon_chip_chiplearn::update( const nest::Time& origin, const long from, const long to )
{
  for ( long lag = from; lag < to; ++lag )
  {
    const long t = origin.get_steps() + lag;
    events_.clear();
    for ( size_t i = 0; i < input_.size(); ++i )
    {
      if ( input_[ i ].get_value( lag ) > 0.0 )
      {
        events_.push_back( static_cast< int >( i ) );
      }
    }
    if ( t < samples_.sample_start )
    {
      logger_.record_data( t );  // the logger needs every step, or it drops a value when the next Simulate starts
      continue;
    }
    const long tick = ( t - samples_.sample_start ) % samples_.sample_ticks;
    if ( tick == 0 )
    {
      chip_.reset_state();
      label_ = labels_.empty() ? -1 : labels_.front();
      if ( not labels_.empty() )
      {
        labels_.pop_front();
      }
    }
    const bool learning = label_ >= 0 and tick >= samples_.target_start and tick < samples_.target_end;
    const bool infer = samples_.inference_start >= 0 and tick >= samples_.inference_start;
    chip_.tick( events_, learning ? std::optional< int >( static_cast< int >( label_ ) ) : std::nullopt, infer );
    logger_.record_data( t );
    if ( tick == samples_.sample_ticks - 1 and samples_.inference_start >= 0 )
    {
      inferences_.push_back( chip_.inference() );
    }
  }
}

}  // namespace chiplearn
