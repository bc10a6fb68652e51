"""Carrying a float-trained e-prop network onto a chip (chiplearn.chip.carry_to_grid, carry_to_reckon), and the
e-prop synapse's n-bit weight grid with stochastic rounding drawn from the counter-based generator."""

import numpy as np
import pytest

from chiplearn import _core, chip
from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup, bellec_initial_weights
from chiplearn.tasks import EvidenceAccumulation

TASK = EvidenceAccumulation(cue_steps=30, spacing_steps=20, delay_steps=60, recall_steps=40)
NEURON = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 0.0, "tau_m": 2000.0, "c_reg": 100.0,
          "surrogate_gradient_height": 0.5, "surrogate_gradient_width": 0.6, "tau_m_readout": 20.0,
          "regular_spike_arrival": True}
READOUT = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy", "regular_spike_arrival": False}


def test_quantization_is_nearest_and_saturating_as_numpy_rounds():
    rng = np.random.default_rng(0)
    bits, bound = 5, 0.8
    grid = chip.weight_grid(bits, bound)
    step = bound / 16
    assert grid == {"Wmin": -0.8, "Wmax": 15 * step, "weight_step": step}
    w = rng.uniform(-1.2, 1.2, 2000)
    # away from the halves between levels, where "halves up" and floating point could disagree
    w = w[np.abs(np.mod(w / step, 1.0) - 0.5) > 1e-6]
    expected = np.clip(np.floor(w / step + 0.5), -16, 15) * step
    np.testing.assert_allclose(chip.quantize_to_grid(w, grid), expected, rtol=0, atol=1e-12)
    assert np.sum(np.abs(w) > bound) > 100, "some weights must saturate for the test to mean something"


def test_carry_to_grid_uses_each_projections_largest_weight_and_n_levels():
    rng = np.random.default_rng(1)
    weights = {"in_rec": rng.normal(0, 0.3, (20, 40)), "rec_rec": rng.normal(0, 0.05, (20, 20)),
               "rec_out": rng.normal(0, 2.0, (2, 20))}
    carried, grids = chip.carry_to_grid(weights, 4)
    for name, w in weights.items():
        step = np.max(np.abs(w)) / 8
        assert grids[name]["weight_step"] == pytest.approx(step)
        levels = carried[name] / step
        np.testing.assert_allclose(levels, np.rint(levels), atol=1e-9)
        assert levels.min() >= -8 and levels.max() <= 7
        assert np.max(np.abs(carried[name] - w)) <= step / 2 + 1e-12 or np.max(w) > 7 * step


def test_bad_bit_width_and_bound_are_refused_naming_them():
    with pytest.raises(ValueError, match="bits = 1 is out of range"):
        chip.weight_grid(1, 1.0)
    with pytest.raises(ValueError, match="bound = 0"):
        chip.weight_grid(8, 0.0)


def small_config(threads=1, weight_grids=None, optimizer=None, seed=2):
    return EpropConfig(
        n_inputs=TASK.n_inputs, groups=[RecurrentGroup("eprop_iaf_chiplearn", 20, {**NEURON, "tau_m": 500.0})],
        n_outputs=2, readout_params=READOUT, trial_steps=TASK.steps, learning_window_steps=TASK.recall_steps,
        batch_size=4, optimizer=optimizer or {"type": "adam", "eta": 0.01, "batch_size": 4}, seed=seed,
        threads=threads, weight_grids=weight_grids)


def strong_weights(config, rng):
    """Initial weights scaled up so that the recurrent neurons spike in every trial."""
    weights = bellec_initial_weights(rng, config)
    weights["in_rec"] = weights["in_rec"] * 3.0 + 0.1
    return weights


def frozen_responses(weights, batch):
    config = small_config(optimizer={"type": "adam", "eta": 0.0, "batch_size": 4})
    network = EpropNetwork(config, weights)
    return next(network.stream([batch], record_spikes=lambda number: True))


