"""The MNIST tutorial (pynest_scripts/mnist.py) on a small subset, readout-only and through a hidden layer: it
learns, writes its results, and a run stopped after an epoch resumes from its checkpoint to exactly the
weights of an uninterrupted run."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "mnist.py")


def run(output_dir, epochs, *options):
    command = [sys.executable, SCRIPT, "--train", "640", "--test", "320", "--epochs", str(epochs), *options,
               "--output-dir", str(output_dir)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def learns_and_resumes_exactly(tmp_path, name, layers, *options, epochs=2):
    """Runs the epochs at once and 1 + the rest with a resume; returns the results of the uninterrupted run."""
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run(whole, epochs, *options)
    run(resumed, 1, *options)
    assert "resuming after epoch 1" in run(resumed, epochs, *options)
    results = json.loads((whole / f"results_{name}.json").read_text())
    assert len(results["test_accuracy"]) == epochs
    assert json.loads((resumed / f"results_{name}.json").read_text())["test_accuracy"] == results["test_accuracy"]
    with np.load(whole / f"weights_{name}.npz") as a, np.load(resumed / f"weights_{name}.npz") as b:
        assert sorted(a.files) == sorted(layers)
        for layer in layers:
            np.testing.assert_array_equal(a[layer], b[layer])
    with np.load(whole / f"checkpoint_{name}.npz") as a, np.load(resumed / f"checkpoint_{name}.npz") as b:
        for layer in layers:
            np.testing.assert_array_equal(a[f"{layer}_adam_m"], b[f"{layer}_adam_m"])
            np.testing.assert_array_equal(a[f"{layer}_adam_steps"], b[f"{layer}_adam_steps"])
    assert (whole / f"mnist_{name}.png").stat().st_size > 0
    return results


def test_mnist_tutorial_learns_and_resumes_exactly(tmp_path):
    # 40 Adam steps on 640 images: the full run's learning rate (1e-3, tuned for 1,875 steps per epoch) would
    # barely move the weights, so the subset runs with 1e-2
    results = learns_and_resumes_exactly(tmp_path, "lif", ["output"], "--eta", "1e-2")
    assert results["test_accuracy"][-1] > 0.5  # chance is 0.1; 640 images, two epochs


def test_mnist_tutorial_with_a_hidden_layer_learns_and_resumes_exactly(tmp_path):
    # first-spike outputs, not the hidden default's leaky ones: they need the coarser grid, so the test is faster.
    # Three epochs: after two the test accuracy was 0.52 and, since a silent target's trial teaches only the
    # target, 0.49 (sd about 0.03 on 320 images): two left no margin above the bound; after three, 0.57
    results = learns_and_resumes_exactly(tmp_path, "lif_hidden32", ["hidden", "output"], "--hidden", "32",
                                         "--output", "lif", "--eta", "1e-2", epochs=3)
    assert results["test_accuracy"][-1] > 0.5  # chance is 0.1; 640 images, three epochs
    with np.load(tmp_path / "whole" / "checkpoint_lif_hidden32.npz") as state:
        # the hidden layer learned too: its weights moved from their initial values (the script's first draw)
        initial = np.random.default_rng(1).normal(0.078, 0.045, (32, 784))
        moved = np.abs(state["hidden_weight"] - initial)
        assert moved.mean() > 1e-3
        # every training batch stepped every output synapse once (640 images: 20 batches of 32 per epoch), and
        # neither the frozen test batches nor the padding did
        np.testing.assert_array_equal(state["output_adam_steps"], 3 * 20)
