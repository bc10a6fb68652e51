"""Each chiplearn neuron in NEST, and the C++ core through chiplearn._core, against the numpy oracle
(tests/reference/neurons.py), step by step, to 1e-12 relative."""

import numpy as np
import pytest

from chiplearn import _core
from reference import neurons as oracle

H = 0.1  # ms, a resolution other than 1 ms so that h enters every propagator
RTOL = 1e-12


def assert_close(actual, expected):
    """Relative agreement to RTOL, with the absolute slack RTOL * max|expected| for entries near zero."""
    expected = np.asarray(expected)
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * np.max(np.abs(expected)))


def random_drive(rng, n_steps, n_inputs, rate_per_step, weight_scale, weight_shift):
    """Spike inputs on the grid: per input, spike steps and a weight (mV)."""
    trains = [np.flatnonzero(rng.random(n_steps) < rate_per_step) for _ in range(n_inputs)]
    weights = weight_scale * (rng.random(n_inputs) - weight_shift)
    return trains, weights


def run_in_nest(nest, model, params, trains, weights, current_times, current_values, n_steps, record):
    """Drive one neuron with spike generators (delay 1 step) and a step current generator; record each step."""
    nest.resolution = H
    neuron = nest.Create(model, params=params)
    for steps, weight in zip(trains, weights):
        # a spike stamped at step s with delay d arrives in step s + d - 1 (0-based), see the oracle's indexing
        generator = nest.Create("spike_generator", params={"spike_times": np.round((steps + 0) * H, 10).tolist()})
        nest.Connect(generator, neuron, syn_spec={"weight": float(weight), "delay": H})
    current = nest.Create(
        "step_current_generator",
        params={"amplitude_times": np.round(current_times * H, 10).tolist(), "amplitude_values": current_values.tolist()},
    )
    nest.Connect(current, neuron, syn_spec={"delay": H})
    multimeter = nest.Create("multimeter", params={"record_from": record, "interval": H})
    nest.Connect(multimeter, neuron)
    recorder = nest.Create("spike_recorder")
    nest.Connect(neuron, recorder)
    nest.Simulate(n_steps * H)
    events = multimeter.events
    order = np.argsort(events["times"])
    # the multimeter samples steps 0 .. n_steps - 2 (stamped h .. (n_steps - 1) h)
    recorded = {name: np.asarray(events[name])[order] for name in record}
    assert all(len(values) == n_steps - 1 for values in recorded.values())
    spike_steps = np.round(np.asarray(recorder.events["times"]) / H).astype(int) - 1
    return recorded, spike_steps


def oracle_inputs(trains, weights, current_times, current_values, n_steps, I_e):
    """Per-step input arrays of the oracle for the drive of run_in_nest."""
    z_in = np.zeros(n_steps)
    for steps, weight in zip(trains, weights):
        arrival = steps  # stamped at (s) h, delay h: arrives at (s + 1) h, i.e. in 0-based step s
        np.add.at(z_in, arrival[(arrival >= 0) & (arrival < n_steps)], weight)
    # the generator's amplitude set at step c arrives after one delay step and drives the following step
    synaptic = np.zeros(n_steps)
    for c, value in zip(current_times, current_values):
        synaptic[c + 1 :] = value
    # the current of a step is set at the end of the previous one: I_e enters from step 1 on
    i_in = np.full(n_steps, I_e) + synaptic
    i_in[0] = 0.0
    return i_in, z_in


def scenario(seed, n_steps=3000, weight_shift=0.35):
    rng = np.random.default_rng(seed)
    trains, weights = random_drive(rng, n_steps, n_inputs=12, rate_per_step=0.02, weight_scale=12.0,
                                   weight_shift=weight_shift)
    trains = [t[t >= 1] for t in trains]  # spike generators cannot emit at time 0
    current_times = np.array([200, 1200, 2100])
    current_values = np.array([150.0, -300.0, 40.0])
    return trains, weights, current_times, current_values