def test_carried_weights_at_high_precision_give_the_float_networks_spikes_and_outputs():
    rng = np.random.default_rng(3)
    weights = strong_weights(small_config(), rng)
    spikes, labels = TASK.trials(rng, 4)
    batch = (spikes, TASK.one_hot(labels), False)
    reference = frozen_responses(weights, batch)
    assert len(reference["spikes"]["times"]) > 100, "the network must spike for the comparison to mean something"

    def spike_set(response):
        return set(zip(response["spikes"]["senders"].tolist(), response["spikes"]["times"].tolist()))

    carried, _ = chip.carry_to_grid(weights, 24)
    response = frozen_responses({**carried, "feedback": weights["feedback"]}, batch)
    assert spike_set(response) == spike_set(reference)
    np.testing.assert_allclose(response["readout_signal"], reference["readout_signal"], atol=1e-5)
    coarse, _ = chip.carry_to_grid(weights, 3)
    response = frozen_responses({**coarse, "feedback": weights["feedback"]}, batch)
    assert spike_set(response) != spike_set(reference), "3-bit weights must change the spikes (the oracle can fail)"


def test_carried_reckon_scale_gives_the_float_membrane_response_to_one_input_spike(nest_kernel):
    """One input spike into the float LIF neuron and into the chip with the carried weights: the chip's
    membrane over the membrane scale follows the float membrane (jump and 2-s leak) within the chip's
    rounding: half a weight step, the Q1.15 leak's rounding and the stochastic rounding of each tick."""
    nest = nest_kernel
    nest.resolution = 1.0
    w = np.array([[0.25], [0.5]])  # mV, below the threshold: no spike
    weights = {"in_rec": w, "rec_rec": np.zeros((2, 2)), "rec_out": np.array([[0.3, -0.2]])}
    carried = chip.carry_to_reckon(chip.RECKON, weights, NEURON, READOUT)
    assert carried["membrane_scale"] == pytest.approx(614 / 0.6)
    assert carried["preset"]["alpha"] == round(2 ** 15 * np.exp(-1 / 2000)) == 0x7FF0
    assert carried["preset"]["config"]["kappa"] == round(2 ** 7 * np.exp(-1 / 20)) == 0x7A
    assert carried["w_out"].tolist() == [[127], [-85]]

    ticks, spike_tick = 400, 10
    status = chip.reckon_chip_status(carried["preset"], carried["w_inp"], carried["w_rec"], carried["w_out"])
    node = nest.Create("reckon_chip_chiplearn", params={**status, "sample_ticks": ticks, "target_start": ticks,
                                                            "target_end": ticks, "inference_start": -1})
    times = chip.reckon_spike_times([np.array([[spike_tick, 0]])], ticks, 1, 1.0, node.get("sample_start"))
    generator = nest.Create("spike_generator", params={"spike_times": times[0]})
    nest.Connect(generator, node, syn_spec={"receptor_type": 1, "delay": 1.0})
    chip_meter = nest.Create("multimeter", params={"record_from": ["V_m_0", "V_m_1"], "interval": 1.0})
    nest.Connect(chip_meter, node)

    neurons = nest.Create("eprop_iaf_chiplearn", 2, params=NEURON)
    source = nest.Create("spike_generator", params={"spike_times": [20.0]})
    nest.Connect(source, neurons, "all_to_all", {"weight": w, "delay": 1.0})
    float_meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    nest.Connect(float_meter, neurons)
    nest.Simulate(float(ticks))

    chip_events = chip_meter.events
    order = np.argsort(chip_events["times"], kind="stable")
    v_chip = np.stack([np.asarray(chip_events[f"V_m_{j}"])[order] for j in range(2)], axis=1)
    float_events = float_meter.events
    v_float = np.stack([np.asarray(float_events["V_m"])[float_events["senders"] == n.global_id] for n in neurons], axis=1)
    first_chip = np.argmax(np.any(v_chip != 0, axis=1))
    first_float = np.argmax(np.any(v_float != 0, axis=1))
    span = 300
    k = np.arange(span)[:, None]
    chip_mv = v_chip[first_chip:first_chip + span] / carried["membrane_scale"]
    float_mv = v_float[first_float:first_float + span]
    assert np.all(float_mv[0] == w[:, 0]) and np.all(float_mv[-1] < float_mv[0])
    lsb = 1.0 / carried["membrane_scale"]
    alpha = carried["preset"]["alpha"] / 2 ** 15
    tolerance = 4 * lsb + w[:, 0] * np.abs(alpha ** k - np.exp(-k / 2000.0)) + 4 * np.sqrt(k / 4 + 1) * lsb
    assert np.all(np.abs(chip_mv - float_mv) <= tolerance)
    assert np.max(np.abs(chip_mv - float_mv)) > 0, "the chip rounds: the two cannot agree exactly"
    # a wrong scale by a factor of 2 (e.g. a weight shift off by one) would be far outside
    assert np.all(np.abs(2 * chip_mv[:50] - float_mv[:50]) > 10 * tolerance[:50])


