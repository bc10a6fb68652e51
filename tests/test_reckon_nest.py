"""reckon_chip_chiplearn, ReckOn as a NEST node: bit for bit as the chip's RTL dumps (tests/data/reckon/) and as
the core (_core.reckon) with inputs from NEST's spike generators, the same with 1 and 2 threads, and bad settings
refused as BadProperty naming the register."""

import json
import re

import numpy as np
import pytest

from chiplearn import chip
from tests.test_reckon_core import DATA, preset_from_dump, small_case

MODEL = "reckon_chip_chiplearn"


def load(name):
    with np.load(DATA / f"{name}.npz") as f:
        return {k: f[k] for k in f.files}


def chip_network(nest, status, samples, threads=1):
    """A chip node with its status, fed the samples' events (rows (tick, channel), one array per sample, the
    samples one after the other from step 0) by one spike_generator per channel, and a multimeter."""
    nest.set(local_num_threads=threads, resolution=1.0)  # a tick of 1 ms, as on chip
    node = nest.Create(MODEL, params=status)
    n_inputs = status.get("num_inp_neur", 39) + 1
    times = chip.reckon_spike_times(samples, node.get("sample_ticks"), n_inputs, nest.resolution, node.get("sample_start"))
    generators = nest.Create("spike_generator", n_inputs)
    for channel, generator in enumerate(generators):
        generator.spike_times = times[channel]
        nest.Connect(generator, node, syn_spec={"receptor_type": channel + 1, "delay": nest.resolution})
    recordables = [r for r in node.get("recordables")]
    multimeter = nest.Create("multimeter", params={"record_from": recordables, "interval": nest.resolution})
    nest.Connect(multimeter, node)
    return node, multimeter


def per_tick(multimeter, name, n, ticks, sample_start=1):
    """(ticks x n) of recordables name_0 ... name_{n-1} of the ticks from step sample_start on (recorded at the end
    of the tick's step), checking that every step was recorded."""
    events = multimeter.events
    times = np.asarray(events["times"])
    order = np.argsort(times, kind="stable")
    assert np.array_equal(times[order][:sample_start + ticks], np.arange(1, sample_start + ticks + 1)), "every step"
    rows = order[sample_start:sample_start + ticks]
    return np.stack([np.asarray(events[f"{name}_{j}"])[rows] for j in range(n)], axis=1).astype(np.int64)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.npz") if not p.stem.startswith("release")))
