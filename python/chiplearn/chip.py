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
