"""ReckOn's fixed-point datapath in the core (models/core/fixed_point.h, reckon.h) through chiplearn._core:
bit for bit against the chip's RTL dumps (tests/data/reckon/) and against the independent numpy
reference (tests/reference/reckon.py) on small networks and settings the RTL samples do not cover."""

import json
import pathlib

import numpy as np
import pytest

from chiplearn import _core, chip
from tests.reference import reckon as ref

rk = _core.reckon
DATA = pathlib.Path(__file__).parent / "data" / "reckon"
REGISTER_WIDTH = {"seed_strnd_oneur": 15}  # the testbench writes 0xF4F4 to a 15-bit register


def preset_from_dump(d):
    config = json.loads(str(d["config"]))
    alpha_conf = config.pop("alpha_conf")
    for key, bits in REGISTER_WIDTH.items():
        config[key] &= (1 << bits) - 1
    pairs = (config["num_rec_neur"] + 1) // 2
    alpha = [(0x8000 if (alpha_conf >> p) & 1 else 0x7000) | int(d["alpha_lsb"]) for p in range(pairs)]
    return {"config": config, "alpha": alpha, "threshold": int(d["threshold"])}


@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.npz") if not p.stem.startswith("release")))
def test_core_matches_rtl_per_tick(name):
    with np.load(DATA / f"{name}.npz") as f:
        d = {k: f[k] for k in f.files}
    net = chip.reckon_network(preset_from_dump(d), d["w_inp"], d["w_rec"], d["w_out"])
    label = int(d["label"]) if d["learn"] else -1
    out = net.run_sample(d["events"].astype(np.int64), len(d["u"]), label, int(d["target_start"]))
    for key in ("u", "ti", "tr", "to", "o", "z"):
        rtl = d[key].astype(np.int64)
        differ = np.argwhere(out[key] != rtl)
        assert len(differ) == 0, f"{key}: {len(differ)} values differ, first (tick, index) {differ[:3].tolist()}"
    if d["learn"]:
        for key, mine in (("w_inp", net.w_inp), ("w_rec", net.w_rec), ("w_out", net.w_out)):
            assert np.array_equal(mine, d[f"{key}_after"].astype(np.int64)), key


def test_reckon_preset_is_the_testbench():
    expected = {k: v for k, v in ref.TESTBENCH.items() if k != "alpha_conf"}
    expected["seed_strnd_oneur"] &= 0x7FFF
    assert chip.RECKON["config"] == {k: list(v) if isinstance(v, tuple) else v for k, v in expected.items()}
    assert chip.RECKON["alpha"] == 0x7000 | ref.TESTBENCH_ALPHA_LSB
    assert chip.RECKON["threshold"] == ref.TESTBENCH_THRESHOLD


def small_case(seed):
    """A 12-32-3 network with random weights, settings and input events, learning from tick 60."""
    rng = np.random.default_rng(seed)
    config = dict(ref.TESTBENCH, num_inp_neur=11, num_rec_neur=31, num_out_neur=2,
                  rst_mode=int(rng.integers(2)), en_stoch_round=1,
                  fp_loc_winp=int(rng.integers(2, 6)), fp_loc_wrec=int(rng.integers(2, 6)),
                  fp_loc_wout=int(rng.integers(1, 5)), fp_loc_tinp=int(rng.integers(0, 5)),
                  fp_loc_trec=int(rng.integers(0, 5)), fp_loc_tout=int(rng.integers(0, 7)),
                  kappa=int(rng.integers(0x60, 0x80)), learn_sig_scale=int(rng.integers(0, 10)),
                  thr_h=tuple(sorted(int(x) for x in rng.integers(-600, 900, 4))),
                  h=tuple(int(x) for x in rng.integers(-16, 16, 5)),
                  lr_p_winp=int(rng.integers(8, 16)), lr_r_winp=int(rng.integers(0, 3)),
                  lr_p_wrec=int(rng.integers(8, 16)), lr_r_wrec=int(rng.integers(0, 3)),
                  lr_p_wout=int(rng.integers(10, 18)), lr_r_wout=int(rng.integers(0, 3)),
                  regul_mode=int(rng.choice([0, 1, 2, 3, 4])), regul_w=int(rng.integers(4)),
                  regul_f0=int(rng.integers(0, 60)), regul_k_mul=int(rng.integers(0, 4)),
                  regul_k_inp_p=int(rng.integers(0, 12)), regul_k_rec_p=int(rng.integers(0, 12)),
                  regul_k_inp_r=int(rng.integers(0, 3)), regul_k_rec_r=int(rng.integers(0, 3)),
                  alpha_conf=int(rng.integers(1 << 16)) & int(rng.integers(1 << 16)),
                  seed_inp=int(rng.integers(1, 1 << 25)), seed_rec=int(rng.integers(1, 1 << 25)),
                  seed_out=int(rng.integers(1, 1 << 22)), seed_strnd_neur=int(rng.integers(1, 1 << 30)),
                  seed_strnd_oneur=int(rng.integers(1, 1 << 15)), seed_strnd_tinp=int(rng.integers(1, 1 << 30)),
                  seed_strnd_trec=int(rng.integers(1, 1 << 30)), seed_strnd_tout=int(rng.integers(1, 1 << 30)))
    alpha_lsb, threshold = int(rng.integers(0xC00, 0x1000)), int(rng.integers(150, 700))
    w = [rng.integers(-60, 60, (12, 32)), rng.integers(-20, 30, (32, 32)), rng.integers(-40, 40, (32, 3))]
    ticks = 300
    events = np.array([(t, i) for t in range(ticks) for i in range(12) if rng.random() < 0.08], dtype=np.int64)
    return config, alpha_lsb, threshold, w, events, ticks, int(rng.integers(3))


