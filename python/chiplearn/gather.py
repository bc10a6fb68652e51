"""The one place where results are read back from NEST: recorders' events and synapses' values. Everything
that collects results (streaming, checkpoints, weights) goes through here.

Under MPI (NEST started on several processes with mpirun) each rank's recorders and GetConnections see only
the nodes and synapses that rank holds. The functions here exchange the ranks' parts, so that every rank
holds the whole result and goes on computing the same thing; events come sorted by time and sender, so the
result does not depend on how the network is split over ranks and threads. Only rank 0 writes files
(chiplearn.files asks `is_root`) and prints (`report`).

The exchange uses mpi4py, imported only when NEST runs on several processes: with one process nothing is
exchanged and nothing beyond NEST is needed.
"""

import sys

import numpy as np

# A learning synapse's state in a checkpoint: its weight and the state of the shared Adam optimizer
# (models/core/optimizer.h); both e-prop and EventProp synapses have these four values.
SYNAPSE_STATE_KEYS = ("weight", "adam_m", "adam_v", "adam_steps")


def _nest():
    # a process that has not imported NEST runs no simulation: it is a single rank 0
    return sys.modules.get("nest")


def num_processes():
    nest = _nest()
    return 1 if nest is None else nest.NumProcesses()


def rank():
    nest = _nest()
    return 0 if nest is None else nest.Rank()


def is_root():
    """True on the process that writes files and prints (rank 0, or the only process)."""
    return rank() == 0


def report(*args, **kwargs):
    """print() on rank 0 only."""
    if is_root():
        print(*args, flush=True, **kwargs)


def allgather(value):
    """[value of rank 0, value of rank 1, ...] on every rank. Every rank must call it, in the same order."""
    if num_processes() == 1:
        return [value]
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError("NEST runs on several MPI processes and chiplearn gathers results across them with "
                          "mpi4py, which is not installed: pip install mpi4py (compiled against the MPI that "
                          "NEST uses; see README.md, 'Running on a cluster')") from error
    return MPI.COMM_WORLD.allgather(value)


def concatenate(parts, keys):
    """One array per key from the ranks' parts (dicts key -> array), in rank order. A rank with nothing to
    contribute adds nothing (its empty array's dtype would otherwise change the result's)."""
    result = {}
    for key in keys:
        arrays = [np.asarray(part[key]) for part in parts if len(part[key])]
        result[key] = np.concatenate(arrays) if arrays else np.asarray(parts[0][key])
    return result


def merge_events(parts, keys):
    """The ranks' recorder events (dicts with senders, times and keys) as one recording, sorted by time and
    then sender."""
    merged = concatenate(parts, ("senders", "times", *keys))
    order = np.lexsort((merged["senders"], merged["times"]))
    return {key: values[order] for key, values in merged.items()}


def local_slice(counts, this_rank):
    """Where this rank's synapses lie in values gathered by synapse_values (counts: synapses per rank)."""
    start = int(sum(counts[:this_rank]))
    return slice(start, start + int(counts[this_rank]))


def events(recorder, keys):
    """The recorder's events on all ranks as numpy arrays (senders, times and `keys`), sorted by time and
    sender; the recorder is emptied."""
    recorded = recorder.events
    local = {key: np.asarray(recorded[key]) for key in ("senders", "times", *keys)}
    recorder.n_events = 0
    return merge_events(allgather(local), keys)


def synapse_values(connections, keys):
    """Per-synapse values of a SynapseCollection from GetConnections on all ranks, one numpy array per key:
    rank 0's synapses in the collection's order, then rank 1's, and so on (the order set_synapse_values
    expects)."""
    keys = list(keys)
    if len(connections):
        table = connections.get(keys)
        local = {key: np.atleast_1d(np.asarray(table[key])) for key in keys}
    else:
        local = {key: np.zeros(0) for key in keys}
    return concatenate(allgather(local), keys)


def synapse_positions(connections, sources, targets):
    """(target index, source index) of each synapse, in synapse_values' order, for connections from the
    NodeCollection `sources` to `targets` (each of consecutive node ids)."""
    table = synapse_values(connections, ("source", "target"))
    return (table["target"].astype(int) - targets[0].global_id, table["source"].astype(int) - sources[0].global_id)


def synapse_matrices(connections, positions, shape, keys):
    """Per-synapse values as (targets x sources) matrices of `shape`, one per key, 0 where there is no synapse;
    positions are synapse_positions' of the same connections."""
    rows, cols = positions
    table = synapse_values(connections, keys)
    matrices = {}
    for key in keys:
        matrices[key] = np.zeros(shape, dtype=table[key].dtype)
        matrices[key][rows, cols] = table[key]
    return matrices


def set_synapse_values(connections, values):
    """Sets per-synapse values (key -> array in synapse_values' order, all ranks' synapses) in one call per
    rank: each rank sets its own part."""
    keys = list(values)
    part = local_slice(allgather(len(connections)), rank())
    local = {key: np.asarray(values[key])[part] for key in keys}
    if len(connections):
        connections.set([{key: local[key][i].item() for key in keys} for i in range(len(connections))])
