"""EventProp networks in NEST: input spike generators (through parrots) onto eventprop_readout_chiplearn
outputs over eventprop_synapse_chiplearn, directly or through a hidden layer of eventprop_iaf_chiplearn with
feedback connections back from the outputs; the outputs of a task coupled for their softmax, targets on their
target receptor; and the trials fed to them."""

import numpy as np

from .datasets import spike_generator_times
from .kernel import receptor

READOUT = "eventprop_readout_chiplearn"
SYNAPSE = "eventprop_synapse_chiplearn"


def build_readout_network(nest, n_inputs, n_outputs, readout_params, weights, optimizer, connect_inputs=True):
    """Creates and connects the network in the current kernel; returns its node collections (without the
    input -> output synapses if not connect_inputs: build_hidden_network puts a hidden layer between).

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
    if connect_inputs:
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


HIDDEN = "eventprop_iaf_chiplearn"
FEEDBACK = "eventprop_feedback_connection_chiplearn"


def build_hidden_network(nest, n_inputs, n_hidden, n_outputs, hidden_params, readout_params, hidden_weights,
                         output_weights, optimizer, delay=None):
    """Inputs -> eventprop_iaf_chiplearn hidden layer -> outputs, all trained by EventProp; returns the node
    collections (as build_readout_network, plus "hidden").

    hidden_weights: (n_hidden, n_inputs), output_weights: (n_outputs, n_hidden) initial weights [pA]. Every
    hidden -> output synapse gets a feedback connection output -> hidden with the same delay and weight, which
    carries the output's adjoint back and keeps the forward weight (both follow the optimizer of
    eventprop_synapse_chiplearn). An input spike set at trial time tau arrives at the hidden layer at tau + 2 h;
    a hidden spike at t arrives at the outputs at t + delay (default one step).
    """
    h = nest.resolution
    delay = h if delay is None else delay
    output_weights = np.asarray(output_weights, dtype=float)
    nodes = build_readout_network(nest, n_inputs, n_outputs, readout_params,
                                  np.zeros((n_outputs, n_inputs)), optimizer, connect_inputs=False)
    hidden = nest.Create(HIDDEN, n_hidden, hidden_params)
    nest.Connect(nodes["inputs"], hidden, "all_to_all",
                 {"synapse_model": SYNAPSE, "delay": h, "weight": np.asarray(hidden_weights, dtype=float)})
    nest.Connect(hidden, nodes["outputs"], "all_to_all",
                 {"synapse_model": SYNAPSE, "delay": delay, "weight": output_weights})
    nest.Connect(nodes["outputs"], hidden, "all_to_all",
                 {"synapse_model": FEEDBACK, "delay": delay, "weight": output_weights.T.copy()})
    return dict(nodes, hidden=hidden)


def weight_matrix(nest, sources, targets, synapse_model=SYNAPSE):
    """(len(targets), len(sources)) weights of the connections of synapse_model from sources to targets."""
    c = nest.GetConnections(sources, targets, synapse_model=synapse_model)
    w = np.zeros((len(targets), len(sources)))
    first_source, first_target = sources[0].global_id, targets[0].global_id
    for s, t, weight in zip(c.get("source"), c.get("target"), c.get("weight")):
        w[t - first_target, s - first_source] = weight
    return w