@pytest.mark.parametrize("seed", range(6))
def test_core_matches_reference_on_small_networks(seed):
    """Every membrane, trace, output, spike and weight of two samples in a row (the streams run on)."""
    config, alpha_lsb, threshold, w, events, ticks, label = small_case(seed)
    reference = ref.ReckOn(config, *w, alpha_lsb, threshold)
    preset = preset_from_dump({"config": json.dumps(config), "alpha_lsb": alpha_lsb, "threshold": threshold})
    net = chip.reckon_network(preset, *w)
    for sample in range(2):
        net.reset_state()
        reference.reset_state()
        out = net.run_sample(events, ticks, label, 60)
        for t in range(ticks):
            reference.tick(events[events[:, 0] == t, 1], label if t >= 60 else None)
            for key, mine in (("u", reference.u), ("ti", reference.ti), ("tr", reference.tr), ("to", reference.to),
                              ("o", reference.vo), ("z", reference.z)):
                assert np.array_equal(out[key][t], mine.astype(np.int64)), f"sample {sample} tick {t} {key}"
        for key, mine in (("w_inp", reference.w_inp), ("w_rec", reference.w_rec), ("w_out", reference.w_out)):
            assert np.array_equal(getattr(net, key), mine), f"sample {sample} {key}"
    assert (net.w_rec != w[1]).sum() + (net.w_inp != w[0]).sum() > 0, "the case should learn something"


def test_lfsr_streams_agree_with_reference():
    for length, tap, word_bits, lanes, order in ((15, 1, 15, 1, None), (15, 1, 7, 1, rk_order()),
                                                 (25, 3, 512, 16, None), (22, 1, 448, 16, None)):
        seed = 0x1234567 & ((1 << length) - 1)
        core = rk.ChipLfsr(length, tap, word_bits, seed, list(order or []))
        mine = ref.ChipLfsr(length, tap, word_bits, seed, order)
        for count in (1, 7, 300, 2000):
            assert np.array_equal(core.words(count, lanes), mine.words(count, lanes)), (length, count)


def rk_order():
    return (0, 1, 3, 5, 7, 9, 11, 13, 2, 4, 6, 8, 10, 12, 14)


def test_primitives():
    assert rk.wrap(0x18000, 16) == -32768 and rk.wrap(-1, 12) == -1
    assert rk.saturating_add(30000, 10000, 16) == 32767 and rk.saturating_add(-30000, -10000, 16) == -32768
    # floor of a negative product, and stochastic rounding up when the fraction reaches the random word
    assert rk.leak(-3, 0x4000, 15, 16, True, False, 0) == -2
    assert rk.leak(-3, 0x4000, 15, 16, True, True, 0x4000) == -1
    assert rk.leak(-3, 0x4000, 15, 16, True, True, 0x4001) == -2
    assert rk.stochastic_update(3, 127, True, 0, 0, 0, 32) == (127, True)
    assert rk.stochastic_update(3, 5, True, 4, 0, 48, 32) == (6, True)
    assert rk.stochastic_update(3, 5, True, 4, 0, 49, 32) == (5, False)
    assert rk.stochastic_update(-(1 << 31), 5, True, 0, 0, (1 << 32) - 1, 32) == (4, True)


