"""ebn_iaf_chiplearn and ebn_synapse_chiplearn against their oracles: NEST's iaf_psc_exp (dynamics), an
independent numpy network with the learning rule (tests/reference/ebn.py), the rule's direction on the
balanced-network task, 1 against 2 threads, the input signal's analytic spread, the run-away guard and the
tutorial (trains, writes its results, resumes)."""

import nest
import numpy as np
import pytest

import chiplearn
from chiplearn import _core, ebn
from reference import ebn as reference

H = 0.1


def fresh_kernel(threads=1, seed=1):
    nest.ResetKernel()
    chiplearn.install()
    nest.set(resolution=H, local_num_threads=threads, rng_seed=seed)


# ---- counter-based random numbers

@pytest.mark.parametrize("counter, key, expected", [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
])
def test_philox_reproduces_the_published_known_answers(counter, key, expected):
    # Salmon et al. 2011, the known-answer vectors distributed with Random123
    assert tuple(_core.philox4x32_10(list(counter), list(key))) == expected


def test_counter_normals_are_standard_normal_and_keyed_by_every_part():
    ids = np.arange(200_000, dtype=np.uint64)
    x = _core.counter_normal(7, _core.Stream.membrane_noise, ids, 3)
    assert abs(x.mean()) < 5 / np.sqrt(ids.size)
    assert abs(x.std() - 1.0) < 5 / np.sqrt(2 * ids.size)
    assert abs(np.mean(x**4) - 3.0) < 0.05  # Gaussian kurtosis
    for other in (_core.counter_normal(8, _core.Stream.membrane_noise, ids, 3),
                  _core.counter_normal(7, _core.Stream.mismatch_tau_m, ids, 3),
                  _core.counter_normal(7, _core.Stream.membrane_noise, ids, 4)):
        assert abs(np.corrcoef(x, other)[0, 1]) < 0.02


# ---- dynamics

def test_neuron_reproduces_iaf_psc_exp_with_one_synaptic_time_constant():
    fresh_kernel()
    rng = np.random.default_rng(3)
    n = 6
    common = dict(C_m=40.0, E_L=-1.0, tau_m=30.0, V_th=0.5, V_reset=-2.0, t_ref=0.0, V_m=-1.0)
    ours = nest.Create("ebn_iaf_chiplearn", n, params=dict(common, tau_syn=2.0))
    theirs = nest.Create("iaf_psc_exp", n, params=dict(common, tau_syn_ex=2.0, tau_syn_in=2.0))
    I_e = rng.uniform(40.0, 80.0, n).tolist()
    ours.set(I_e=I_e)
    theirs.set(I_e=I_e)
    W = rng.normal(0.0, 20.0, (n, n))
    np.fill_diagonal(W, 0.0)
    generator = nest.Create("step_current_generator")
    times = np.round(np.arange(1, 500) * H, 1)
    generator.set(amplitude_times=times, amplitude_values=rng.normal(0.0, 60.0, times.size))
    recorders = []
    for population in (ours, theirs):
        nest.Connect(population, population, "all_to_all", {"weight": W, "delay": H})
        nest.Connect(generator, population)
        recorder = nest.Create("spike_recorder")
        meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": H})
        nest.Connect(population, recorder)
        nest.Connect(meter, population)
        recorders.append((recorder, meter))
    nest.Simulate(80.0)
    (ours_spikes, ours_meter), (their_spikes, their_meter) = recorders
    assert len(ours_spikes.events["times"]) > 30
    np.testing.assert_array_equal(ours_spikes.events["times"], their_spikes.events["times"])
    np.testing.assert_array_equal(ours_spikes.events["senders"] - ours[0].global_id,
                                  their_spikes.events["senders"] - theirs[0].global_id)
    # the same exact integration in another order of operations: equal to the last digits (V_m reaches -320 mV)
    np.testing.assert_allclose(ours_meter.events["V_m"], their_meter.events["V_m"], rtol=1e-13, atol=1e-12)


# ---- the network and the rule against the numpy reference

RULES = {
    "discrete": dict(learning=True, discrete=True, granularity=2.0, margin=0.05, omega_per_weight=0.05, eta=0.0,
                     reset_step=0.1, Wmin=-20.0, Wmax=16.0),
    "continuous": dict(learning=True, discrete=False, granularity=2.0, margin=0.0, omega_per_weight=0.02, eta=0.3,
                       reset_step=0.1, Wmin=-30.0, Wmax=30.0),
}


