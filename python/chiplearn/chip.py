"""Chip presets: plain dictionaries a user can read and change, and the device mismatch they describe.

``MIXED_SIGNAL`` describes a mixed-signal learning circuit in the manner of Büchel et al.'s EBN chip
(ISCAS 2021): each plastic weight is a small signed counter, stepped by +-1 by the learning rule, whose
step is a current set by a transistor (and so mismatched from synapse to synapse); leak and threshold of
each neuron are mismatched too; inputs are noisy. Values and sources:

- ``weight_bits`` 6: signed counters -32 ... 31. The transistor-level simulations released with the paper
  show counters moving over -31 ... 16 (research note chip.md §3.6), which needs 6 signed bits.
- ``mismatch``: relative standard deviations (coefficients of variation) of the leak time constant, the
  threshold and the weight step, drawn once per neuron or synapse. 0.1 each is an assumption of the order
  that subthreshold analog circuits show (device mismatch of a few to tens of percent, e.g. the DYNAP-SE
  family); ``pynest_scripts/balanced_network.py --chip mixed_signal --mismatch X`` trains at another level.
- ``noise_std``: the standard deviation of the input current noise per step, in the network's units
  (0.01: Büchel et al.'s simulations).
- ``seed``: the seed of the mismatch draws. They come from the counter-based generator of the core keyed
  by (seed, stream, neuron index or synapse (source, target) index pair), so they are the same for any
  number of threads or MPI ranks.
"""

import numpy as np

from . import _core

MIXED_SIGNAL = {
    "weight_bits": 6,
    "mismatch": {"tau_m": 0.1, "threshold": 0.1, "weight_step": 0.1},
    "noise_std": 0.01,
    "seed": 1,
}

#: Mismatch factors are clipped to at least this value (a circuit's parameter stays positive).
SMALLEST_GAIN = 0.1


def weight_range(preset, granularity):
    """(Wmin, Wmax) of a signed counter of the preset's bit width, in steps of the granularity."""
    levels = 2 ** (preset["weight_bits"] - 1)
    return -levels * granularity, (levels - 1) * granularity


def _gains(seed, stream, ids, relative_std):
    normal = _core.counter_normal(seed, stream, np.asarray(ids, dtype=np.uint64), 0)
    return np.maximum(1.0 + relative_std * normal, SMALLEST_GAIN)


def neuron_gains(preset, n_neurons):
    """Per-neuron factors of the leak time constant and of the threshold (index 0 ... n - 1)."""
    ids = np.arange(n_neurons)
    mismatch = preset["mismatch"]
    return (_gains(preset["seed"], _core.Stream.mismatch_tau_m, ids, mismatch["tau_m"]),
            _gains(preset["seed"], _core.Stream.mismatch_threshold, ids, mismatch["threshold"]))


def synapse_gains(preset, n_targets, n_sources):
    """Per-synapse factors of the weight step (target x source)."""
    targets, sources = np.meshgrid(np.arange(n_targets), np.arange(n_sources), indexing="ij")
    ids = [_core.synapse_id(int(s), int(t)) for s, t in zip(sources.ravel(), targets.ravel())]
    gains = _gains(preset["seed"], _core.Stream.mismatch_weight_step, ids, preset["mismatch"]["weight_step"])
    return gains.reshape(n_targets, n_sources)