def test_carry_to_reckon_refuses_what_the_chip_cannot_take():
    weights = {"in_rec": np.ones((2, 1)), "rec_rec": np.zeros((2, 2)), "rec_out": np.ones((1, 2))}
    with pytest.raises(ValueError, match="regular_spike_arrival = False"):
        chip.carry_to_reckon(chip.RECKON, weights, {**NEURON, "regular_spike_arrival": False}, READOUT)
    with pytest.raises(ValueError, match="rec_out is all 0"):
        chip.carry_to_reckon(chip.RECKON, {**weights, "rec_out": np.zeros((1, 2))}, NEURON, READOUT)
    carried = chip.carry_to_reckon(chip.RECKON, {**weights, "in_rec": np.full((2, 1), 5.0)}, NEURON, READOUT)
    assert np.all(carried["w_inp"] == 127), "weights beyond the 8-bit range saturate"


# ---- the e-prop synapse on an n-bit grid, stochastic rounding ---------------------------------------------


def grids_for(weights, bits, rounding):
    _, grids = chip.carry_to_grid({k: 4 * np.asarray(v) for k, v in weights.items() if k != "feedback"}, bits)
    return {key: {**grid, "rounding": rounding} for key, grid in grids.items()}


def one_batch_state(weights, grids, optimizer, seed=2):
    """Weights after one training batch of 4 trials (the step applied with the state's held gradients)."""
    config = small_config(weight_grids=grids, optimizer=optimizer, seed=seed)
    network = EpropNetwork(config, weights)
    rng = np.random.default_rng(11)
    spikes, labels = TASK.trials(rng, 4)
    list(network.stream([(spikes, TASK.one_hot(labels), True)]))
    return network, network.state()


def test_stochastic_rounding_of_a_step_is_the_counter_based_draw_of_the_synapse_and_batch():
    """After one gradient-descent batch, each weight is the exact step (the network on a continuous grid) put on
    its grid with the uniform number 1 - counter_uniform(rng_seed, weight_rounding, synapse_id(source, target),
    batch 1) of the core's Philox generator."""
    import nest

    rng = np.random.default_rng(5)
    weights = strong_weights(small_config(), rng)
    optimizer = {"type": "gradient_descent", "eta": 0.5, "batch_size": 4}
    grids = grids_for(weights, 6, "stochastic")
    for name in grids:
        weights[name] = chip.quantize_to_grid(weights[name], grids[name])
    continuous = {key: {"Wmin": grid["Wmin"], "Wmax": grid["Wmax"], "weight_step": 0.0} for key, grid in grids.items()}
    exact, exact_state = one_batch_state(weights, continuous, optimizer)
    network, state = one_batch_state(weights, grids, optimizer)
    seed = nest.rng_seed
    stepped_off_grid = 0
    for name, grid in grids.items():
        connections = network.nest.GetConnections(*network._connections[name], synapse_model=f"eprop_synapse_chiplearn_{name}")
        table = connections.get(["source", "target"])
        post0, pre0 = network._connections[name][1][0].global_id, network._connections[name][0][0].global_id
        unrounded = exact_state[f"{name}_weight"]
        got = state[f"{name}_weight"]
        for source, target in zip(table["source"], table["target"]):
            row, col = target - post0, source - pre0
            u = 1.0 - _core.counter_uniform(seed, _core.Stream.weight_rounding, _core.synapse_id(source, target), 1)
            units = (unrounded[row, col] - grid["Wmin"]) / grid["weight_step"]
            expected = min(max(grid["Wmin"] + np.floor(units + u) * grid["weight_step"], grid["Wmin"]), grid["Wmax"])
            assert got[row, col] == pytest.approx(expected, abs=1e-12), (name, source, target)
            stepped_off_grid += abs(units - round(units)) > 1e-6
    assert stepped_off_grid > 100, "the steps must leave the grid for the rounding to be tested"