def run_nest_network(rule, W, step_gain, I_e, V_th, steps, noise_std, threads=1):
    fresh_kernel(threads)
    n = len(I_e)
    neurons = nest.Create("ebn_iaf_chiplearn", n, params=dict(
        C_m=50.0, tau_m=50.0, tau_syn=1.0, E_L=0.0, V_reset=0.0, V_m=0.0, noise_std=noise_std))
    neurons.set(I_e=list(I_e), V_th=list(V_th))
    nest.SetDefaults("ebn_synapse_chiplearn", {
        "learning": rule["learning"], "learning_rule": "discrete" if rule["discrete"] else "continuous",
        "granularity": rule["granularity"], "margin": rule["margin"], "omega_per_weight": rule["omega_per_weight"],
        "eta": rule["eta"], "reset_step": rule["reset_step"], "Wmin": rule["Wmin"], "Wmax": rule["Wmax"]})
    nest.Connect(neurons, neurons, {"rule": "all_to_all", "allow_autapses": True},
                 {"synapse_model": "ebn_synapse_chiplearn", "weight": W, "step_gain": step_gain, "delay": H})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    nest.Simulate(steps * H)
    connections = nest.GetConnections(neurons, neurons)
    table = connections.get(["source", "target", "weight"])
    W_after = np.zeros((n, n))
    first = neurons[0].global_id
    W_after[np.asarray(table["target"]) - first, np.asarray(table["source"]) - first] = table["weight"]
    events = recorder.events
    spikes = sorted(zip(np.round(events["times"] / H).astype(int) - 1, events["senders"] - first))
    return spikes, W_after, np.asarray(neurons.get("E_L")), neurons


def network_setup(n=8, seed=5):
    rng = np.random.default_rng(seed)
    gain = rng.uniform(0.7, 1.3, (n, n))
    W = np.round(rng.normal(0.0, 6.0, (n, n)) / 2.0) * 2.0 * gain
    np.fill_diagonal(W, 0.0)
    return W, gain, rng.uniform(10.0, 20.0, n), rng.uniform(1.0, 1.6, n)


@pytest.mark.parametrize("rule_name", sorted(RULES))
def test_network_and_rule_match_the_numpy_reference(rule_name):
    rule = RULES[rule_name]
    W, gain, I_e, V_th = network_setup()
    steps, noise_std = 4000, 0.5
    nest_spikes, nest_W, nest_E_L, neurons = run_nest_network(rule, W, gain, I_e, V_th, steps, noise_std)
    ids = np.asarray(neurons.global_id, dtype=np.uint64)
    noise = noise_std * np.array([_core.counter_normal(1, _core.Stream.membrane_noise, ids, t) for t in range(steps)])
    spikes, weights, E_L = reference.simulate(
        W=W, step_gain=gain, I_e=I_e, V_th=V_th, E_L=np.zeros(len(I_e)), V_reset=np.zeros(len(I_e)), tau_m=50.0,
        C_m=50.0, tau_syn=1.0, h=H, steps=steps, noise=noise, rule=rule)
    assert len(spikes) > 200
    assert np.any(np.abs(weights[-1] - W) > 0.5), "the rule must have changed weights"
    assert np.any(E_L != 0.0), "the self term must have moved resets"
    assert nest_spikes == sorted(spikes)
    # the spike of the last step is delivered, and learns, only in the step after the run
    np.testing.assert_allclose(nest_W, weights[-2], rtol=0, atol=1e-12)
    if rule["discrete"]:
        assert np.all(nest_W <= rule["Wmax"] * gain + 1e-12) and np.all(nest_W >= rule["Wmin"] * gain - 1e-12)
        assert np.any(np.isclose(nest_W, rule["Wmax"] * gain) | np.isclose(nest_W, rule["Wmin"] * gain)
                      | (np.abs(nest_W) < 1e-9)), "expected some weights at a bound"


def test_one_and_two_threads_give_the_same_spikes_weights_and_resets():
    rule = RULES["discrete"]
    W, gain, I_e, V_th = network_setup(seed=9)
    one = run_nest_network(rule, W, gain, I_e, V_th, 2000, 0.5, threads=1)
    two = run_nest_network(rule, W, gain, I_e, V_th, 2000, 0.5, threads=2)
    assert one[0] == two[0]
    np.testing.assert_array_equal(one[1], two[1])
    np.testing.assert_array_equal(one[2], two[2])


# ---- the rule's direction on Büchel et al.'s task

@pytest.fixture(scope="module")
def task_setup():
    task = ebn.EbnTask()
    rng = np.random.default_rng(42)
    D = ebn.decoder(task, rng)
    return task, D, ebn.initial_weights(task, rng), ebn.discretize(ebn.optimal_weights(task, D), task.granularity)


def off_diagonal(W):
    W = W.copy()
    np.fill_diagonal(W, 0.0)
    return W