@pytest.mark.parametrize("key, value, named", [
    ("kappa", 256, "kappa"), ("fp_loc_winp", 8, "fp_loc_winp"), ("seed_strnd_oneur", 0xF4F4, "seed_strnd_oneur"),
    ("thr_h", [300, 200, 400, 500], "thr_h[1]"), ("h", [0, 0, 16, 0, 1], "h[2]"), ("num_rec_neur", 100, "num_rec_neur"),
    ("regul_mode", 0b110, "regul_mode"), ("lr_p_wout", 32, "lr_p_wout"), ("num_inp_neur", 120, "num_inp_neur"),
])
def test_bad_configuration_is_refused_naming_it(key, value, named):
    preset = {**chip.RECKON, "config": {**chip.RECKON["config"], key: value}}
    n_rec = preset["config"]["num_rec_neur"] + 1
    with pytest.raises(ValueError, match=r"\b" + named.replace("[", r"\[").replace("]", r"\]") + " = "):
        chip.reckon_network(preset, np.zeros((40, n_rec)), np.zeros((n_rec, n_rec)), np.zeros((n_rec, 2)))


def test_bad_weights_and_neuron_words_are_refused():
    good = (np.zeros((40, 100)), np.zeros((100, 100)), np.zeros((100, 2)))
    with pytest.raises(ValueError, match="w_rec = 128"):
        chip.reckon_network(chip.RECKON, good[0], np.full((100, 100), 128), good[2])
    with pytest.raises(ValueError, match="w_inp = 3900"):
        chip.reckon_network(chip.RECKON, np.zeros((39, 100)), good[1], good[2])
    with pytest.raises(ValueError, match="alpha = 65536"):
        chip.reckon_network({**chip.RECKON, "alpha": 0x10000}, *good)
    with pytest.raises(ValueError, match="threshold = 40000"):
        chip.reckon_network({**chip.RECKON, "threshold": 40000}, *good)
    with pytest.raises(ValueError, match="not a ReckOn register"):
        chip.reckon_network({**chip.RECKON, "config": {**chip.RECKON["config"], "leak": 1}}, *good)


@pytest.mark.parametrize("name", ["release_train10_test10", "release_train50_test50", "release_epochs10"])
def test_core_follows_the_rtl_through_the_release_protocol(name):
    """The release's first 10 training samples (learning on chip) then its first 10 test samples, its whole
    epoch (all 50 + 50), and its whole experiment (10 such epochs), one sample after the other with the random
    streams running on: the same inference for every sample and the same 14,200 weights at the end as the RTL."""
    with np.load(DATA / f"{name}.npz") as f:
        d = {k: f[k] for k in f.files}
    net = chip.reckon_network(chip.RECKON, d["w_inp"].reshape(40, 100), d["w_rec"].reshape(100, 100),
                              d["w_out"].reshape(100, 2))
    # the RTL's inferences as one row per epoch (a run of n + n samples is one row)
    rtl = {phase: d[f"{phase}_inferences"].reshape(-1, len(d[f"{phase}_labels"])) for phase in ("train", "test")}
    for epoch in range(len(rtl["train"])):
        for phase, learn in (("train", True), ("test", False)):
            net.set_do_eprop(0b111 if learn else 0)
            got = []
            for k, label in enumerate(d[f"{phase}_labels"]):
                out = net.run_sample(d[f"{phase}_events_{k}"].astype(np.int64), 2250, int(label) if learn else -1,
                                     2100, 2249, 2100, record=False)
                got.append(out["inference"])
            assert got == list(rtl[phase][epoch]), (epoch, phase)
    for key in ("w_inp", "w_rec", "w_out"):
        assert np.array_equal(getattr(net, key).ravel(), d[f"{key}_after"].astype(np.int64)), key
    assert (net.w_inp.ravel() != d["w_inp"]).sum() > 100, "ten samples of learning move many weights"
