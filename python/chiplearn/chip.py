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


# ---- carrying a float-trained e-prop network onto a chip --------------------------------------------------


def weight_grid(bits, bound):
    """The n-bit weight grid of a signed fixed-point weight memory covering [-bound, bound): levels k * step for
    k = -2^(bits-1) ... 2^(bits-1) - 1 with step = bound / 2^(bits-1), as the e-prop synapse's ``optimizer``
    settings ``Wmin``, ``Wmax`` and ``weight_step`` (the grid's levels are Wmin + k step; 0 is one of them)."""
    if not (isinstance(bits, (int, np.integer)) and 2 <= bits <= 32):
        raise ValueError(f"bits = {bits} is out of range; allowed: an integer 2 ... 32")
    if not (np.isfinite(bound) and bound > 0):
        raise ValueError(f"bound = {bound} is out of range; allowed: 0 < bound < inf")
    levels = 2 ** (bits - 1)
    step = bound / levels
    return {"Wmin": -levels * step, "Wmax": (levels - 1) * step, "weight_step": step}


def quantize_to_grid(weights, grid):
    """Weights put on a grid (``weight_grid``) the way the e-prop synapse puts them there: to the nearest level
    (halves up), saturating at Wmin and Wmax. Runs the core's WeightGrid, so it is the synapse's arithmetic."""
    core_grid = _core.WeightGrid(Wmin=grid["Wmin"], Wmax=grid["Wmax"], step=grid["weight_step"])
    weights = np.asarray(weights, dtype=float)
    return np.array([core_grid.level(float(w)) for w in weights.ravel()]).reshape(weights.shape)


def carry_to_grid(weights, bits, bounds=None):
    """A float-trained e-prop network's weights (``in_rec``, ``rec_rec``, ``rec_out`` as EpropNetwork holds them)
    on an n-bit grid per projection: the float model with its weights quantized, as a chip with n-bit weight
    memories and one fixed-point location per weight class would hold them. ``bounds`` (per projection) sets
    each grid's range [-bound, bound); by default the largest |weight| of the projection, so that nothing
    saturates but the largest positive weight, by less than a step. Returns (weights, grids) by projection."""
    grids, carried = {}, {}
    for name in ("in_rec", "rec_rec", "rec_out"):
        w = np.asarray(weights[name], dtype=float)
        bound = bounds[name] if bounds is not None else float(np.max(np.abs(w)))
        grids[name] = weight_grid(bits, bound)
        carried[name] = quantize_to_grid(w, grids[name])
    return carried, grids


def carry_to_reckon(preset, weights, neuron, readout, resolution=1.0):
    """A float-trained cue-accumulation e-prop LIF network carried onto a ReckOn preset, for
    ``reckon_chip_chiplearn`` (inference: set ``do_eprop`` 0 or give no labels).

    weights: ``in_rec`` (recurrent x inputs, mV), ``rec_rec`` (recurrent x recurrent, mV), ``rec_out``
    (readouts x recurrent) as EpropNetwork holds them; neuron: the recurrent neurons' ``V_th``, ``E_L``,
    ``tau_m`` (ms) and ``regular_spike_arrival`` (must be True: a spike of weight w raises V_m by w mV);
    readout: the readouts' ``tau_m`` (ms) and ``regular_spike_arrival`` (False: a spike adds (1 - kappa) w).

    The scales, from the two models' equations (one tick = one step of ``resolution`` ms):

    - recurrent membrane: the chip keeps the preset's threshold register, so 1 mV of the float model is
      ``membrane_scale`` = threshold / (V_th - E_L) LSB. A spike of weight w (mV) raises the chip's membrane
      by w_chip << fp_loc_w LSB, hence w_chip = round(w membrane_scale / 2^fp_loc_w) (``fp_loc_winp``,
      ``fp_loc_wrec``), saturating at the signed 8-bit range;
    - leak: alpha = round(2^15 exp(-h / tau_m)) (Q1.15) and kappa = round(2^7 exp(-h / tau_m_readout)) (Q1.7);
    - outputs: a readout adds (1 - kappa) w per spike, the chip's output membrane w_out << fp_loc_wout LSB, so
      one unit of the readout is ``output_scale`` = 2^fp_loc_wout w_out_chip / ((1 - kappa) w) LSB. The chip
      answers by the output with the largest membrane in most ticks of the voting window, which no positive
      scale changes; the scale is chosen so that the largest |w_out| takes the largest 8-bit level (127).

    What the chip does not have is left out: refractoriness (the chip can spike in every tick) and the
    float model's exact leak (the chip floors or rounds stochastically, en_stoch_round). Returns a dict:
    ``preset`` (the given one with ``alpha``, ``threshold``, ``kappa`` and the network's sizes set),
    ``w_inp``, ``w_rec``, ``w_out`` (signed 8-bit, rows presynaptic, as ``reckon_chip_status`` takes them),
    ``membrane_scale`` and ``output_scale`` (LSB per mV, LSB per readout unit). ValueError names a setting the
    chip cannot take.
    """
    if not neuron.get("regular_spike_arrival", True):
        raise ValueError("regular_spike_arrival = False is not carried; allowed: True (a spike of weight w raises "
                         "V_m by w mV, as on the chip)")
    if readout.get("regular_spike_arrival", False):
        raise ValueError("readout regular_spike_arrival = True is not carried; allowed: False (the readout "
                         "integrates (1 - kappa) w per spike)")
    config = dict(preset["config"])
    threshold = int(np.asarray(preset["threshold"]).ravel()[0])
    swing = float(neuron["V_th"]) - float(neuron.get("E_L", 0.0))
    if not swing > 0:
        raise ValueError(f"V_th - E_L = {swing} mV is out of range; allowed: > 0 mV")
    membrane_scale = threshold / swing
    alpha = int(round(2 ** 15 * np.exp(-resolution / float(neuron["tau_m"]))))
    kappa_factor = np.exp(-resolution / float(readout["tau_m"]))
    kappa = int(round(2 ** 7 * kappa_factor))

    def signed_8_bit(values):
        return np.clip(np.rint(values), -128, 127).astype(np.int64)

    w_inp = signed_8_bit(np.asarray(weights["in_rec"], float).T * membrane_scale / 2 ** config["fp_loc_winp"])
    w_rec = signed_8_bit(np.asarray(weights["rec_rec"], float).T * membrane_scale / 2 ** config["fp_loc_wrec"])
    np.fill_diagonal(w_rec, 0)  # the chip forces self-connections to 0
    rec_out = np.asarray(weights["rec_out"], float).T
    largest = float(np.max(np.abs(rec_out)))
    if not largest > 0:
        raise ValueError("rec_out is all 0: no output scale follows; allowed: a readout weight other than 0")
    w_out = signed_8_bit(rec_out * 127.0 / largest)
    output_scale = 2 ** config["fp_loc_wout"] * 127.0 / ((1.0 - kappa_factor) * largest)
    n_inp, n_rec = w_inp.shape
    config.update(num_inp_neur=n_inp - 1, num_rec_neur=n_rec - 1, num_out_neur=w_out.shape[1] - 1, kappa=kappa)
    carried = {**preset, "config": config, "alpha": alpha, "threshold": threshold}
    return {"preset": carried, "w_inp": w_inp, "w_rec": w_rec, "w_out": w_out,
            "membrane_scale": membrane_scale, "output_scale": output_scale}