@pytest.mark.parametrize("resolution", [0.1, 0.025])
def test_the_input_signal_has_the_same_spread_at_any_resolution(resolution):
    """White noise of unit variance per 0.1 ms smoothed by a unit-area Gaussian of width sigma has standard
    deviation amplitude sqrt(0.1 ms / (2 sqrt(pi) sigma)) (continuous limit), whatever the step."""
    task = ebn.EbnTask(resolution=resolution)
    expected = task.amplitude * np.sqrt(0.1 / (2.0 * np.sqrt(np.pi) * task.sigma))
    edge = int(round(100.0 / resolution))  # the zeroed start and the window's ends
    signals = [ebn.smoothed_white_noise(task, np.random.default_rng(seed))[edge:-edge] for seed in range(100)]
    # the sample std of 100 x 800 ms x 2 inputs of a process with correlation exp(-t^2 / (4 sigma^2)) has a
    # relative standard error of sqrt(sigma sqrt(2 pi) / 160 s) / sqrt(2) = 1.5 %: the bound is 3.3 of them
    assert np.std(np.concatenate(signals)) == pytest.approx(expected, rel=0.05)


def test_from_random_weights_the_distance_to_the_optimal_weights_falls(task_setup):
    task, D, W0, W_optimal = task_setup
    fresh_kernel()
    network = ebn.EbnNetwork(task, D, W0)
    rng = np.random.default_rng(1)
    start = ebn.distance_to_optimal(W0, W_optimal)
    for _ in range(8):
        network.run(ebn.smoothed_white_noise(task, rng))
    assert start > 0.9
    assert ebn.distance_to_optimal(off_diagonal(network.weights()), W_optimal) < 0.2


def test_from_the_optimal_weights_the_rule_stays_near_them(task_setup):
    task, D, _, W_optimal = task_setup
    fresh_kernel()
    network = ebn.EbnNetwork(task, D, W_optimal)
    network.set_resets(ebn.optimal_resets(task, D))
    rng = np.random.default_rng(2)
    for _ in range(5):
        network.run(ebn.smoothed_white_noise(task, rng))
    W = off_diagonal(network.weights())
    # a fixed point up to a scale and the rule's own jitter (the distance is scale-invariant: in Büchel et al.'s
    # units the rule settles at a smaller scale of the optimal weights)
    assert ebn.distance_to_optimal(W, W_optimal) < 0.12
    mask = ~np.eye(task.n_neurons, dtype=bool)
    assert np.corrcoef(W[mask], W_optimal[mask])[0, 1] > 0.94


def test_a_frozen_run_away_network_is_stopped_early_and_a_quiet_one_is_not(task_setup):
    """The run-away guard: the random initial network (learning off) fires thousands of Hz; a trial with
    max_rate stops at the first check (100 ms) and says so; the optimal network runs its whole trial, with
    the same spikes as without the guard (simulating in pieces changes nothing)."""
    task, D, W0, _ = task_setup
    fresh_kernel()
    network = ebn.EbnNetwork(task, D, W0)
    network.learning = False
    signal = ebn.smoothed_white_noise(task, np.random.default_rng(3))
    stopped = network.run(signal, max_rate=500.0)
    assert stopped.ran_away
    assert stopped.rate > 500.0
    assert stopped.spike_steps.max() < 1000  # 100 ms of 0.1-ms steps

    def optimal_trial(max_rate):
        fresh_kernel()
        network = ebn.EbnNetwork(task, D, ebn.optimal_weights(task, D))
        network.set_resets(ebn.optimal_resets(task, D))
        network.learning = False
        return network.run(signal, max_rate=max_rate)

    unguarded, guarded = optimal_trial(None), optimal_trial(500.0)
    assert not guarded.ran_away
    np.testing.assert_array_equal(guarded.spike_steps, unguarded.spike_steps)
    np.testing.assert_array_equal(guarded.spike_neurons, unguarded.spike_neurons)
    assert guarded.reconstruction_error == unguarded.reconstruction_error
    assert unguarded.spike_steps.max() > 9000  # spikes to the end of the 1-s trial


# ---- bad input

@pytest.mark.parametrize("parameters, name", [
    ({"V_th": 0.0, "V_reset": 0.0}, "V_th"),
    ({"tau_syn": 0.0}, "tau_syn"),
    ({"tau_m": -1.0}, "tau_m"),
    ({"noise_std": -0.1}, "noise_std"),
    ({"noise_std": float("nan")}, "noise_std"),
    ({"V_reset": -5.0, "V_min": -4.0}, "V_reset"),
    ({"C_m": 1e-320}, "C_m"),
    ({"tau_syn_ex": 1.0}, "tau_syn_ex"),
])
def test_neuron_refuses_bad_parameters_and_names_them(parameters, name):
    fresh_kernel()
    neuron = nest.Create("ebn_iaf_chiplearn")
    before = neuron.get()
    with pytest.raises(nest.NESTErrors.BadProperty, match=name):
        neuron.set(parameters)
    assert neuron.get() == before