# case: (seed of the drive, parameters)
LIF_CASES = {
    "default": (1, {}),
    "long_leak": (2, {"tau_m": 20000.0, "C_m": 1.0e4, "V_th": -69.4, "t_ref": 5.0}),  # tau_m 20 s, as on ReckOn
    "bounded_pulse_input": (3, {"tau_m": 7.5, "V_min": -68.0, "regular_spike_arrival": False, "t_ref": 0.0,
                                "E_L": -65.0, "V_m": -65.0, "V_th": -64.0, "I_e": 25.0}),
}


@pytest.mark.parametrize("case", sorted(LIF_CASES))
@pytest.mark.parametrize("model", ["eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn"])
def test_spiking_neuron_matches_oracle(nest_kernel, model, case):
    nest = nest_kernel
    seed, case_params = LIF_CASES[case]
    params = {"I_e": 30.0, **case_params}
    if model == "eprop_iaf_adapt_chiplearn":
        defaults = nest.GetDefaults(model)
        threshold_gap = params.get("V_th", defaults["V_th"]) - params.get("E_L", defaults["E_L"])
        params.update(adapt_beta=0.15 * threshold_gap, adapt_tau=150.0)
    n_steps = 3000
    trains, weights, current_times, current_values = scenario(seed, n_steps)
    record = ["V_m"] + (["adaptation", "V_th_adapt"] if "adapt" in model else [])
    recorded, spike_steps = run_in_nest(nest, model, params, trains, weights, current_times, current_values, n_steps, record)

    defaults = nest.GetDefaults(model)
    p = {**defaults, **params}
    E_L = p["E_L"]
    i_in, z_in = oracle_inputs(trains, weights, current_times, current_values, n_steps, p["I_e"])
    v, a, z = oracle.simulate_lif(
        i_in, z_in, h=H, tau_m=p["tau_m"], C_m=p["C_m"], V_th=p["V_th"] - E_L,
        V_min=max(p["V_min"] - E_L, -np.inf), t_ref=p["t_ref"], regular_spike_arrival=p["regular_spike_arrival"],
        adapt_beta=p.get("adapt_beta", 0.0), adapt_tau=p.get("adapt_tau"),
    )
    assert 20 < z.sum() < n_steps / 4, "the scenario must make the neuron spike a fair number of times"
    assert case != "bounded_pulse_input" or np.any(v == p["V_min"] - E_L), "the scenario must reach V_min"
    np.testing.assert_array_equal(spike_steps, np.flatnonzero(z))
    assert_close(recorded["V_m"], v[:-1] + E_L)
    if "adapt" in model:
        assert_close(recorded["adaptation"], a[:-1])
        assert_close(recorded["V_th_adapt"], p["V_th"] + p["adapt_beta"] * a[:-1])


@pytest.mark.parametrize("regular_spike_arrival", [True, False])
def test_readout_matches_oracle(nest_kernel, regular_spike_arrival):
    nest = nest_kernel
    params = {"tau_m": 25.0, "C_m": 100.0, "E_L": 0.0, "I_e": -40.0, "V_min": -6.0,
              "regular_spike_arrival": regular_spike_arrival}
    n_steps = 2000
    trains, weights, current_times, current_values = scenario(seed=7, n_steps=n_steps, weight_shift=0.55)
    recorded, spike_steps = run_in_nest(
        nest, "eprop_readout_chiplearn", params, trains, weights, current_times, current_values, n_steps, ["V_m"])
    assert spike_steps.size == 0, "a readout never spikes"
    i_in, z_in = oracle_inputs(trains, weights, current_times, current_values, n_steps, params["I_e"])
    v = oracle.simulate_readout(i_in, z_in, h=H, tau_m=params["tau_m"], C_m=params["C_m"], V_min=params["V_min"],
                                regular_spike_arrival=regular_spike_arrival)
    assert np.any(v == -6.0) and np.any(v > 0), "the scenario must reach both the bound and positive values"
    assert_close(recorded["V_m"], v[:-1])