#: ReckOn (Frenkel & Indiveri, ISSCC 2022) as its release testbench configures it for cue accumulation
#: (40 inputs, 100 recurrent LIF neurons, 2 outputs; research note chip.md §1.4). ``config`` holds the
#: chip's registers under their names without ``SPI_``, in lower case, as the chip keeps them (so
#: ``seed_strnd_oneur`` is the low 15 bits of the testbench's 0xF4F4); ``alpha`` (Q1.15, 16 bits: 0x7FEF =
#: 0.99948, tau_m about 2 s at 1 ms per tick) and ``threshold`` (16-bit signed; 1.0 = 1024) are per neuron
#: pair, a single value for all. Weights are signed 8-bit, shifted left by ``fp_loc_w*`` into the 16-bit
#: membranes. ``reckon_network`` runs it in the core, bit for bit as the chip's RTL.
RECKON = {
    "config": {
        "num_inp_neur": 39, "num_rec_neur": 99, "num_out_neur": 1,
        "rst_mode": 0, "do_eprop": 0b111, "force_traces": 0, "en_stoch_round": 1, "no_out_act": 0,
        "fp_loc_winp": 3, "fp_loc_wrec": 3, "fp_loc_wout": 3, "fp_loc_tinp": 3, "fp_loc_trec": 4, "fp_loc_tout": 6,
        "learn_sig_scale": 5, "regul_mode": 0b010, "regul_w": 0b11, "regul_f0": 160,
        "regul_k_inp_r": 0, "regul_k_inp_p": 10, "regul_k_rec_r": 0, "regul_k_rec_p": 10, "regul_k_mul": 0,
        "kappa": 0x79, "thr_h": [205, 205, 205, 205], "h": [0, 0, 0, 0, 1],
        "lr_r_winp": 0, "lr_p_winp": 8, "lr_r_wrec": 0, "lr_p_wrec": 8, "lr_r_wout": 0, "lr_p_wout": 14,
        "seed_inp": 0xF0F0, "seed_rec": 0xF1F1, "seed_out": 0xF2F2, "seed_strnd_neur": 0x3F3FF3F3,
        "seed_strnd_oneur": 0x74F4, "seed_strnd_tinp": 0x3F5FF5F5, "seed_strnd_trec": 0x3F6FF6F6,
        "seed_strnd_tout": 0x3F7FF7F7,
    },
    "alpha": 0x7FEF,
    "threshold": 614,
}


def reckon_network(preset, w_inp, w_rec, w_out):
    """A ``_core.reckon.Network`` of the preset with the given signed 8-bit weights (rows presynaptic:
    inputs x recurrent, recurrent x recurrent, recurrent x outputs). Settings out of their registers' widths
    raise ValueError naming them."""
    config = _core.reckon.Config()
    for key, value in preset["config"].items():
        if not hasattr(config, key):
            raise ValueError(f"{key} is not a ReckOn register; allowed: {sorted(RECKON['config'])}")
        setattr(config, key, value)
    pairs = (config.num_rec_neur + 1) // 2
    alpha = np.broadcast_to(np.asarray(preset["alpha"], dtype=np.int64), pairs)
    threshold = np.broadcast_to(np.asarray(preset["threshold"], dtype=np.int64), pairs)
    return _core.reckon.Network(config, np.asarray(w_inp, np.int64).ravel(), np.asarray(w_rec, np.int64).ravel(),
                                np.asarray(w_out, np.int64).ravel(), alpha, threshold)


def reckon_chip_status(preset, w_inp, w_rec, w_out):
    """The status of a ``reckon_chip_chiplearn`` node (NEST) with the preset's registers and neuron words and
    the given signed 8-bit weights (rows presynaptic, as for ``reckon_network``), for ``nest.SetStatus``."""
    config = preset["config"]
    unknown = sorted(set(config) - set(RECKON["config"]))
    if unknown:
        raise ValueError(f"{unknown[0]} is not a ReckOn register; allowed: {sorted(RECKON['config'])}")
    pairs = (config["num_rec_neur"] + 1) // 2

    def integers(values, n=None):
        array = np.asarray(values, dtype=np.int64).ravel()
        return [int(v) for v in (np.broadcast_to(array, n) if n else array)]

    status = {key: integers(value) if isinstance(value, (list, tuple)) else int(value) for key, value in config.items()}
    status.update(alpha=integers(preset["alpha"], pairs), threshold=integers(preset["threshold"], pairs),
                  w_inp=integers(w_inp), w_rec=integers(w_rec), w_out=integers(w_out))
    return status


def reckon_spike_times(samples, sample_ticks, n_inputs, resolution=1.0, sample_start=1):
    """Spike times (ms) per input channel for ``spike_generator`` s that feed a ``reckon_chip_chiplearn`` node
    over connections with a delay of one step (``resolution``): ``samples`` are the chip's input events, one
    array of rows (tick, channel) per sample, for samples that follow each other from step ``sample_start``
    (the node's parameter)."""
    times = [[] for _ in range(n_inputs)]
    for k, events in enumerate(samples):
        events = np.asarray(events, dtype=np.int64).reshape(-1, 2)
        outside = (events[:, 0] < 0) | (events[:, 0] >= sample_ticks) | (events[:, 1] < 0) | (events[:, 1] >= n_inputs)
        if outside.any():
            raise ValueError(f"sample {k}: event {events[outside][0].tolist()} is outside the sample's "
                             f"{sample_ticks} ticks and {n_inputs} channels")
        for tick, channel in np.unique(events, axis=0):
            times[channel].append(resolution * (sample_start + k * sample_ticks + tick))
    return [sorted(t) for t in times]