@pytest.mark.parametrize("defaults, name", [
    ({"granularity": 0.0}, "granularity"),
    ({"margin": -1.0}, "margin"),
    ({"Wmin": 1.0, "Wmax": -1.0}, "Wmax"),
    ({"eta": -0.1}, "eta"),
    ({"reset_step": float("inf")}, "reset_step"),
    ({"learning_rule": "hebbian"}, "learning_rule"),
    ({"step_gain": 0.0}, "step_gain"),
    ({"Wmin": -6.0, "step_gain": -1.0}, "step_gain"),  # the common part of a refused dictionary is not kept
    ({"weight": 5.0, "Wmax": 4.0}, "weight"),
    ({"tau_plus": 20.0}, "tau_plus"),
])
def test_synapse_refuses_bad_parameters_and_names_them(defaults, name):
    fresh_kernel()
    before = nest.GetDefaults("ebn_synapse_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match=name):
        nest.SetDefaults("ebn_synapse_chiplearn", defaults)
    assert nest.GetDefaults("ebn_synapse_chiplearn") == before


def test_synapse_refuses_targets_delays_and_weights_it_cannot_serve():
    fresh_kernel()
    neurons = nest.Create("ebn_iaf_chiplearn", 2)
    other = nest.Create("iaf_psc_exp")
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="ebn_iaf_chiplearn"):
        nest.Connect(neurons[0], other, syn_spec={"synapse_model": "ebn_synapse_chiplearn", "delay": H})
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="one simulation step"):
        nest.Connect(neurons[0], neurons[1], syn_spec={"synapse_model": "ebn_synapse_chiplearn", "delay": 2 * H})
    nest.SetDefaults("ebn_synapse_chiplearn", {"Wmin": -4.0, "Wmax": 4.0})
    with pytest.raises(nest.NESTErrors.BadProperty, match="weight"):
        nest.Connect(neurons[0], neurons[1], syn_spec={"synapse_model": "ebn_synapse_chiplearn", "delay": H,
                                                       "weight": 6.0})
    nest.Connect(neurons[0], neurons[1], syn_spec={"synapse_model": "ebn_synapse_chiplearn", "delay": H,
                                                   "weight": 6.0, "step_gain": 2.0})
    connection = nest.GetConnections(neurons[0], neurons[1])
    with pytest.raises(nest.NESTErrors.BadProperty, match="delay"):
        connection.set(delay=3 * H)
    assert connection.get("delay") == pytest.approx(H)
    with pytest.raises(nest.NESTErrors.BadProperty, match="only widen"):
        nest.SetDefaults("ebn_synapse_chiplearn", {"Wmax": 2.0})


# ---- the tutorial

def test_the_tutorial_trains_writes_its_results_and_resumes_without_losing_iterations(tmp_path):
    """pynest_scripts/balanced_network.py, 2 iterations, then asked for 3 in the same folder: the second run
    resumes after iteration 2 from the checkpoint and keeps the first run's learning curve."""
    import json
    import os
    import subprocess
    import sys

    script = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "balanced_network.py")

    def run(iterations):
        done = subprocess.run([sys.executable, script, "--iterations", str(iterations), "--output", str(tmp_path)],
                              check=True, capture_output=True, text=True)
        with open(tmp_path / "results.json") as stream:
            return done.stdout, json.load(stream)

    def losses():
        with np.load(tmp_path / "checkpoint.npz") as checkpoint:
            return json.loads(str(checkpoint["log"]))["loss"]

    _, first = run(2)
    for name in ("balanced_network.png", "weights.npz", "checkpoint.npz"):
        assert (tmp_path / name).stat().st_size > 0
    validation = first["validation"]
    assert validation["learned"]["distance"] < validation["initial"]["distance"] - 0.3
    assert validation["optimal"]["distance"] < 0.01  # the continuous optimum against its grid
    first_losses = losses()

    output, second = run(3)
    assert "resuming after iteration 2" in output
    assert len(losses()) == 3 and losses()[:2] == first_losses
    assert second["training_seconds_this_run"] > 0 and second["iterations"] == 3
    with np.load(tmp_path / "weights.npz") as weights:
        assert weights["learned_weights"].shape == (20, 20)
