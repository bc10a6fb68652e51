"""pynest_scripts/chip_precision.py, shortened: the points it writes, what they say, and a rerun that keeps them."""

import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "chip_precision.py")


def run(output):
    command = [sys.executable, SCRIPT, "--iterations", "3", "--batch-size", "4", "--validate-every", "100",
               "--test-trials", "32", "--bits", "4", "24", "--mismatch", "--modes", "carried", "chip", "--no-reckon",
               "--output", str(output)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_shortened_study_writes_its_points_and_a_rerun_keeps_them(tmp_path):
    output = tmp_path / "study"
    first = run(output)
    names = ["float", "carried_4bit", "carried_24bit", "chip_4bit", "chip_24bit"]
    points = {name: json.load(open(output / "points" / f"{name}.json")) for name in names}
    for name in ("results.json", "chip_precision.png", "float_weights.npz"):
        assert (output / name).exists(), name
    summary = json.load(open(output / "results.json"))
    assert [p["name"] for p in summary["points"]] == names
    # the same 32 test trials for every point: 24-bit carried weights answer as the float network (after 3
    # iterations the decisions are near ties, which coarser weights flip: the full study compares 16 bits)
    float_correct = np.array(points["float"]["correct"])
    assert len(float_correct) == 32
    assert np.sum(np.array(points["carried_24bit"]["correct"]) != float_correct) <= 1
    # trained on chip, every weight stays on its grid
    assert points["chip_4bit"]["weights_on_grid"] and points["chip_24bit"]["weights_on_grid"]
    assert points["chip_4bit"]["iterations"] == 3
    with np.load(output / "float_weights.npz") as weights:
        assert sorted(weights.files) == ["feedback", "in_rec", "rec_out", "rec_rec"]

    before = {name: (output / "points" / f"{name}.json").read_bytes() for name in names}
    second = run(output)
    for name in names:
        assert f"{name}: kept from an earlier run" in second, name
        assert f"{name}: kept" not in first
        assert (output / "points" / f"{name}.json").read_bytes() == before[name]
