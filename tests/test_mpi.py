"""MPI: the same network gives the same spikes and weights on (ranks x threads) 1 x 1, 1 x 2 and 2 x 1, a
training run with chiplearn.training gives the same losses, weights and spikes on 2 ranks as on 2 threads, and
in chip mode (stochastic rounding onto weight grids) the same weights on any of them.

Needs a NEST built with MPI (tools/mpi_environment.sh builds one); with the PyPI wheel, which has none, the
tests skip and say so. The networks run in tests/mpi/worker.py, alone or under mpirun."""

import glob
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "mpi", "worker.py")
TUTORIAL = os.path.join(ROOT, "pynest_scripts", "cue_accumulation.py")


def nest_has_mpi():
    settings = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "locate_nest.py")],
                              capture_output=True, text=True)
    return 'NEST_HAVE_MPI "1"' in settings.stdout


pytestmark = pytest.mark.skipif(
    not (nest_has_mpi() and shutil.which("mpirun")),
    reason="NEST without MPI (the PyPI wheel): run tools/mpi_environment.sh for the MPI tests")


def python_on(ranks, arguments):
    """Runs `python arguments` on `ranks` MPI processes (alone for 1); returns what it printed."""
    command = [sys.executable, *arguments]
    if ranks > 1:
        command = ["mpirun", "--oversubscribe", "-np", str(ranks), *command]
        if os.geteuid() == 0:
            command.insert(1, "--allow-run-as-root")
    # os.environ is the environment this process started with: when another test has imported NEST, the
    # MPI library has added its own variables to the process's C environment, and an mpirun that inherits
    # them refuses to start
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    return finished.stdout


def launch(family, ranks, threads, folder):
    """Runs the worker on `ranks` processes of `threads` threads; returns the prefix of its output files."""
    prefix = os.path.join(folder, f"{family}_{ranks}x{threads}")
    python_on(ranks, [WORKER, family, str(threads), prefix])
    return prefix


def run(family, ranks, threads, folder):
    prefix = launch(family, ranks, threads, folder)
    parts = [np.load(path) for path in sorted(glob.glob(prefix + ".*.npz"))]
    assert len(parts) == ranks and all(int(part["ranks"]) == ranks for part in parts)
    spikes = sorted((int(s), int(n)) for part in parts for s, n in zip(part["steps"], part["senders"]))
    synapses = sorted((int(s), int(t), float(w)) for part in parts
                      for s, t, w in zip(part["sources"], part["targets"], part["weights"]))
    return spikes, synapses


@pytest.mark.parametrize("family", ["ebn", "eprop_neurons"])
def test_ranks_and_threads_give_the_same_spikes_and_weights(family, tmp_path):
    reference = run(family, 1, 1, tmp_path)
    assert len(reference[0]) > 100, "the network must spike for the comparison to mean something"
    assert run(family, 1, 2, tmp_path) == reference
    assert run(family, 2, 1, tmp_path) == reference


def trained(ranks, threads, folder, family="training"):
    """What chiplearn gathered on each rank in the worker's training run: one dict of arrays per rank."""
    prefix = launch(family, ranks, threads, folder)
    parts = []
    for path in sorted(glob.glob(prefix + ".[0-9]*.npz")):
        with np.load(path) as data:
            parts.append({key: data[key] for key in data.files})
    assert len(parts) == ranks and all(int(part.pop("ranks")) == ranks for part in parts)
    with np.load(prefix + ".checkpoint.npz") as data:
        checkpoint = {key: data[key] for key in data.files}
    return parts, checkpoint


def assert_identical(a, b, what):
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(a[key], b[key]), f"{what}: {key} differs"


