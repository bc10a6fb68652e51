"""EventProp outputs: the core's forward closed forms, crossing times, adjoint and losses (chiplearn._core,
the code the NEST models run) against the independent numpy implementation tests/reference/eventprop.py
and against finite differences of the loss."""

import numpy as np
import pytest

from chiplearn import _core
from tests.reference import eventprop as ref

ep = _core.eventprop

MEMBRANE = dict(tau_m=20.0, tau_s=5.0, C_m=250.0)
V_TH = 15.0
H = 0.1
N_STEPS = 300  # a 30-ms trial
FIRST_SPIKE = dict(tau_0=0.5, tau_1=6.4, alpha=3e-3)
SLOPE_FLOOR = 1.5  # mV: 0.1 V_th, the floor the research note found stable


def membrane():
    return ep.Membrane(V_th=V_TH, **MEMBRANE)


def task(seed, n_outputs=3, n_inputs=40, mean=400.0):
    """Input spikes (one per input, in the first half of the trial) and weights into each output."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(0, N_STEPS // 2, n_inputs)
    weights = rng.normal(mean, 0.5 * mean, (n_outputs, n_inputs))
    return steps, weights


def run(weights, steps, model):
    inputs = np.zeros(N_STEPS)
    np.add.at(inputs, steps, weights)
    return ep.run_trial(membrane(), model, H, inputs)


def arrival_times(steps):
    """An input arriving in step k makes the current jump at the end of the step, (k + 1) h."""
    return np.sort((np.asarray(steps) + 1) * H)


def test_crossing_time_is_the_root_and_the_slope_is_there():
    m = membrane()
    for v0, i0 in [(14.0, 600.0), (0.0, 30000.0), (14.999, 250.0 * 15.0 / 20.0 + 1.0)]:
        start = ep.MembraneState(v=v0, i=i0)
        if ep.evolve(start, m, H).v < V_TH:
            continue
        t = ep.crossing_time(start, m, H)
        assert 0.0 < t <= H
        assert ep.evolve(start, m, t).v == pytest.approx(V_TH, abs=1e-12)
        assert ep.evolve(start, m, t * (1 - 1e-9)).v < V_TH


def test_forward_pass_matches_the_reference():
    steps, weights = task(0)
    for model in ep.NEURON_MODELS:
        for w in weights:
            seen, v, i, z = run(w, steps, model)
            r = ref.forward(w, steps, h=H, n_steps=N_STEPS, V_th=V_TH, spiking=model == "lif", **MEMBRANE)
            np.testing.assert_allclose(v, r["v"], rtol=0, atol=1e-11)
            np.testing.assert_allclose(i, r["i"], rtol=1e-13)
            np.testing.assert_array_equal(np.flatnonzero(z), r["spikes"])
            if model == "lif":
                assert seen.spiked()
                assert seen.first_spike_time == pytest.approx(r["first_spike_time"], abs=1e-12)
                assert seen.slope == pytest.approx(r["slope"], rel=1e-10)
            else:
                assert seen.v_max == pytest.approx(r["v_max"], rel=1e-12)
                # golden-section search locates a flat maximum only to about sqrt(eps) of the step
                assert seen.t_max == pytest.approx(r["t_max"], abs=1e-6)


def test_adjoint_of_a_jump_is_the_reference_backward_integration():
    m = membrane()
    rng = np.random.default_rng(3)
    arrivals = np.sort(rng.integers(1, 200, 25)) * H
    for jump_time in (17.34567, 20.0, 5.55):
        g = ep.weight_gradient(m, np.array([jump_time]), np.array([0.37]), arrivals)
        expected = ref.adjoint_gradient(jump_time, 0.37, arrivals, h=H, **MEMBRANE)
        assert g == pytest.approx(expected, rel=1e-9, abs=1e-15)
    # the closed-form kernel is the jump carried back: lambda_I(t_k - d) = jump kappa(d)
    lv, li = ep.propagate_back(1.0, 0.0, m, 3.0)
    assert lv == pytest.approx(np.exp(-3.0 / 20.0), rel=1e-15)
    assert li == pytest.approx(20.0 / 15.0 * (np.exp(-3.0 / 20.0) - np.exp(-3.0 / 5.0)), rel=1e-14)


def observations_and_gradients(loss, weights, steps, target):
    m = membrane()
    model = "lif" if loss == "first_spike_cross_entropy" else "leaky"
    seen = [run(w, steps, model)[0] for w in weights]
    adjoints = ep.output_adjoints(loss, seen, target, N_STEPS * H, m, ep.FirstSpikeLoss(**FIRST_SPIKE), SLOPE_FLOOR)
    arrivals = (np.asarray(steps) + 1) * H
    gradients = np.zeros_like(weights)
    for k, (_, _, jump) in enumerate(adjoints):
        if jump is None:
            continue
        for j, t in enumerate(arrivals):
            gradients[k, j] = ep.weight_gradient(m, np.array([jump[0]]), np.array([jump[1]]), np.array([t]))
    return seen, adjoints, gradients


def loss_of(loss, weights, steps, target):
    model = "lif" if loss == "first_spike_cross_entropy" else "leaky"
    seen = [run(w, steps, model)[0] for w in weights]
    if loss == "first_spike_cross_entropy":
        times = [s.first_spike_time if s.spiked() else N_STEPS * H for s in seen]
        return ref.first_spike_loss(times, target, **FIRST_SPIKE)
    return ref.max_voltage_loss([s.v_max for s in seen], target)


@pytest.mark.parametrize("loss", ["first_spike_cross_entropy", "max_voltage_cross_entropy"])
def test_gradients_match_the_reference_on_the_same_forward_pass(loss):
    steps, weights = task(1)
    target = 1
    seen, adjoints, gradients = observations_and_gradients(loss, weights, steps, target)
    value, dl_dvalue, p = loss_of(loss, weights, steps, target)
    np.testing.assert_allclose([a[0] for a in adjoints], p, rtol=1e-12)
    np.testing.assert_allclose([a[1] for a in adjoints], dl_dvalue, rtol=1e-12)
    t_target = seen[target].first_spike_time
    assert ep.target_loss(loss, p[target], t_target, ep.FirstSpikeLoss(**FIRST_SPIKE)) == pytest.approx(value, rel=1e-12)
    arrivals = (np.asarray(steps) + 1) * H
    for k, s in enumerate(seen):
        for j, t in enumerate(arrivals):
            if loss == "first_spike_cross_entropy":
                expected = ref.direct_gradient_first_spike(dl_dvalue[k], s.first_spike_time, s.slope, [t],
                                                           slope_floor=SLOPE_FLOOR, **MEMBRANE)
                via_adjoint = ref.adjoint_gradient(adjoints[k][2][0], adjoints[k][2][1], [t], h=H, **MEMBRANE)
                assert via_adjoint == pytest.approx(expected, rel=1e-9, abs=1e-15)
            else:
                expected = ref.direct_gradient_max_voltage(dl_dvalue[k], s.t_max, [t], **MEMBRANE)
            assert gradients[k, j] == pytest.approx(expected, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("loss", ["first_spike_cross_entropy", "max_voltage_cross_entropy"])
def test_gradients_are_the_finite_differences_of_the_loss(loss):
    """Central differences of the loss re-simulated with each weight moved by +-eps.

    eps = 1e-3 pA against weights of hundreds of pA: no spike appears or disappears and no first spike or
    maximum changes its step (checked), so the loss is smooth in the weights there; the truncation error of
    the central difference is O(eps^2) and round-off O(1e-16 / eps), both below the tolerance (1e-6 relative, 1e-12 absolute for gradients near 0).
    """
    steps, weights = task(2)
    target = 0
    seen, _, gradients = observations_and_gradients(loss, weights, steps, target)
    eps = 1e-3
    model = "lif" if loss == "first_spike_cross_entropy" else "leaky"
    for k in range(weights.shape[0]):
        for j in range(weights.shape[1]):
            moved = []
            for sign in (+1, -1):
                w = weights.copy()
                w[k, j] += sign * eps
                after = run(w[k], steps, model)[0]
                if model == "lif":
                    assert int(after.first_spike_time / H) == int(seen[k].first_spike_time / H)
                else:
                    assert int(after.t_max / H) == int(seen[k].t_max / H)
                moved.append(loss_of(loss, w, steps, target)[0])
            fd = (moved[0] - moved[1]) / (2 * eps)
            assert gradients[k, j] == pytest.approx(fd, rel=1e-6, abs=1e-12)


def test_silent_target_gets_a_phantom_spike_that_raises_its_weights():
    steps, weights = task(4)
    weights[2] = 1.0  # output 2 stays silent
    seen, adjoints, gradients = observations_and_gradients("first_spike_cross_entropy", weights, steps, target=2)
    assert not seen[2].spiked()
    assert adjoints[2][2][0] == N_STEPS * H
    assert (gradients[2] < 0).all()  # descent raises every input's weight
    _, adjoints, gradients = observations_and_gradients("first_spike_cross_entropy", weights, steps, target=0)
    assert adjoints[2][2] is None and (gradients[2] == 0).all()  # a silent non-target is left alone


@pytest.mark.parametrize("scale", [1.0, 0.01, 0.0])
def test_phantom_spike_is_the_scaled_loss_derivative_at_the_trial_end_over_the_floor(scale):
    """The phantom spike of a silent target: lambda_V jumps at T by phantom_spike_scale dL/dt(T) / slope_floor, with
    dL/dt from the reference's first-spike loss with the silent output at t = T; the other outputs' jumps do not
    depend on the scale."""
    steps, weights = task(4)
    weights[2] = 1.0  # output 2 stays silent
    m = membrane()
    seen = [run(w, steps, "lif")[0] for w in weights]
    assert not seen[2].spiked() and seen[0].spiked() and seen[1].spiked()
    adjoints = ep.output_adjoints("first_spike_cross_entropy", seen, 2, N_STEPS * H, m,
                                  ep.FirstSpikeLoss(**FIRST_SPIKE, phantom_spike_scale=scale), SLOPE_FLOOR)
    unscaled = ep.output_adjoints("first_spike_cross_entropy", seen, 2, N_STEPS * H, m,
                                  ep.FirstSpikeLoss(**FIRST_SPIKE), SLOPE_FLOOR)
    times = [seen[0].first_spike_time, seen[1].first_spike_time, N_STEPS * H]
    _, dl_dt, _ = ref.first_spike_loss(times, 2, **FIRST_SPIKE)
    assert adjoints[2][2] == pytest.approx((N_STEPS * H, scale * dl_dt[2] / SLOPE_FLOOR), rel=1e-12, abs=0)
    assert adjoints[:2] == unscaled[:2]
    # the outputs that answered in the silent target's place take nothing from the trial (they would be pushed
    # later); their probabilities are the reference's
    assert [a[2] for a in adjoints[:2]] == [None, None]
    np.testing.assert_allclose([a[0] for a in adjoints[:2]], ref.first_spike_loss(times, 2, **FIRST_SPIKE)[2][:2],
                               rtol=1e-12)


def test_membrane_checks_name_the_parameter():
    with pytest.raises(ValueError, match=r"tau_syn = 20 ms is out of range; allowed: tau_syn != tau_m \(20 ms\)"):
        ep.Membrane(tau_m=20.0, tau_s=20.0, C_m=250.0, V_th=15.0).check()
    with pytest.raises(ValueError, match="tau_m = -1 ms is out of range"):
        ep.Membrane(tau_m=-1.0, tau_s=5.0, C_m=250.0, V_th=15.0).check()
    with pytest.raises(ValueError, match="phantom_spike_scale = -1 is out of range"):
        ep.FirstSpikeLoss(**FIRST_SPIKE, phantom_spike_scale=-1.0).check()
    with pytest.raises(ValueError, match='loss = "hinge" is unknown; allowed: first_spike_cross_entropy, max_voltage'):
        ep.output_adjoints("hinge", [], 0, 1.0, membrane(), ep.FirstSpikeLoss(**FIRST_SPIKE), 1.0)


# ---- the NEST models: eventprop_readout_chiplearn and eventprop_synapse_chiplearn

TRIAL = N_STEPS * H
READOUT_PARAMS = dict(tau_m=MEMBRANE["tau_m"], tau_syn=MEMBRANE["tau_s"], C_m=MEMBRANE["C_m"], V_th=V_TH,
                      slope_floor=SLOPE_FLOOR, **FIRST_SPIKE)
LEAKY_PARAMS = dict(READOUT_PARAMS, neuron_model="leaky", loss="max_voltage_cross_entropy")
SGD = {"type": "gradient_descent", "eta": 1.0, "batch_size": 1, "Wmin": -1e5, "Wmax": 1e5}


def nest_network(nest, weights, readout_params, optimizer=SGD, threads=1):
    from chiplearn import eventprop

    nest.set(resolution=H, eprop_update_interval=TRIAL, local_num_threads=threads)
    return eventprop.build_readout_network(nest, weights.shape[1], weights.shape[0], readout_params, weights,
                                           optimizer)


def input_times(steps):
    """Generator spike times [ms from the trial start] whose spikes arrive in the core's steps `steps`: an input
    set at tau arrives at tau + 2 h (generator -> parrot -> output), which is the jump at the end of step
    (tau + 2 h) / h - 1."""
    return (np.asarray(steps) - 1) * H


def connection_weights(nest, nodes):
    """(n_outputs, n_inputs) weights of the plastic connections."""
    c = nest.GetConnections(nodes["inputs"], nodes["outputs"])
    w = np.zeros((len(nodes["outputs"]), len(nodes["inputs"])))
    first_in, first_out = nodes["inputs"][0].global_id, nodes["outputs"][0].global_id
    for s, t, weight in zip(c.get("source"), c.get("target"), c.get("weight")):
        w[t - first_out, s - first_in] = weight
    return w


def nest_task(seed, n_outputs=3, n_inputs=20, mean=600.0):
    rng = np.random.default_rng(seed)
    return rng.integers(2, N_STEPS // 2, n_inputs), rng.normal(mean, 0.5 * mean, (n_outputs, n_inputs))


def simulate_trials(nest, weights, steps, labels, readout_params, record=False):
    from chiplearn import eventprop

    nodes = nest_network(nest, weights, readout_params)
    eventprop.set_trials(nest, nodes, 0, TRIAL, [input_times(steps)] * len(labels), labels)
    recorder = None
    if record:
        recorder = nest.Create("multimeter", {"interval": H, "record_from": ["V_m", "I_syn"]})
        nest.Connect(recorder, nodes["outputs"])
    nest.Simulate(len(labels) * TRIAL + 2 * H)  # the loss of the last trial is known one step after its end
    return nodes, recorder


@pytest.mark.parametrize("params", [READOUT_PARAMS, LEAKY_PARAMS], ids=["lif", "leaky"])
def test_nest_forward_pass_is_the_core_and_iaf_psc_exp(nest_kernel, params):
    """The readout's membrane equals iaf_psc_exp's (E_L = V_reset = 0, t_ref = 0) driven by the same spikes up to
    its first spike (then it resets at the crossing, iaf_psc_exp at the step's end), and the core's run_trial
    over the whole trial; its first spike time and maximum are the core's."""
    nest = nest_kernel
    steps, weights = nest_task(5)
    nodes, recorder = simulate_trials(nest, weights, steps, [0], params, record=True)
    spiking = params.get("neuron_model", "lif") == "lif"
    ours = recorder.events
    ids = [n.global_id for n in nodes["outputs"]]
    statuses = nodes["outputs"].get(["first_spike_time", "v_max", "t_max"])
    nest.ResetKernel()
    import chiplearn
    chiplearn.install()
    nest.set(resolution=H)
    generators = nest.Create("spike_generator", len(steps), [{"spike_times": [t]} for t in input_times(steps)])
    parrots = nest.Create("parrot_neuron", len(steps))
    iaf = nest.Create("iaf_psc_exp", len(weights), {"E_L": 0.0, "V_reset": 0.0, "V_m": 0.0, "t_ref": 0.0,
                                                    "tau_m": params["tau_m"], "tau_syn_ex": params["tau_syn"],
                                                    "tau_syn_in": params["tau_syn"], "C_m": params["C_m"],
                                                    "V_th": V_TH if spiking else 1e9, "I_e": 0.0})
    nest.Connect(generators, parrots, "one_to_one", {"delay": H})
    nest.Connect(parrots, iaf, "all_to_all", {"delay": H, "weight": weights})
    iaf_recorder = nest.Create("multimeter", {"interval": H, "record_from": ["V_m"]})
    nest.Connect(iaf_recorder, iaf)
    nest.Simulate(TRIAL + H)  # the multimeter's last sample, at TRIAL
    theirs = iaf_recorder.events
    model = "lif" if spiking else "leaky"
    for k in range(len(weights)):
        mine = (ours["senders"] == ids[k]) & (ours["times"] <= TRIAL + 1e-9)
        v = ours["V_m"][mine]
        v_iaf = theirs["V_m"][theirs["senders"] == iaf[k].global_id]
        before = len(v) if not spiking else int(np.floor(statuses["first_spike_time"][k] / H))
        assert before > 10
        np.testing.assert_allclose(v[:before], v_iaf[:before], rtol=1e-12, atol=1e-12)
        seen, v_core, _, _ = run(weights[k], steps, model)
        np.testing.assert_allclose(v, v_core, rtol=1e-12, atol=1e-12)
        if spiking:
            assert seen.spiked()
            assert statuses["first_spike_time"][k] == pytest.approx(seen.first_spike_time, abs=1e-12)
        else:
            assert statuses["v_max"][k] == pytest.approx(seen.v_max, rel=1e-12)
            assert statuses["t_max"][k] == pytest.approx(seen.t_max, abs=1e-12)


def applied_gradient(nest, weights, steps, label, params):
    """dL/dw of trial 0 as the synapses applied it: with SGD (batch 1) trial 0's step is taken at each synapse's
    spike in trial 1 (its gradient is taken then, and the step of batch 0 before the spike of batch 1 passes). eta = 1e3 makes the step large against the round-off of weights of
    hundreds of pA (1e-13), which would otherwise limit the gradients of 1e-5 read from it to 1e-8."""
    eta = 1e3
    from chiplearn import eventprop
    nodes = nest_network(nest, weights, params, dict(SGD, eta=eta))
    eventprop.set_trials(nest, nodes, 0, TRIAL, [input_times(steps)] * 2, [label] * 2)
    nest.Simulate(2 * TRIAL)
    return (weights - connection_weights(nest, nodes)) / eta


def nest_loss(nest, weights, steps, label, params):
    """The loss of one trial, from the outputs' first spike times (or maxima) reported by NEST."""
    nest.ResetKernel()
    import chiplearn
    chiplearn.install()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nodes, _ = simulate_trials(nest, weights, steps, [label], params)
    status = nodes["outputs"].get(["first_spike_time", "v_max", "t_max", "trial_loss"])
    if params.get("loss", "first_spike_cross_entropy") == "first_spike_cross_entropy":
        times = np.where(np.isnan(status["first_spike_time"]), TRIAL, status["first_spike_time"])
        value = ref.first_spike_loss(times, label, **FIRST_SPIKE)[0]
    else:
        value = ref.max_voltage_loss(status["v_max"], label)[0]
    assert status["trial_loss"][label] == pytest.approx(value, rel=1e-12)  # the target output's own loss
    return value, status


@pytest.mark.parametrize("params", [READOUT_PARAMS, LEAKY_PARAMS], ids=["first_spike", "max_voltage"])
def test_nest_gradient_is_the_finite_difference_of_the_nest_loss(nest_kernel, params):
    """The gradient the synapses apply equals the central difference of the loss re-simulated in NEST with the
    weight moved by +-eps (eps = 1e-2 pA of weights of hundreds of pA; no spike appears or disappears and the
    first spikes and maxima stay in their steps, checked). Tolerance 1e-6 relative: the central difference's
    truncation error is O(eps^2) relative, its round-off 1e-16 / 1e-2 of a loss of order 1."""
    nest = nest_kernel
    # leaky outputs: weights of a few pA keep the maxima within a few mV of each other, so that the softmax
    # is not saturated and the gradients are not ~0
    steps, weights = nest_task(6, mean=600.0 if "neuron_model" not in params else 4.0)
    label = 1
    gradient = applied_gradient(nest, weights, steps, label, params)
    assert np.abs(gradient).max() > 1e-5
    _, base = nest_loss(nest, weights, steps, label, params)
    eps = 1e-2
    rng = np.random.default_rng(0)
    for k in range(weights.shape[0]):
        for j in rng.choice(weights.shape[1], 4, replace=False):
            moved = []
            for sign in (+1, -1):
                w = weights.copy()
                w[k, j] += sign * eps
                value, status = nest_loss(nest, w, steps, label, params)
                key = "first_spike_time" if "neuron_model" not in params else "t_max"
                np.testing.assert_array_equal(np.floor(np.asarray(status[key]) / H), np.floor(np.asarray(base[key]) / H))
                moved.append(value)
            fd = (moved[0] - moved[1]) / (2 * eps)
            assert gradient[k, j] == pytest.approx(fd, rel=1e-6, abs=1e-12)


def test_nest_gradient_is_the_reference_on_the_recorded_forward_pass(nest_kernel):
    """The reference's direct gradient from NEST's recorded first spike times and synaptic currents (the slope at
    the crossing from the recorded I_syn of the step before it) equals the applied gradient to 1e-9."""
    nest = nest_kernel
    steps, weights = nest_task(7)
    label = 2
    gradient = applied_gradient(nest, weights, steps, label, READOUT_PARAMS)
    nest.ResetKernel()
    import chiplearn
    chiplearn.install()
    nodes, recorder = simulate_trials(nest, weights, steps, [label], READOUT_PARAMS, record=True)
    times = np.array(nodes["outputs"].get("first_spike_time"))
    _, dl_dt, _ = ref.first_spike_loss(times, label, **FIRST_SPIKE)
    ev = recorder.events
    arrivals = (np.asarray(steps) + 1) * H
    for k, t in enumerate(times):
        mine = ev["senders"] == nodes["outputs"][k].global_id
        step = int(np.floor(t / H))  # the crossing lies in (step h, (step + 1) h]
        i_before = ev["I_syn"][mine][np.argmin(np.abs(ev["times"][mine] - step * H))]
        i_at = i_before * np.exp(-(t - step * H) / MEMBRANE["tau_s"])
        slope = MEMBRANE["tau_m"] * i_at / MEMBRANE["C_m"] - V_TH
        for j, a in enumerate(arrivals):
            expected = ref.direct_gradient_first_spike(dl_dt[k], t, slope, [a], slope_floor=SLOPE_FLOOR, **MEMBRANE)
            assert gradient[k, j] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_nest_silent_target_learns_to_answer(nest_kernel):
    """A target output that never spikes gets a phantom spike at the trial end: its weights grow until it spikes."""
    nest = nest_kernel
    steps, weights = nest_task(8)
    weights[0] = 5.0
    optimizer = dict(SGD, eta=2e5)
    from chiplearn import eventprop
    nodes = nest_network(nest, weights, READOUT_PARAMS, optimizer)
    n = 12
    eventprop.set_trials(nest, nodes, 0, TRIAL, [input_times(steps)] * n, [0] * n)
    nest.Simulate(n * TRIAL + 2 * H)
    assert not np.isnan(nodes["outputs"][0].get("first_spike_time"))
    assert (connection_weights(nest, nodes)[0] > weights[0]).all()


def test_nest_silent_target_phantom_scales_and_the_others_take_nothing(nest_kernel):
    """The gradient a silent target's synapses apply scales with phantom_spike_scale (0: none); the outputs that
    spiked in its place apply none."""
    nest = nest_kernel
    steps, weights = nest_task(8)
    weights[0] = 5.0  # output 0, the target, stays silent
    gradients = {}
    for scale in (1.0, 0.25, 0.0):
        nest.ResetKernel()
        import chiplearn
        chiplearn.install()
        gradients[scale] = applied_gradient(nest, weights, steps, 0, dict(READOUT_PARAMS, phantom_spike_scale=scale))
    assert (gradients[1.0][0] < 0).all()
    np.testing.assert_allclose(gradients[0.25][0], 0.25 * gradients[1.0][0], rtol=1e-6)
    assert (gradients[0.0][0] == 0).all()
    nest.ResetKernel()
    chiplearn.install()
    outputs_that_spiked = applied_gradient(nest, weights, steps, 1, READOUT_PARAMS)[1:]  # target 1, which spikes
    assert (np.abs(outputs_that_spiked) > 0).any(axis=1).all()
    for scale in gradients:
        assert (gradients[scale][1:] == 0).all()


def train(nest, threads):
    from chiplearn import eventprop
    steps, weights = nest_task(9)
    nodes = nest_network(nest, weights, READOUT_PARAMS, {"type": "adam", "eta": 5.0, "batch_size": 2,
                                                        "Wmin": -1e4, "Wmax": 1e4}, threads=threads)
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 8)
    trials = [input_times(rng.integers(2, N_STEPS // 2, len(steps))) for _ in labels]
    eventprop.set_trials(nest, nodes, 0, TRIAL, trials, labels)
    nest.Simulate(len(labels) * TRIAL + 2 * H)
    return connection_weights(nest, nodes), weights


def test_nest_weights_are_the_same_with_one_and_two_threads(nest_kernel):
    nest = nest_kernel
    one, initial = train(nest, 1)
    nest.ResetKernel()
    import chiplearn
    chiplearn.install()
    two, _ = train(nest, 2)
    assert not np.allclose(one, initial)
    np.testing.assert_array_equal(one, two)