@pytest.mark.parametrize("tau_m", [5.0, 2000.0, 30000.0])
def test_core_propagators_match_oracle(tau_m):
    P = _core.leaky_propagators(h=1.0, tau_m=tau_m, C_m=250.0, regular_spike_arrival=False)
    assert (P.P_v, P.P_i, P.P_z) == pytest.approx(oracle.propagators(1.0, tau_m, 250.0, False), rel=1e-15)
    assert 1.0 - P.P_z == P.P_v
    if tau_m >= 2000.0:
        # second-long leaks keep their precision: 1 - P_v to 1e-15 of its Taylor series in x = h / tau_m
        x = 1.0 / tau_m
        assert P.P_z == pytest.approx(x - x**2 / 2 + x**3 / 6 - x**4 / 24, rel=1e-15)


@pytest.mark.parametrize("adaptive", [False, True])
def test_core_neuron_matches_oracle(adaptive):
    rng = np.random.default_rng(3)
    n_steps = 5000
    z_in = np.where(rng.random(n_steps) < 0.1, rng.normal(2.0, 4.0, n_steps), 0.0)
    i_in = np.full(n_steps, 20.0)
    h, tau_m, C_m, V_th, V_min, t_ref = 1.0, 2000.0, 250.0, 15.0, -20.0, 3.0
    P = _core.leaky_propagators(h, tau_m, C_m, True)
    lif = _core.LifParameters(V_th=V_th, V_min=V_min, refractory_steps=3)
    if adaptive:
        params = _core.AlifParameters(lif, adapt_beta=1.5, P_adapt=_core.decay_factor(h, 700.0))
        v, a, z = _core.run_alif(_core.AlifState(), params, P, i_in, z_in)
    else:
        v, z = _core.run_lif(_core.LifState(), lif, P, i_in, z_in)
    v_ref, a_ref, z_ref = oracle.simulate_lif(
        i_in, z_in, h=h, tau_m=tau_m, C_m=C_m, V_th=V_th, V_min=V_min, t_ref=t_ref,
        adapt_beta=1.5 if adaptive else 0.0, adapt_tau=700.0 if adaptive else None)
    assert z_ref.sum() > 50
    np.testing.assert_array_equal(z, z_ref)
    assert_close(v, v_ref)
    if adaptive:
        assert_close(a, a_ref)


def test_core_lif_with_reset_to_value_matches_oracle():
    rng = np.random.default_rng(5)
    n_steps = 4000
    z_in = np.where(rng.random(n_steps) < 0.2, rng.normal(0.0, 3.0, n_steps), 0.0)
    i_in = np.full(n_steps, 25.0)
    h, tau_m, C_m, V_th, V_reset, V_min = 0.5, 40.0, 100.0, 8.0, -2.5, -6.0
    P = _core.leaky_propagators(h, tau_m, C_m, True)
    params = _core.LifResetParameters(_core.LifParameters(V_th=V_th, V_min=V_min, refractory_steps=4), V_reset=V_reset)
    v, z = _core.run_lif_reset_to_value(_core.LifState(), params, P, i_in, z_in)
    v_ref, z_ref = oracle.simulate_lif_reset_to_value(i_in, z_in, h=h, tau_m=tau_m, C_m=C_m, V_th=V_th,
                                                      V_reset=V_reset, V_min=V_min, t_ref=2.0)
    assert z_ref.sum() > 50 and np.any(v_ref == V_min), "the drive must make spikes and reach the bound"
    np.testing.assert_array_equal(z, z_ref)
    np.testing.assert_array_equal(v[z == 1.0], V_reset)
    assert_close(v, v_ref)


def test_core_readout_matches_oracle():
    rng = np.random.default_rng(11)
    z_in = rng.normal(0.0, 1.0, 1000)
    i_in = rng.normal(0.0, 10.0, 1000)
    P = _core.leaky_propagators(1.0, 20.0, 250.0, True)
    v = _core.run_readout(0.0, P, -1.5, i_in, z_in)
    assert_close(v, oracle.simulate_readout(i_in, z_in, h=1.0, tau_m=20.0, C_m=250.0, V_min=-1.5))


def test_core_rejects_mismatched_inputs():
    P = _core.leaky_propagators(1.0, 20.0, 250.0, True)
    with pytest.raises(ValueError, match="equal length"):
        _core.run_readout(0.0, P, -1.0, np.zeros(3), np.zeros(4))