def test_node_matches_rtl_per_tick(nest_kernel, name, threads):
    nest = nest_kernel
    d = load(name)
    ticks = len(d["u"])
    preset = preset_from_dump(d)
    status = chip.reckon_chip_status(preset, d["w_inp"], d["w_rec"], d["w_out"])
    status.update(sample_ticks=ticks, target_start=int(d["target_start"]), target_end=ticks, inference_start=-1,
                  labels=[int(d["label"])] if d["learn"] else [])
    events = d["events"].astype(np.int64)
    node, multimeter = chip_network(nest, status, [events[events[:, 0] < ticks]], threads)  # the dumped ticks
    n_rec, n_out = d["u"].shape[1], d["o"].shape[1]
    # the traces are state, read back at a few ticks; membranes, outputs and spikes are recorded every tick
    for end in (ticks // 3, 2 * ticks // 3, ticks):
        nest.Simulate((1 + end) * nest.resolution - nest.biological_time)
        for key, rtl in (("trace_inp", "ti"), ("trace_rec", "tr"), ("trace_out", "to"), ("V_m", "u"), ("V_out", "o")):
            assert np.array_equal(node.get(key), d[rtl][end - 1].astype(np.int64)), f"{key} after tick {end - 1}"
    weights = {key: node.get(key) for key in ("w_inp", "w_rec", "w_out")}
    nest.Simulate(nest.resolution)  # the multimeter receives a step's values in the next step
    for key, rtl, n in (("V_m", "u", n_rec), ("spike", "z", n_rec), ("V_out", "o", n_out)):
        got = per_tick(multimeter, key, n, ticks)
        differ = np.argwhere(got != d[rtl].astype(np.int64))
        assert len(differ) == 0, f"{key}: {len(differ)} values differ, first (tick, index) {differ[:3].tolist()}"
    for key in ("w_inp", "w_rec", "w_out"):
        expected = d[f"{key}_after" if d["learn"] else key].astype(np.int64).ravel()
        assert np.array_equal(weights[key], expected), key
    if d["learn"]:
        assert not np.array_equal(weights["w_inp"], d["w_inp"].ravel()), "the sample should learn"


@pytest.mark.parametrize("seed", range(3))
def test_node_matches_core_on_small_networks(nest_kernel, seed):
    """A random 12-32-3 configuration learning in two samples in a row (the streams run on), with votes:
    per-tick outputs, membranes and spikes, inferences and the weights after each sample as the core."""
    nest = nest_kernel
    config, alpha_lsb, threshold, w, events, ticks, label = small_case(seed)
    preset = preset_from_dump({"config": json.dumps(config), "alpha_lsb": alpha_lsb, "threshold": threshold})
    net = chip.reckon_network(preset, *w)
    outs = [net.run_sample(events, ticks, label, 60, ticks - 20, 100) for _ in range(2)]
    status = chip.reckon_chip_status(preset, *w)
    status.update(sample_ticks=ticks, target_start=60, target_end=ticks - 20, inference_start=100, labels=[label, label])
    node, multimeter = chip_network(nest, status, [events, events])
    nest.Simulate((2 + 2 * ticks) * nest.resolution)  # and a step for the multimeter to receive the last tick
    for key, core_key, n in (("V_m", "u", 32), ("spike", "z", 32), ("V_out", "o", 3)):
        got = per_tick(multimeter, key, n, 2 * ticks)
        assert np.array_equal(got, np.concatenate([o[core_key] for o in outs])), key
    assert list(node.get("inferences")) == [o["inference"] for o in outs]  # the extra step votes in no sample's end
    for key in ("w_inp", "w_rec", "w_out"):
        assert np.array_equal(node.get(key), getattr(net, key).ravel()), key
    assert not np.array_equal(node.get("w_rec"), np.asarray(w[1]).ravel()), "the case should learn"


@pytest.mark.parametrize("name", ["release_train10_test10", "release_train50_test50"])
def test_node_follows_the_rtl_through_the_release_protocol(nest_kernel, name):
    """The release's first 10 training samples (learning) then 10 test samples (do_eprop 0 between them), and
    its whole epoch of 50 + 50: the RTL's inference for every sample and its 14,200 weights at the end."""
    nest = nest_kernel
    d = load(name)
    status = chip.reckon_chip_status(chip.RECKON, d["w_inp"], d["w_rec"], d["w_out"])
    train = [d[f"train_events_{k}"].astype(np.int64) for k in range(len(d["train_labels"]))]
    test = [d[f"test_events_{k}"].astype(np.int64) for k in range(len(d["test_labels"]))]
    status.update(labels=[int(x) for x in d["train_labels"]])
    node, _ = chip_network(nest, status, train + test)
    nest.Simulate((1 + len(train) * 2250) * nest.resolution)
    node.set(do_eprop=0)
    nest.Simulate(len(test) * 2250 * nest.resolution)
    inferences = list(node.get("inferences"))
    assert inferences[:len(train)] == list(d["train_inferences"])
    assert inferences[len(train):] == list(d["test_inferences"])
    for key in ("w_inp", "w_rec", "w_out"):
        assert np.array_equal(node.get(key), d[f"{key}_after"].astype(np.int64)), key


def test_status_reads_back_and_do_eprop_keeps_the_streams(nest_kernel):
    nest = nest_kernel
    node = nest.Create(MODEL)
    defaults = node.get()
    for key, value in chip.RECKON["config"].items():
        assert np.array_equal(defaults[key], value), key
    assert list(defaults["alpha"]) == [0x7FEF] * 50 and list(defaults["threshold"]) == [614] * 50
    assert len(defaults["w_inp"]) == 4000 and len(defaults["w_rec"]) == 10000 and len(defaults["w_out"]) == 200
    assert sorted(defaults["recordables"]) == sorted([f"V_m_{j}" for j in range(100)] + [f"spike_{j}" for j in range(100)]
                                                     + ["V_out_0", "V_out_1"])
    node.set(num_inp_neur=3, num_rec_neur=7, num_out_neur=2, w_inp=[1] * 32, w_rec=[2] * 64, w_out=[-3] * 24,
             alpha=0x7F00, threshold=[100, 200, 300, 400], thr_h=[-5, 0, 5, 10], h=[1, 2, 3, 4, 5])
    got = node.get()
    assert list(got["w_out"]) == [-3] * 24 and list(got["alpha"]) == [0x7F00] * 4
    assert list(got["threshold"]) == [100, 200, 300, 400]
    assert list(got["thr_h"]) == [-5, 0, 5, 10] and list(got["h"]) == [1, 2, 3, 4, 5]
    assert len(got["recordables"]) == 8 + 8 + 3


BAD = [
    ({"kappa": 256}, "kappa = 256 is out of range; allowed: 0 <= kappa < 2^8"),
    ({"fp_loc_winp": 8}, "fp_loc_winp = 8 is out of range; allowed: 0 <= fp_loc_winp < 2^3"),
    ({"seed_strnd_oneur": 0xF4F4}, "seed_strnd_oneur = 62708 is out of range; allowed: 0 <= seed_strnd_oneur < 2^15"),
    ({"seed_inp": -1}, "seed_inp = -1 is out of range; allowed: 0 <= seed_inp"),
    ({"num_rec_neur": 100}, "num_rec_neur = 100 is out of range; allowed: an odd number"),
    ({"num_inp_neur": 120}, "num_inp_neur = 120 is out of range; allowed: num_inp_neur <= num_rec_neur"),
    ({"regul_mode": 6}, "regul_mode = 6 is out of range; allowed: 0 to 5"),
    ({"thr_h": [300, 200, 400, 500]}, "thr_h[1] = 200 is out of range; allowed: thr_h[1] >= thr_h[0]"),
    ({"thr_h": [1, 2, 3]}, "thr_h = 3 values is out of range; allowed: 4 values"),
    ({"h": [0, 0, 16, 0, 1]}, "h[2] = 16 is out of range"),
    ({"lr_p_wout": 32}, "lr_p_wout = 32 is out of range; allowed: 0 <= lr_p_wout < 2^5"),
    ({"w_rec": [128] * 10000}, "w_rec = 128 is out of range; allowed: -128 <= w_rec <= 127"),
    ({"w_inp": [0] * 3900}, "w_inp = 3900 values is out of range; allowed: 4000 values"),
    ({"num_rec_neur": 49}, "w_inp = 4000 values is out of range; allowed: 2000 values"),
    ({"alpha": 0x10000}, "alpha = 65536 is out of range; allowed: 0x7000 <= alpha <= 0x8FFF"),
    ({"threshold": [40000] * 50}, "threshold = 40000 is out of range; allowed: -32768 <= threshold <= 32767"),
    ({"alpha": [0x7FEF] * 49}, "alpha = 49 values is out of range; allowed: one alpha and one threshold per neuron pair"),
    ({"sample_ticks": 0}, "sample_ticks = 0 ticks is out of range; allowed: 1 <= sample_ticks"),
    ({"target_start": 3000}, "target_start = 3000 ticks is out of range; allowed: 0 <= target_start <= sample_ticks"),
    ({"target_end": 2000}, "target_end = 2000 ticks is out of range; allowed: target_start <= target_end"),
    ({"inference_start": 2250}, "inference_start = 2250 ticks is out of range; allowed: -1 <= inference_start < sample_ticks"),
    ({"labels": [0, 2]}, "labels = 2 is out of range; allowed: -1 <= label <= num_out_neur (1)"),
    ({"inferences": [1]}, "inferences = 1 values is out of range; allowed: []"),
    ({"do_eprop": 8}, "do_eprop = 8 is out of range; allowed: 0 <= do_eprop < 2^3"),
    ({"V_m": [0] * 100}, 'parameter "V_m" is unknown or read-only'),
    ({"leak": 1}, 'parameter "leak" is unknown or read-only'),
]


@pytest.mark.parametrize("params, message", BAD, ids=[next(iter(p)) + str(i) for i, (p, _) in enumerate(BAD)])
def test_bad_setting_is_refused_naming_it_and_changes_nothing(nest_kernel, params, message):
    nest = nest_kernel
    node = nest.Create(MODEL, params={"labels": [1, 0], "w_out": [3] * 200})
    before = node.get()
    with pytest.raises(nest.NESTErrors.BadProperty, match=re.escape(f"{MODEL}: {message}")):
        node.set({**params, "kappa": 0x70} if "kappa" not in params else params)
    after = node.get()
    assert after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)


