"""The Yin-Yang tutorial (pynest_scripts/yin_yang.py) on a small network and data set: both layers learn, it
writes its results, and a run stopped after an epoch resumes from its checkpoint to exactly the weights of an
uninterrupted run."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "yin_yang.py")


def run(output_dir, epochs):
    command = [sys.executable, SCRIPT, "--hidden", "100", "--train", "480", "--validation", "64", "--test", "200",
               "--map", "8", "--epochs", str(epochs), "--eta", "2e-2", "--output-dir", str(output_dir)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_yin_yang_tutorial_learns_and_resumes_exactly(tmp_path):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run(whole, 2)
    run(resumed, 1)
    assert "resuming after epoch 1" in run(resumed, 2)
    results = json.loads((whole / "results.json").read_text())
    assert len(results["test_accuracy"]) == 2
    # the hidden layer's activity during training: 100 neurons, about a third silent under the initial weights
    # (0.38 of them in both epochs with --silent-lift 0); the lift (the default) has them all firing by epoch 2
    assert 0.0 < results["hidden_silent"][0] < 0.5
    assert results["hidden_silent"][1] < 0.1
    assert all(spikes > 5.0 for spikes in results["hidden_spikes_per_trial"])
    # chance is 1/3 (balanced classes; its sd on 200 points 0.033); 480 points, two epochs
    assert results["test_accuracy"][-1] > 0.55
    assert json.loads((resumed / "results.json").read_text())["test_accuracy"] == results["test_accuracy"]
    with np.load(whole / "checkpoint.npz") as a, np.load(resumed / "checkpoint.npz") as b:
        for layer in ("hidden", "output"):
            np.testing.assert_array_equal(a[f"{layer}_weight"], b[f"{layer}_weight"])
            np.testing.assert_array_equal(a[f"{layer}_adam_m"], b[f"{layer}_adam_m"])
        with np.load(whole / "weights.npz") as w:
            np.testing.assert_array_equal(w["hidden"], a["hidden_weight"])
        # the hidden layer learned too: its weights moved from their initial values (the script's first draw)
        initial = np.random.default_rng(1).normal(1.5, 0.78, (100, 5))
        assert np.abs(a["hidden_weight"] - initial).mean() > 0.02
    assert (whole / "yin_yang.png").stat().st_size > 0
