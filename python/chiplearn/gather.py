"""The one place where results are read back from NEST: recorders' events and synapses' values. Everything
that collects results (streaming, checkpoints, weights) goes through here, so that results from several
processes can be gathered in one place."""

import numpy as np


def events(recorder, keys):
    """The recorder's events as numpy arrays (senders, times and `keys`); the recorder is emptied."""
    recorded = recorder.events
    result = {key: np.asarray(recorded[key]) for key in ("senders", "times", *keys)}
    recorder.n_events = 0
    return result


def synapse_values(connections, keys):
    """Per-synapse values of a SynapseCollection, one numpy array per key, in the collection's order."""
    table = connections.get(list(keys))
    return {key: np.atleast_1d(np.asarray(table[key])) for key in keys}


def set_synapse_values(connections, values):
    """Sets per-synapse values (key -> array in the collection's order) in one call."""
    keys = list(values)
    n = len(values[keys[0]])
    connections.set([{key: values[key][i].item() for key in keys} for i in range(n)])
