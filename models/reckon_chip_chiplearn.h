/*
 *  reckon_chip_chiplearn.h -- one ReckOn chip (its whole network, learning on chip) as one NEST node.
 *
 *  This file is part of chiplearn, a NEST extension module.
 *  SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef RECKON_CHIP_CHIPLEARN_H
#define RECKON_CHIP_CHIPLEARN_H

#include <deque>
#include <optional>
#include <string>
#include <vector>

// nestkernel
#include "event.h"
#include "node.h"
#include "recordables_map.h"
#include "ring_buffer.h"
#include "universal_data_logger.h"

// chiplearn
#include "core/reckon.h"

namespace chiplearn
{

/* BeginUserDocs: neuron, integrate-and-fire, e-prop plasticity, fixed-point, neuromorphic chip

Short description
+++++++++++++++++

The ReckOn chip (Frenkel & Indiveri, ISSCC 2022): a recurrent LIF network that learns with e-prop on chip,
in the chip's own integer arithmetic, bit for bit as its released RTL

Description
+++++++++++

``reckon_chip_chiplearn`` is one ReckOn chip [1]_: ``num_inp_neur`` + 1 input channels, ``num_rec_neur`` + 1
recurrent LIF neurons and ``num_out_neur`` + 1 leaky output neurons, with every register of the chip's
configuration and all its weights as parameters. It runs the datapath of chiplearn's core
(``models/core/reckon.h``), which reproduces the released RTL bit for bit: per tick the membranes, traces,
output membranes and spikes, and the weights after learning (checked against the RTL's dumps in
``tests/data/reckon/``, through this model in ``tests/test_reckon_nest.py``).

Arithmetic (all integers, in the chip's least significant bits):

- recurrent membranes: signed 16 bit, saturating; leak by ``alpha`` (Q1.15, 16 bit, per neuron pair) with
  floor and stochastic rounding (``en_stoch_round``); spike when the membrane before the leak reaches
  ``threshold`` (signed 16 bit, per neuron pair), then reset by subtraction (``rst_mode`` 0) or to zero (1);
- output membranes: signed 16 bit, leak by ``kappa`` (Q1.7);
- weights ``w_inp``, ``w_rec``, ``w_out``: signed 8 bit, shifted left by ``fp_loc_winp``, ``fp_loc_wrec``,
  ``fp_loc_wout`` into the membranes;
- presynaptic traces: input and recurrent 12 bit (leak ``alpha``), output 10 bit (leak ``kappa``),
  increments 8, 8, 2 shifted by ``fp_loc_tinp``, ``fp_loc_trec``, ``fp_loc_tout``;
- e-prop in every tick of the target window: output error of the hard sigmoid (or of the membrane with
  ``no_out_act``), learning signal through the output weights as they are in that tick (symmetric feedback,
  scaled by ``learn_sig_scale``), the pseudo-derivative ``h`` (5 levels) between the breakpoints ``thr_h``,
  the firing-rate regularization (``regul_*``), and stochastic +-1 LSB weight updates whose probability is
  the update shifted by ``lr_p_*`` and ``lr_r_*``; ``do_eprop`` (bits: input, recurrent, output) says which
  weights learn;
- random numbers: the chip's LFSR streams (seeds ``seed_*``), consumed in the chip's order.

Ticks and samples. One tick of the chip is one NEST step (the presets' leaks assume 1 ms per tick, the
chip's time step). Samples of ``sample_ticks`` ticks follow each other from step ``sample_start``
(default 1): the step from :math:`t h` to :math:`(t + 1) h` is tick :math:`(t - t_0) \bmod` ``sample_ticks``
of sample :math:`\lfloor (t - t_0) / \text{sample\_ticks} \rfloor`, :math:`t_0` = ``sample_start``; the chip
idles in the steps before. A sample starts with every membrane, trace and spike at 0
(the random streams run on) and has no leak step in its first tick, as on chip. In tick :math:`k` of a
sample the outputs vote (the one with the largest membrane, the first of equals) when
:math:`k \ge` ``inference_start``, and the weights learn with the sample's label when
``target_start`` :math:`\le k <` ``target_end``. At the end of a sample its inference (the output with most
votes, the first of equals) is appended to ``inferences``; with ``inference_start`` = -1 nothing is voted
and nothing is appended.

Labels. ``labels`` is the queue of the next samples' labels, set with ``nest.SetStatus`` before
``nest.Simulate``: each sample takes the first one when it starts (-1: the sample does not learn); an
empty queue means no learning. This is how the chip's testbench drives it: a label per sample, the target
window a fixed span of ticks. Set ``inferences`` to ``[]`` to clear it.

Inputs. Spikes arrive from any NEST node (``spike_generator``, ``parrot_neuron``, ...) on receptor
:math:`i + 1` for input channel :math:`i` (:math:`0 \le i \le` ``num_inp_neur``). An input spike that NEST
delivers in step :math:`t` (a spike at time :math:`s` over a delay :math:`d` arrives at :math:`s + d` and
is delivered in the step that ends there; so a generator's spike at :math:`t h` over a delay of
:math:`h` is delivered in step :math:`t`) is an event of channel :math:`i` in the tick of step :math:`t`.
With the defaults, an event of tick :math:`\tau` of sample :math:`k` is a generator's spike at
:math:`(1 + k\,\text{sample\_ticks} + \tau) h` over a delay of :math:`h` (``chiplearn.chip.reckon_spike_times``
lays samples out so). NEST cannot deliver a spike in step 0, hence ``sample_start`` = 1. Several
spikes of a channel in one tick are one event, as on chip; the connection's weight is not used (the
chip's input weights are ``w_inp``).

Outputs. Recordables (multimeter, the state after the tick of step :math:`t` at time :math:`(t + 1) h`, so
tick :math:`\tau` of sample :math:`k` at :math:`(\text{sample\_start} + k\,\text{sample\_ticks} + \tau + 1) h`;
the idle steps record the state as it is): ``V_out_k`` (output membrane
:math:`k`), ``V_m_j`` (recurrent membrane :math:`j`) and ``spike_j`` (1 if recurrent neuron :math:`j`
spiked in the tick's leak step, else 0), in LSB. ``inferences`` holds the chip's class decision per
sample. The state is readable: ``V_m``, ``trace_inp``, ``trace_rec``, ``trace_out``, ``V_out``,
``spikes``. The node sends no events: its neurons are inside it.

Why one node. ReckOn learns online, in every tick of the target window, and the learning signal of every
recurrent neuron passes through the output weights as they change from tick to tick; the updates of one
tick read the whole network's state after the tick's leak step, and the chip's random streams are shared
by all neurons in a fixed order. That needs the network's state in one place in every tick; NEST's nodes
exchange events with a delay of at least one step, and on threads and MPI ranks in no fixed order. A
distributed chip mode (one NEST node per neuron, on any number of threads and ranks) would need random
numbers keyed by (seed, neuron or synapse, tick) instead of the shared LFSRs (counter-based streams,
``models/core/counter_rng.h``; no longer the chip's bits) and the learning signal of tick :math:`t` sent
from the outputs over a connection with a one-step delay (the output weights of tick :math:`t - 1`): a
model of the chip's rule, no longer the chip. This node is the chip; its results do not depend on the
number of threads (the generators may be on other threads).

Setting registers. A dictionary is checked as a whole before anything changes (a bad value changes
nothing). Writing ``do_eprop``, ``labels``, ``inferences`` or a sample setting changes only them; writing a
weight or a register with a new value restarts the chip: state at 0 and the random streams from their
seeds, as after the chip's reset and configuration (the weights written and the others kept).

Parameters
++++++++++

Registers, named as the chip's without ``SPI_``, in lower case (defaults: the release testbench's
cue-accumulation configuration, ``chiplearn.chip.RECKON``; allowed: the register's width, as unsigned):

============================================================ ===== ==========================================
**Register**                                                 bits  **Meaning**
============================================================ ===== ==========================================
``num_inp_neur``, ``num_rec_neur``                           8     inputs - 1 (<= ``num_rec_neur``), recurrent neurons - 1 (odd)
``num_out_neur``                                             4     outputs - 1 (<= ``num_rec_neur``)
``rst_mode``, ``force_traces``, ``en_stoch_round``, ``no_out_act`` 1  reset to 0; traces without learning; stochastic rounding; no output activation
``do_eprop``                                                 3     which weights learn (bits: input, recurrent, output)
``fp_loc_winp``, ``fp_loc_wrec``, ``fp_loc_wout``            3     weight shifts into the membranes
``fp_loc_tinp``, ``fp_loc_trec``, ``fp_loc_tout``            3     trace shifts
``learn_sig_scale``                                          4     learning-signal shift
``regul_mode``                                               3     0 to 5: regularization (bit 0 multiplicative, bit 1 additive)
``regul_w``                                                  2     regularized weights (bits: input, recurrent)
``regul_f0``                                                 12    target rate in the recurrent trace
``regul_k_inp_r``, ``regul_k_inp_p``, ``regul_k_rec_r``, ``regul_k_rec_p``, ``regul_k_mul`` 5  regularization shifts
``kappa``                                                    8     output leak (Q1.7)
``thr_h``                                                    16    4 ascending breakpoints of the pseudo-derivative (signed)
``h``                                                        5     its 5 levels (signed)
``lr_r_winp``, ``lr_p_winp``, ``lr_r_wrec``, ``lr_p_wrec``, ``lr_r_wout``, ``lr_p_wout`` 5  learning-rate shifts
``seed_inp``, ``seed_rec`` / ``seed_out``                    25 / 22 seeds of the update streams
``seed_strnd_neur``, ``seed_strnd_tinp``, ``seed_strnd_trec``, ``seed_strnd_tout`` / ``seed_strnd_oneur`` 30 / 15 seeds of the rounding streams
============================================================ ===== ==========================================

Neuron words and weights (integers, row-major flat lists, rows presynaptic):

=================== ============================================== ==================================
``alpha``           per neuron pair ((``num_rec_neur`` + 1) / 2; an integer sets all), 0x7000 to 0x8FFF (Q1.15)  default 0x7FEF (tau about 2 s)
``threshold``       per neuron pair, -32768 to 32767               default 614
``w_inp``           inputs x recurrent, -128 to 127                default 0
``w_rec``           recurrent x recurrent, -128 to 127             default 0
``w_out``           recurrent x outputs, -128 to 127               default 0
=================== ============================================== ==================================

Samples (ticks):

=================== ============= =====================================================================
``sample_start``    1, >= 0       the step in which the first sample starts
``sample_ticks``    2250, >= 1    ticks per sample
``target_start``    2100, >= 0    first learning tick of a sample
``target_end``      2249          end of the learning ticks (exclusive; the testbench's 149 learning ticks)
``inference_start`` 2100, >= -1   first voting tick (-1: no inference)
``labels``          []            labels of the next samples, each -1 to ``num_out_neur``
``inferences``                    the inferences of the samples run (settable to [] only)
=================== ============= =====================================================================

``random_state`` (a list of integers) is where the chip's random streams are: set back on a chip of the same
configuration (after its weights), it continues as the chip it was read from (a checkpoint resumes exactly).

Read-only state (LSB): ``V_m``, ``trace_inp``, ``trace_rec``, ``trace_out`` (per recurrent neuron),
``V_out`` (per output), ``spikes`` (0/1 per recurrent neuron, of the last tick). A value out of range
raises ``BadProperty`` naming the register and its allowed range.

Recordables
+++++++++++

``V_out_k``, ``V_m_j``, ``spike_j`` for the configured outputs :math:`k` and recurrent neurons :math:`j`

Receives
++++++++

SpikeEvent (receptor :math:`i + 1`: input channel :math:`i`), DataLoggingRequest

References
++++++++++

.. [1] Frenkel C, Indiveri G (2022). ReckOn: A 28nm sub-mm² task-agnostic spiking recurrent neural network
       processor enabling on-chip learning over second-long timescales. ISSCC 2022.
       https://arxiv.org/abs/2208.09759 ; RTL: https://github.com/ChFrenkel/ReckOn

See also
++++++++

eprop_iaf_chiplearn, eprop_readout_chiplearn

EndUserDocs */