def test_receptors_are_the_input_channels(nest_kernel):
    nest = nest_kernel
    node = nest.Create(MODEL)
    generator = nest.Create("spike_generator")
    for receptor in (0, 41):
        with pytest.raises(nest.NESTErrors.UnknownReceptorType):
            nest.Connect(generator, node, syn_spec={"receptor_type": receptor})
    nest.Connect(generator, node, syn_spec={"receptor_type": 40})


def test_weights_and_random_state_resume_a_chip_exactly(nest_kernel):
    """A chip rebuilt in a fresh kernel from another's weights and random_state after its first sample learns the
    second sample as the chip that ran on: the checkpoint of the chip-mode tutorial."""
    nest = nest_kernel
    config, alpha_lsb, threshold, w, events, ticks, label = small_case(4)
    preset = preset_from_dump({"config": json.dumps(config), "alpha_lsb": alpha_lsb, "threshold": threshold})
    status = chip.reckon_chip_status(preset, *w)
    status.update(sample_ticks=ticks, target_start=60, target_end=ticks, inference_start=100, labels=[label, label])
    node, _ = chip_network(nest, status, [events, events])
    nest.Simulate((1 + ticks) * nest.resolution)
    saved = {key: [int(v) for v in node.get(key)] for key in ("w_inp", "w_rec", "w_out", "random_state")}
    nest.Simulate(ticks * nest.resolution)
    ran_on = {key: node.get(key) for key in ("w_inp", "w_rec", "w_out", "inferences")}

    nest.ResetKernel()
    import chiplearn
    chiplearn.install()
    resumed, _ = chip_network(nest, {**status, "labels": [label]}, [events])
    resumed.set(saved)
    nest.Simulate((1 + ticks) * nest.resolution)
    for key in ("w_inp", "w_rec", "w_out"):
        assert np.array_equal(resumed.get(key), ran_on[key]), key
    assert list(resumed.get("inferences")) == list(ran_on["inferences"])[1:]
    assert not np.array_equal(saved["w_rec"], ran_on["w_rec"]), "the second sample should learn"
    with pytest.raises(nest.NESTErrors.BadProperty, match="random_state = 3 values is out of range"):
        resumed.set(random_state=[1, 2, 3])


