"""MPI: the same network gives the same spikes and weights on (ranks x threads) 1 x 1, 1 x 2 and 2 x 1.

Needs a NEST built with MPI (tools/mpi_environment.sh builds one); with the PyPI wheel, which has none, the
tests skip and say so. The networks run in tests/mpi/worker.py, alone or under mpirun."""

import glob
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "mpi", "worker.py")


def nest_has_mpi():
    settings = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "locate_nest.py")],
                              capture_output=True, text=True)
    return 'NEST_HAVE_MPI "1"' in settings.stdout


pytestmark = pytest.mark.skipif(
    not (nest_has_mpi() and shutil.which("mpirun")),
    reason="NEST without MPI (the PyPI wheel): run tools/mpi_environment.sh for the MPI tests")


def run(family, ranks, threads, folder):
    prefix = os.path.join(folder, f"{family}_{ranks}x{threads}")
    command = [sys.executable, WORKER, family, str(threads), prefix]
    if ranks > 1:
        command = ["mpirun", "--oversubscribe", "-np", str(ranks), *command]
        if os.geteuid() == 0:
            command.insert(1, "--allow-run-as-root")
    # os.environ is the environment this process started with: when another test has imported NEST, the
    # MPI library has added its own variables to the process's C environment, and an mpirun that inherits
    # them refuses to start
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=600, env=dict(os.environ))
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
