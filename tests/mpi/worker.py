"""Runs one small network of a chiplearn model family and writes this rank's part of the result.

Started by tests/test_mpi.py, alone or under mpirun, in a process that has not imported NEST before:

    python tests/mpi/worker.py FAMILY THREADS OUTPUT_PREFIX

For a network family (ebn, eprop_neurons) each rank writes OUTPUT_PREFIX.<rank>.npz with the spikes its
recorder holds (step, sender) and the connections it stores (source, target, weight); the test merges the
ranks' files. For the families "training" and "chip_training" (6-bit weights, stochastic rounding) a small
e-prop network learns for a few iterations with chiplearn.training, and each rank writes what chiplearn
gathered on it: losses, the network's state, the test batch's spikes and readout signals; rank 0 also writes
the checkpoint OUTPUT_PREFIX.checkpoint.npz.
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


def training(threads, prefix, weight_bits=None):
    """A few iterations of cue accumulation in miniature: LIF and ALIF neurons, readouts, learning inputs,
    recurrent and readout weights, symmetric feedback (set from the gathered readout weights), a validation,
    a checkpoint and a test batch with spikes recorded. With weight_bits, chip mode: every projection on its
    n-bit grid (four times its largest initial |w|), the optimizer's steps rounded stochastically onto it by the
    counter-based generator."""
    import dataclasses

    from chiplearn import chip
    from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup, bellec_initial_weights
    from chiplearn.losses import cross_entropy, decisions
    from chiplearn.tasks import EvidenceAccumulation
    from chiplearn.training import Checkpoint, Evaluation, test, train

    task = EvidenceAccumulation(cue_steps=30, spacing_steps=20, delay_steps=60, recall_steps=40)
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 3.0, "tau_m": 500.0, "c_reg": 100.0,
              "surrogate_gradient_height": 0.5, "surrogate_gradient_width": 0.6, "tau_m_readout": 20.0}
    config = EpropConfig(
        n_inputs=task.n_inputs, n_outputs=2,
        groups=[RecurrentGroup("eprop_iaf_chiplearn", 12, neuron),
                RecurrentGroup("eprop_iaf_adapt_chiplearn", 12, {**neuron, "adapt_tau": 300.0, "adapt_beta": 2.0})],
        readout_params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy"},
        trial_steps=task.steps, learning_window_steps=task.recall_steps, batch_size=4,
        optimizer={"type": "adam", "eta": 0.01, "batch_size": 4}, feedback="symmetric", threads=threads, seed=3)
    rng = np.random.default_rng(3)
    initial = bellec_initial_weights(rng, config)
    if weight_bits is not None:
        grids = {name: {**chip.weight_grid(weight_bits, 4.0 * np.abs(initial[name]).max()), "rounding": "stochastic"}
                 for name in EpropNetwork.PLASTIC}
        config = dataclasses.replace(config, weight_grids=grids)
        initial = {name: chip.quantize_to_grid(w, grids[name]) if name in grids else w for name, w in initial.items()}
    network = EpropNetwork(config, initial)

    def make_batch(rng):
        spikes, labels = task.trials(rng, config.batch_size)
        return spikes, task.one_hot(labels), labels

    evaluation = Evaluation(
        loss=lambda response, labels: cross_entropy(response["readout_signal"], response["target_signal"],
                                                    task.recall_steps),
        correct=lambda response, labels: decisions(response["readout_signal"], task.recall_steps) == labels)
    log = train(network, make_batch, evaluation, iterations=4, rng=rng, validate_every=2, progress=False,
                checkpoint=Checkpoint(f"{prefix}.checkpoint.npz"))
    test_loss, _, last = test(network, make_batch, evaluation, n_batches=1, rng=rng, record_last=True)
    np.savez(f"{prefix}.{nest.Rank()}.npz", ranks=nest.NumProcesses(), loss=log.loss,
             validation_loss=log.validation_loss, test_loss=test_loss, readout_signal=last["readout_signal"],
             spike_senders=last["spikes"]["senders"], spike_times=last["spikes"]["times"],
             **{f"initial_{name}": initial[name] for name in EpropNetwork.PLASTIC}, **network.state(),
             **{f"{name}_grid_step": grid["weight_step"] for name, grid in (config.weight_grids or {}).items()})


FAMILIES = {"ebn": (ebn_network, 0.1), "eprop_neurons": (eprop_neurons_network, 1.0)}
TRAININGS = {"training": None, "chip_training": 6}  # the weights' bits (None: float)


def main():
    family, threads, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if family in TRAININGS:
        training(threads, prefix, TRAININGS[family])
        return
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
