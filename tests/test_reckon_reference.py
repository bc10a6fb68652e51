"""The integer reference of ReckOn (tests/reference/reckon.py) against the chip's own RTL: per-tick
membranes, traces, output membranes and spikes of one sample, and the weights after it with learning on,
bit for bit. The RTL's dumps are committed in tests/data/reckon/ (tools/reckon_rtl/README.md: how they
were made); this test needs no Verilator."""

import json
import pathlib

import numpy as np
import pytest

from tests.reference import reckon

DATA = pathlib.Path(__file__).parent / "data" / "reckon"
CASES = sorted(p.stem for p in DATA.glob("*.npz") if not p.stem.startswith("release"))


def load(name):
    with np.load(DATA / f"{name}.npz") as f:
        return {k: f[k] for k in f.files}


def replay(d, check_tick=None):
    """Runs the reference over the dumped sample; check_tick(t, chip) is called after every tick."""
    chip = reckon.ReckOn(json.loads(str(d["config"])), d["w_inp"], d["w_rec"], d["w_out"],
                         int(d["alpha_lsb"]), int(d["threshold"]))
    events = d["events"]
    for t in range(len(d["u"])):
        inputs = events[events[:, 0] == t, 1]
        learning = bool(d["learn"]) and t >= int(d["target_start"])
        chip.tick(inputs, int(d["label"]) if learning else None)
        if check_tick:
            check_tick(t, chip)
    return chip


def test_dumps_present():
    assert set(CASES) >= {"testbench_test0_nolearn", "testbench_train0_learn", "own_fast_leak_learn",
                          "own_growth_learn"}


@pytest.mark.parametrize("name", CASES)
def test_per_tick_state_matches_rtl(name):
    d = load(name)

    def check(t, chip):
        for key, mine in (("u", chip.u), ("ti", chip.ti), ("tr", chip.tr), ("to", chip.to), ("o", chip.vo)):
            rtl = d[key][t].astype(np.int64)
            assert np.array_equal(mine, rtl), f"tick {t} {key}: first differences at {np.flatnonzero(mine != rtl)[:5]}"
        assert np.array_equal(chip.z, d["z"][t]), f"tick {t} spikes"

    chip = replay(d, check)
    if d["learn"]:
        for key, mine in (("w_inp", chip.w_inp), ("w_rec", chip.w_rec), ("w_out", chip.w_out)):
            rtl = d[f"{key}_after"].astype(np.int64)
            assert np.array_equal(mine, rtl), f"{key}: {(mine != rtl).sum()} weights differ"


def test_dumps_exercise_the_datapath():
    """The committed samples are not trivial: neurons spike, traces grow, weights learn, membranes
    saturate somewhere, and the testbench's traces stay within their widths."""
    nolearn, learn = load("testbench_test0_nolearn"), load("testbench_train0_learn")
    assert nolearn["z"].sum() > 100 and nolearn["ti"].max() > 0 and nolearn["to"].max() > 0
    assert (learn["w_out_after"] != learn["w_out"]).sum() > 10
    assert (learn["w_inp_after"] != learn["w_inp"]).sum() > 10
    growth = load("own_growth_learn")
    assert growth["u"].max() == 32767 or growth["u"].min() == -32768
    assert (growth["w_rec_after"] != growth["w_rec"]).sum() > 100


def test_learning_changes_state_the_reference_would_miss_without_it():
    """Replaying the learning sample without its target window diverges from the RTL after tick 2100:
    the comparison above really depends on the modelled weight updates."""
    d = load("testbench_train0_learn")
    d_no = dict(d, learn=np.array(False))
    chip = replay(d_no)
    assert not np.array_equal(chip.w_out, d["w_out_after"].astype(np.int64))


def test_lfsr_stream_recurrence_and_words():
    """The stream obeys its recurrence across word boundaries and the doubling extension."""
    lfsr = reckon.ChipLfsr(25, 3, 512, 0x1ABCDE)
    words = lfsr.words(3000, 16)
    bits = np.array([(w >> b) & 1 for row in words for w in row for b in range(32)])
    i = np.arange(25, len(bits))
    assert np.array_equal(bits[i], bits[i - 3] ^ bits[i - 25])
    first = [(0x1ABCDE >> 0) & 1, (0x1ABCDE >> 1) & 1, (0x1ABCDE >> 2) & 1]
    assert list(bits[:3]) == first


def test_stochastic_update_rule():
    """+-1 LSB when the shifted |prob| reaches the random word; saturating; nothing for prob 0."""
    w = np.array([5, 5, 127, -128, 5, 5])
    prob = np.array([3, -3, 100, -100, 0, -(1 << 31)])
    new, written = reckon.stochastic_update(prob, w, np.ones(6, bool), 4, 0, np.array([48, 48, 0, 0, 0, 1 << 31]), 32)
    assert list(new) == [6, 4, 127, -128, 5, 4]
    assert list(written) == [True, True, True, True, False, True]
    new, _ = reckon.stochastic_update(prob, w, np.ones(6, bool), 4, 0, np.array([49, 49, 0, 0, 0, 0]), 32)
    assert list(new[:2]) == [5, 5]