def test_chip_mode_tutorial_resumes_from_its_checkpoint_exactly(tmp_path):
    """cue_accumulation.py --chip reckon stopped after 4 iterations and started again for 6 ends with the weights,
    learning curve and test accuracy of a run of 6 that was never stopped."""
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).parents[1] / "pynest_scripts" / "cue_accumulation.py"
    small = ["--chip", "reckon", "--batch-size", "4", "--validate-every", "2", "--test-trials", "8"]

    def run(folder, iterations):
        subprocess.run([sys.executable, str(script), *small, "--iterations", str(iterations), "--output", str(folder)],
                       check=True, capture_output=True, text=True, timeout=300)
        with np.load(folder / "weights.npz") as f:
            weights = {k: f[k] for k in f.files}
        return weights, json.loads((folder / "result.json").read_text())

    run(tmp_path / "stopped", 4)
    resumed, resumed_result = run(tmp_path / "stopped", 6)
    straight, straight_result = run(tmp_path / "straight", 6)
    for key in ("w_inp", "w_rec", "w_out", "random_state"):
        assert np.array_equal(resumed[key], straight[key]), key
    assert resumed_result["log"] == straight_result["log"] and len(straight_result["log"]["loss"]) == 6
    assert resumed_result["test_accuracy"] == straight_result["test_accuracy"]


def test_chip_network_learns_in_training_batches_only(nest_kernel):
    """chiplearn.chip_network.ReckonChipNetwork switches learning at each batch: a validation batch right after a
    training batch leaves every weight where the training batch left it, and a training batch right after a
    validation batch learns from its first sample on (a batch of one sample)."""
    from chiplearn.chip_network import ReckonChipNetwork, initial_weights
    from chiplearn.tasks import EvidenceAccumulation

    nest = nest_kernel
    task = EvidenceAccumulation()
    rng = np.random.default_rng(4)
    recall = task.steps - task.recall_steps
    network = ReckonChipNetwork(nest, chip.RECKON, *initial_weights(rng, chip.RECKON), sample_ticks=task.steps,
                                target_start=recall, target_end=task.steps - 1, inference_start=recall)
    assert network.n_inputs == task.n_inputs

    def batch(n, learn):
        spikes, labels = task.trials(rng, n)
        return spikes, task.one_hot(labels), learn

    before = network.weights()
    list(network.stream([batch(2, True)]))
    trained = network.weights()
    assert any(not np.array_equal(trained[key], before[key]) for key in trained), "training must move a weight"
    list(network.stream([batch(2, False)]))
    for key, value in network.weights().items():
        np.testing.assert_array_equal(value, trained[key], err_msg=key)
    list(network.stream([batch(1, True)]))
    assert any(not np.array_equal(value, trained[key]) for key, value in network.weights().items())
