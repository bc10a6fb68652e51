"""The MNIST tutorial (pynest_scripts/mnist.py) on a small subset: it learns, writes its results, and a run
stopped after an epoch resumes from its checkpoint to exactly the weights of an uninterrupted run."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "mnist.py")


def run(output_dir, epochs):
    # 40 Adam steps on 640 images: the full run's learning rate (1e-3, tuned for 1,875 steps per epoch) would
    # barely move the weights, so the subset runs with 1e-2
    command = [sys.executable, SCRIPT, "--train", "640", "--test", "320", "--epochs", str(epochs), "--eta", "1e-2",
               "--output-dir", str(output_dir)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_mnist_tutorial_learns_and_resumes_exactly(tmp_path):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run(whole, 2)
    run(resumed, 1)
    assert "resuming after epoch 1" in run(resumed, 2)
    results = json.loads((whole / "results_lif.json").read_text())
    assert len(results["test_accuracy"]) == 2
    assert results["test_accuracy"][-1] > 0.5  # chance is 0.1; 640 images, two epochs
    assert json.loads((resumed / "results_lif.json").read_text())["test_accuracy"] == results["test_accuracy"]
    with np.load(whole / "weights_lif.npz") as a, np.load(resumed / "weights_lif.npz") as b:
        np.testing.assert_array_equal(a["weight"], b["weight"])
    assert (whole / "mnist_lif.png").stat().st_size > 0
