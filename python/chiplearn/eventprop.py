"""EventProp readout networks in NEST: input spike generators (through parrots) onto eventprop_readout_chiplearn
outputs over eventprop_synapse_chiplearn, the outputs of a task coupled for their softmax, targets on their
target receptor; and the trials fed to them."""

import numpy as np

from .datasets import spike_generator_times
from .kernel import receptor

READOUT = "eventprop_readout_chiplearn"
SYNAPSE = "eventprop_synapse_chiplearn"


def build_readout_network(nest, n_inputs, n_outputs, readout_params, weights, optimizer):
    """Creates and connects the network in the current kernel; returns its node collections.

    weights: (n_outputs, n_inputs) initial weights [pA]. Generator -> parrot and parrot -> output take one
    step each, so an input spike set at trial time tau arrives at the outputs at tau + 2 h.
    """
    h = nest.resolution
    generators = nest.Create("spike_generator", n_inputs)
    inputs = nest.Create("parrot_neuron", n_inputs)
    outputs = nest.Create(READOUT, n_outputs, readout_params)
    targets = nest.Create("step_rate_generator", n_outputs)
    nest.SetDefaults(SYNAPSE, {"optimizer": optimizer})
    nest.Connect(generators, inputs, "one_to_one", {"synapse_model": "static_synapse", "delay": h})
    nest.Connect(inputs, outputs, "all_to_all",
                 {"synapse_model": SYNAPSE, "delay": h, "weight": np.asarray(weights, dtype=float)})
    nest.Connect(targets, outputs, "one_to_one",
                 {"synapse_model": "rate_connection_delayed", "delay": h,
                  "receptor_type": receptor(READOUT, "target_signal")})
    if n_outputs > 1:
        nest.Connect(outputs, outputs, {"rule": "all_to_all", "allow_autapses": False},
                     {"synapse_model": "rate_connection_delayed", "delay": h, "weight": 1.0,
                      "receptor_type": receptor(READOUT, "readout_signal")})
    return {"generators": generators, "inputs": inputs, "outputs": outputs, "targets": targets}


def arrival_delay(nest):
    """Time from an input spike set in a generator to its arrival at the outputs [ms]."""
    return 2 * nest.resolution


def set_trials(nest, nodes, first_trial, trial_length, input_times, labels):
    """Loads trials first_trial, first_trial + 1, ... into the generators and the targets.

    input_times: (trials, inputs) spike times [ms from the trial start, inf: none], on the grid, > 0 and such
    that they arrive within the trial (time + arrival_delay < trial_length), as the codes of chiplearn.datasets
    give them; labels[n]: the target output of trial n. The generators' earlier spikes are replaced.
    """
    h = nest.resolution
    per_input = spike_generator_times(np.asarray(input_times, dtype=float), trial_length, h,
                                      start=first_trial * trial_length)
    nodes["generators"].set([{"spike_times": times} for times in per_input])
    starts = (first_trial + np.arange(len(labels))) * trial_length + h  # step_rate_generator: amplitude from a time > 0
    labels = np.asarray(labels)
    nodes["targets"].set([{"amplitude_times": starts, "amplitude_values": (labels == k).astype(float)}
                          for k in range(len(nodes["targets"]))])
