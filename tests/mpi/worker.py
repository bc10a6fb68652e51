"""Runs one small network of a chiplearn model family and writes this rank's part of the result.

Started by tests/test_mpi.py, alone or under mpirun, in a process that has not imported NEST before:

    python tests/mpi/worker.py FAMILY THREADS OUTPUT_PREFIX

Each rank writes OUTPUT_PREFIX.<rank>.npz with the spikes its recorder holds (step, sender) and the
connections it stores (source, target, weight); the test merges the ranks' files.
"""

import os
import sys

import nest
import numpy as np

import chiplearn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from networks import eprop_neuron_network  # noqa: E402  (tests/ is not a package)


def ebn_network(rng):
    """Büchel et al.'s plastic balanced network in miniature: all-to-all ebn synapses with the discrete rule,
    mismatched steps, constant drive and seeded noise."""
    n = 8
    neurons = nest.Create("ebn_iaf_chiplearn", n, params=dict(C_m=50.0, tau_m=50.0, tau_syn=1.0, noise_std=0.5))
    # one node at a time: under MPI, PyNEST 3.10 refuses a list of per-node values for a NodeCollection
    for neuron, I_e, V_th in zip(neurons, rng.uniform(10.0, 20.0, n), rng.uniform(1.0, 1.6, n)):
        neuron.set(I_e=I_e, V_th=V_th)
    gain = rng.uniform(0.7, 1.3, (n, n))
    W = np.round(rng.normal(0.0, 6.0, (n, n)) / 2.0) * 2.0 * gain
    np.fill_diagonal(W, 0.0)
    nest.SetDefaults("ebn_synapse_chiplearn", {"margin": 0.05, "Wmin": -20.0, "Wmax": 16.0})
    nest.Connect(neurons, neurons, {"rule": "all_to_all", "allow_autapses": True},
                 {"synapse_model": "ebn_synapse_chiplearn", "weight": W, "step_gain": gain, "delay": 0.1})
    return neurons, 400.0


def eprop_neurons_network(rng):
    """The three e-prop neurons in one recurrent network (tests/networks.py), static synapses."""
    recurrent, _, _ = eprop_neuron_network(nest, rng)
    return recurrent, 600.0


FAMILIES = {"ebn": (ebn_network, 0.1), "eprop_neurons": (eprop_neurons_network, 1.0)}


def main():
    family, threads, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    build, step = FAMILIES[family]
    nest.set(resolution=step, local_num_threads=threads, rng_seed=1)
    neurons, duration = build(np.random.default_rng(5))
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    nest.Simulate(duration)
    events = recorder.events
    connections = nest.GetConnections(neurons, neurons)
    table = connections.get(["source", "target", "weight"]) if len(connections) else {
        "source": [], "target": [], "weight": []}
    np.savez(f"{prefix}.{nest.Rank()}.npz",
             steps=np.round(np.asarray(events["times"]) / step).astype(int), senders=np.asarray(events["senders"]),
             sources=np.asarray(table["source"]), targets=np.asarray(table["target"]),
             weights=np.asarray(table["weight"], dtype=float), ranks=nest.NumProcesses())


if __name__ == "__main__":
    main()