def test_training_gives_the_same_losses_weights_and_spikes_on_two_ranks_as_on_two_threads(tmp_path):
    """Every rank holds the whole result (gathered), and 2 ranks x 1 thread reproduce 1 rank x 2 threads
    bit for bit: losses, validation and test losses, readout signals, spikes, weights and Adam state of
    every projection, and the checkpoint rank 0 wrote."""
    (threaded,), threaded_checkpoint = trained(1, 2, tmp_path)
    ranked, ranked_checkpoint = trained(2, 1, tmp_path)
    assert_identical(ranked[0], ranked[1], "rank 0 and rank 1")
    assert_identical(threaded, ranked[0], "1x2 and 2x1")
    assert_identical(threaded_checkpoint, ranked_checkpoint, "checkpoints of 1x2 and 2x1")
    # 1 x 1 draws no random number either, but sums a neuron's inputs of a step in another order (NEST
    # delivers them thread by thread): the spikes and readout signals are the same, the weights and the Adam
    # state of the synapses onto recurrent neurons (whose gradients follow their membrane potentials) agree
    # to rounding
    (single,), _ = trained(1, 1, tmp_path)
    for key in single:
        if key.startswith(("in_rec_", "rec_rec_")):
            np.testing.assert_allclose(single[key], threaded[key], rtol=0, atol=1e-12 * np.abs(threaded[key]).max(),
                                       err_msg=key)
        else:
            assert np.array_equal(single[key], threaded[key]), f"1x1 and 1x2: {key} differs"
    # the comparison means something: the network spiked, learned, and the checkpoint holds all weights
    assert len(threaded["spike_senders"]) > 100 and len(threaded["loss"]) == 4
    for name in ("in_rec", "rec_rec", "rec_out"):
        assert threaded[f"{name}_weight"].shape == threaded[f"initial_{name}"].shape
        assert np.count_nonzero(threaded[f"{name}_weight"] != threaded[f"initial_{name}"]) > 0.5 * threaded[
            f"initial_{name}"].size
    # the checkpoint, written after the last iteration by rank 0 alone, holds the synapses of both ranks
    assert int(ranked_checkpoint["iteration"]) == 4
    off_diagonal = ~np.eye(len(threaded["rec_rec_weight"]), dtype=bool)
    assert np.all(ranked_checkpoint["rec_rec_weight"][off_diagonal] != 0.0)
    assert np.all(ranked_checkpoint["in_rec_weight"] != 0.0) and np.all(ranked_checkpoint["rec_out_weight"] != 0.0)


def test_chip_mode_training_gives_the_same_weights_on_any_number_of_ranks_and_threads(tmp_path):
    """Chip mode: 6-bit weight grids, the optimizer's steps rounded stochastically by the counter-based generator
    (keyed by seed, synapse and batch, not by where the synapse lives). 2 ranks x 1 thread reproduce 1 x 2 bit
    for bit, and 1 x 1 has the same weights too: its steps differ from 1 x 2 by rounding of the sums (see the
    test above), far less than it takes to move a draw across a level of the grid."""
    (threaded,), _ = trained(1, 2, tmp_path, "chip_training")
    ranked, _ = trained(2, 1, tmp_path, "chip_training")
    assert_identical(ranked[0], ranked[1], "rank 0 and rank 1")
    assert_identical(threaded, ranked[0], "1x2 and 2x1")
    (single,), _ = trained(1, 1, tmp_path, "chip_training")
    moved = 0
    for name in ("in_rec", "rec_rec", "rec_out"):
        np.testing.assert_array_equal(single[f"{name}_weight"], threaded[f"{name}_weight"], err_msg=name)
        levels = threaded[f"{name}_weight"] / threaded[f"{name}_grid_step"]
        np.testing.assert_allclose(levels, np.rint(levels), rtol=0, atol=1e-9, err_msg=name)
        moved += np.count_nonzero(threaded[f"{name}_weight"] != threaded[f"initial_{name}"])
    assert moved > 50, "the weights must have moved on their grids for the comparison to mean something"


def test_the_tutorial_prints_and_saves_on_two_ranks_what_it_does_on_two_threads(tmp_path):
    """The cue-accumulation tutorial, shortened, under mpirun: one copy of each printed line (rank 0's), the
    same test accuracy and the same saved results and weights as with --threads 2."""
    def tutorial(ranks, threads):
        output = str(tmp_path / f"tutorial_{ranks}x{threads}")
        printed = python_on(ranks, [TUTORIAL, "--iterations", "3", "--batch-size", "8", "--validate-every", "100",
                                    "--test-trials", "16", "--threads", str(threads), "--output", output])
        with open(os.path.join(output, "result.json")) as stream:
            result = json.load(stream)
        result.pop("training_seconds_this_run")
        with np.load(os.path.join(output, "weights.npz")) as data:
            weights = {key: data[key] for key in data.files}
        lines = printed.splitlines()
        # from the tutorial's first line (before it, NEST's banner), without the one that says how long it took
        lines = lines[next(i for i, line in enumerate(lines) if line.startswith("cue accumulation")):]
        return [line.replace(output, "OUTPUT") for line in lines if " s (this run)" not in line], result, weights

    printed, result, weights = tutorial(1, 2)
    ranked_printed, ranked_result, ranked_weights = tutorial(2, 1)
    assert ranked_printed == printed
    assert sum(line.startswith("test accuracy on 16 fresh trials") for line in printed) == 1
    assert ranked_result == result and result["iterations"] == 3
    assert_identical(ranked_weights, weights, "the tutorial's weights")