def training_batches(seed):
    """Three training batches of 4 trials."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(3):
        spikes, labels = TASK.trials(rng, 4)
        batches.append((spikes, TASK.one_hot(labels), True))
    return batches


def trained_state(weights, grids, batches, threads=1):
    """The network's state after training on the batches (Adam 0.01, small_config's optimizer)."""
    network = EpropNetwork(small_config(threads=threads, weight_grids=grids), weights)
    list(network.stream(batches))
    return network.state()


def test_stochastic_rounding_gives_the_same_weights_with_one_and_two_threads():
    rng = np.random.default_rng(6)
    weights = strong_weights(small_config(), rng)
    grids = grids_for(weights, 5, "stochastic")
    start = {k: (chip.quantize_to_grid(v, grids[k]) if k in grids else v) for k, v in weights.items()}
    states = [trained_state(start, grids, training_batches(12), threads) for threads in (1, 2)]
    for key in states[0]:
        np.testing.assert_array_equal(states[0][key], states[1][key], err_msg=key)
    changed = 0
    for name, grid in grids.items():
        levels = states[0][f"{name}_weight"] / grid["weight_step"]
        np.testing.assert_allclose(levels, np.rint(levels), atol=1e-9)
        changed += np.sum(states[0][f"{name}_weight"] != chip.quantize_to_grid(weights[name], grid))
    assert changed > 50, "weights must have moved on the grid for the comparison to mean something"


def test_training_on_a_wide_grid_rounded_to_nearest_follows_the_float_network():
    """Three batches of Adam training on 24-bit grids, every update rounded to the nearest level, against the same
    training with continuous weights in the same ranges (weight_step 0: the float model): within 2 steps of the
    float network's weights, while learning moves them by more than 10^4 steps. Rounding contributes at most half
    a step per update (1.5); the rest (measured: up to 0.2 steps) is what the rounded weights change in the next
    batches' gradients. On 16-bit grids the smallest Adam updates fall below half a step and round to nothing:
    the weights end tens of steps away from the float network's."""
    rng = np.random.default_rng(7)
    float_weights = strong_weights(small_config(), rng)
    batches = training_batches(13)
    worst = {}
    for bits in (24, 16):
        grids = grids_for(float_weights, bits, "nearest")
        start = {k: (chip.quantize_to_grid(v, grids[k]) if k in grids else v) for k, v in float_weights.items()}
        continuous = {key: {**grid, "weight_step": 0.0} for key, grid in grids.items()}
        on_grid = trained_state(start, grids, batches)
        in_float = trained_state(start, continuous, batches)
        worst[bits] = 0.0
        for name, grid in grids.items():
            step = grid["weight_step"]
            if bits == 24:
                assert np.abs(in_float[f"{name}_weight"] - start[name]).max() > 1e4 * step, f"{name} must learn"
            deviation = np.abs(on_grid[f"{name}_weight"] - in_float[f"{name}_weight"]).max() / step
            worst[bits] = max(worst[bits], deviation)
    assert worst[24] <= 2.0, worst
    assert worst[16] > 10.0, worst