//! What the chip is configured with: its registers, neuron words and weights.
struct ReckonSetup
{
  core::reckon::Config config = default_config();
  std::vector< std::int64_t > alpha, threshold, w_inp, w_rec, w_out;

  ReckonSetup();

  static core::reckon::Config default_config();
  bool operator==( const ReckonSetup& ) const = default;

  //! The chip built from it; BadProperty naming the first register or weight out of range.
  core::reckon::Network build( const std::string& model ) const;
};

//! How samples are laid out in ticks.
struct ReckonSamples
{
  long sample_start = 1;  //!< NEST cannot deliver a spike in step 0 (a generator refuses a spike at time 0)
  long sample_ticks = 2250;
  long target_start = 2100;
  long target_end = 2249;
  long inference_start = 2100;
};

class reckon_chip_chiplearn : public nest::Node
{
public:
  reckon_chip_chiplearn();
  reckon_chip_chiplearn( const reckon_chip_chiplearn& );

  using nest::Node::handle;
  using nest::Node::handles_test_event;

  void handle( nest::SpikeEvent& ) override;
  void handle( nest::DataLoggingRequest& ) override;
  size_t handles_test_event( nest::SpikeEvent&, size_t receptor_type ) override;
  size_t handles_test_event( nest::DataLoggingRequest&, size_t receptor_type ) override;

  void get_status( Dictionary& ) const override;
  void set_status( const Dictionary& ) override;

  //! A recordable's value: V_m_j, spike_j, V_out_k by element (see create_recordables).
  double get_state_element( size_t elem ) const;

private:
  void init_buffers_() override;
  void pre_run_hook() override;
  void update( const nest::Time&, const long, const long ) override;

  void create_recordables();

  friend class nest::DynamicRecordablesMap< reckon_chip_chiplearn >;
  friend class nest::DynamicUniversalDataLogger< reckon_chip_chiplearn >;

  ReckonSetup setup_;
  ReckonSamples samples_;
  core::reckon::Network chip_;
  std::deque< long > labels_;      //!< labels of the next samples
  std::vector< long > inferences_; //!< one per sample run
  long label_ = -1;                //!< the running sample's

  std::vector< nest::RingBuffer > input_;  //!< spikes per input channel and step
  std::vector< int > events_;              //!< the channels with an event in this tick
  nest::DynamicRecordablesMap< reckon_chip_chiplearn > recordables_;
  nest::DynamicUniversalDataLogger< reckon_chip_chiplearn > logger_;
};

}  // namespace chiplearn

#endif
