"""EventProp with a hidden layer in NEST: eventprop_iaf_chiplearn driven by eventprop_readout_chiplearn outputs
over eventprop_feedback_connection_chiplearn. Oracles: the central difference of the loss re-simulated in NEST,
and the independent numpy forward pass and closed-form adjoint of tests/reference/eventprop.py on the recorded
forward pass."""

import numpy as np
import pytest

from tests.reference import eventprop as ref

H = 0.1
TRIAL = 30.0
MEMBRANE = dict(tau_m=20.0, tau_s=5.0, C_m=250.0)
V_TH = 15.0
SLOPE_FLOOR = 1.5
FIRST_SPIKE = dict(tau_0=0.5, tau_1=6.4, alpha=3e-3)
HIDDEN_PARAMS = dict(tau_m=MEMBRANE["tau_m"], tau_syn=MEMBRANE["tau_s"], C_m=MEMBRANE["C_m"], V_th=V_TH,
                     slope_floor=SLOPE_FLOOR)
READOUT_PARAMS = dict(HIDDEN_PARAMS, **FIRST_SPIKE)
SGD = {"type": "gradient_descent", "eta": 1e3, "batch_size": 1, "Wmin": -1e5, "Wmax": 1e5}
N_IN, N_HIDDEN, N_OUT = 6, 4, 3
LABEL = 1


def task(seed=3):
    """Input steps (one spike per input, from 1 ms on: later than the hidden layer's feedback lag) and weights
    under which every hidden neuron fires several times and every output once or more."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(10, 80, N_IN)
    return steps, rng.normal(1600.0, 300.0, (N_HIDDEN, N_IN)), rng.normal(900.0, 200.0, (N_OUT, N_HIDDEN))


def network(nest, w_in, w_out, optimizer=SGD, threads=1, hidden_params=HIDDEN_PARAMS):
    from chiplearn import eventprop

    nest.set(resolution=H, eprop_update_interval=TRIAL, local_num_threads=threads)
    return eventprop.build_hidden_network(nest, N_IN, N_HIDDEN, N_OUT, hidden_params, READOUT_PARAMS, w_in, w_out,
                                          optimizer)


def fresh(nest):
    import chiplearn
    nest.ResetKernel()
    chiplearn.install()
    nest.verbosity = nest.VerbosityLevel.ERROR


def run(nest, w_in, w_out, steps, n_trials, optimizer=SGD, threads=1, labels=None, trials=None,
        hidden_params=HIDDEN_PARAMS):
    from chiplearn import eventprop

    fresh(nest)
    nodes = network(nest, w_in, w_out, optimizer, threads, hidden_params)
    labels = [LABEL] * n_trials if labels is None else labels
    trials = [(np.asarray(steps) - 1) * H] * n_trials if trials is None else trials
    eventprop.set_trials(nest, nodes, 0, TRIAL, trials, labels)
    nest.Simulate(n_trials * TRIAL + 1.0)  # the feedback of the last trial is in a few steps after its end
    return nodes


def weights(nest, nodes):
    from chiplearn import eventprop
    return (eventprop.weight_matrix(nest, nodes["inputs"], nodes["hidden"]),
            eventprop.weight_matrix(nest, nodes["hidden"], nodes["outputs"]),
            eventprop.weight_matrix(nest, nodes["outputs"], nodes["hidden"], eventprop.FEEDBACK).T)


def applied_gradients(nest, w_in, w_out, steps, hidden_params=HIDDEN_PARAMS):
    """dL/dw of trial 0 as the synapses applied it (SGD, batch 1: the step of trial 0 is taken before each
    synapse's first spike of trial 1 passes); eta = 1e3 lifts the step above the weights' round-off."""
    nodes = run(nest, w_in, w_out, steps, 2, hidden_params=hidden_params)
    new_in, new_out, reverse = weights(nest, nodes)
    np.testing.assert_array_equal(new_out, reverse)
    return (w_in - new_in) / SGD["eta"], (w_out - new_out) / SGD["eta"]


def trial_of(nest, w_in, w_out, steps, hidden_params=HIDDEN_PARAMS, n_trials=1):
    """The loss of the last of n_trials identical trials and what NEST reports of it."""
    nodes = run(nest, w_in, w_out, steps, n_trials, hidden_params=hidden_params)
    out = nodes["outputs"].get(["first_spike_time", "trial_loss"])
    hidden = nodes["hidden"].get(["spike_times", "slopes", "errors", "adjoint_jumps", "trial", "v_max",
                                  "silent_trials"])
    return out["trial_loss"][LABEL], out, hidden


def test_finite_differences_of_the_nest_loss(nest_kernel):
    """The applied gradients of input -> hidden and hidden -> output weights equal the central differences of the
    loss re-simulated in NEST (eps = 1e-2 pA of weights of ~1000 pA; no spike appears or disappears and every
    spike stays in its step, checked), with hidden neurons firing several times. Tolerance 1e-5 relative: the
    difference's truncation error is O(eps^2), its round-off 1e-16 / 1e-2 of a loss of order 1; the crossing
    times are exact to ~1e-15 ms."""
    nest = nest_kernel
    steps, w_in, w_out = task()
    g_in, g_out = applied_gradients(nest, w_in, w_out, steps)
    _, base_out, base_hidden = trial_of(nest, w_in, w_out, steps)
    counts = [len(t) for t in base_hidden["spike_times"]]
    assert min(counts) >= 2, counts
    assert not np.isnan(base_out["first_spike_time"]).any()
    assert np.abs(g_in).max() > 1e-7 and np.abs(g_out).max() > 1e-7
    eps = 1e-2
    rng = np.random.default_rng(0)
    cases = [("in", j, i) for j, i in zip(rng.integers(0, N_HIDDEN, 5), rng.integers(0, N_IN, 5))]
    cases += [("out", k, j) for k, j in zip(rng.integers(0, N_OUT, 4), rng.integers(0, N_HIDDEN, 4))]
    for layer, a, b in cases:
        moved = []
        for sign in (+1, -1):
            wi, wo = w_in.copy(), w_out.copy()
            (wi if layer == "in" else wo)[a, b] += sign * eps
            loss, out, hidden = trial_of(nest, wi, wo, steps)
            for t, t0 in zip(hidden["spike_times"], base_hidden["spike_times"]):
                np.testing.assert_array_equal(np.floor(np.asarray(t) / H), np.floor(np.asarray(t0) / H))
            np.testing.assert_array_equal(np.floor(np.asarray(out["first_spike_time"]) / H),
                                          np.floor(np.asarray(base_out["first_spike_time"]) / H))
            moved.append(loss)
        fd = (moved[0] - moved[1]) / (2 * eps)
        applied = (g_in if layer == "in" else g_out)[a, b]
        assert applied == pytest.approx(fd, rel=1e-5, abs=1e-12), (layer, a, b)


def silent_task():
    """task() with hidden neuron 0's input weights scaled down so that it stays silent, its potential above rest."""
    steps, w_in, w_out = task()
    w_in[0] *= 0.1
    return steps, w_in, w_out


LIFT = 0.5  # [1/mV]


def test_a_silent_neuron_is_lifted_by_the_exact_gradient_of_its_regulariser(nest_kernel):
    """With silent_lift c, a trial in which hidden neuron 0 stays silent adds c (V_th - v_max) to the loss, v_max
    the largest V at a step end: NEST's v_max is the numpy reference's, and the applied gradients of the silent
    neuron's input weights equal the central differences of the output's loss plus the regulariser, re-simulated
    in NEST (tolerance as in the test above; the maximum stays at its step, checked). Without the lift the
    silent neuron's weights get no gradient, and the other neurons' gradients are the same either way."""
    nest = nest_kernel
    steps, w_in, w_out = silent_task()
    lifted = dict(HIDDEN_PARAMS, silent_lift=LIFT)
    g_in, g_out = applied_gradients(nest, w_in, w_out, steps, lifted)
    plain_in, plain_out = applied_gradients(nest, w_in, w_out, steps)
    np.testing.assert_array_equal(plain_in[0], 0.0)
    np.testing.assert_array_equal(g_in[1:], plain_in[1:])
    np.testing.assert_array_equal(g_out, plain_out)
    assert (g_in[0] < 0).all()  # descending the regulariser raises the input weights

    _, out, hidden = trial_of(nest, w_in, w_out, steps, lifted)
    assert len(hidden["spike_times"][0]) == 0 and min(len(t) for t in hidden["spike_times"][1:]) >= 2
    n_steps = int(round(TRIAL / H))
    v = ref.forward(w_in[0], steps, h=H, n_steps=n_steps, V_th=V_TH, spiking=True, **MEMBRANE)["v"]
    assert 0 < v.max() < V_TH
    assert hidden["v_max"][0] == pytest.approx(v.max(), rel=1e-12)
    np.testing.assert_allclose(hidden["adjoint_jumps"][0], [LIFT / MEMBRANE["tau_m"]], rtol=1e-15)
    t_max = int(np.argmax(v))

    eps = 1e-2
    for i in range(N_IN):
        moved = []
        for sign in (+1, -1):
            wi = w_in.copy()
            wi[0, i] += sign * eps
            loss, _, moved_hidden = trial_of(nest, wi, w_out, steps, lifted)
            moved_v = ref.forward(wi[0], steps, h=H, n_steps=n_steps, V_th=V_TH, spiking=True, **MEMBRANE)["v"]
            assert int(np.argmax(moved_v)) == t_max and len(moved_hidden["spike_times"][0]) == 0
            moved.append(loss + LIFT * (V_TH - moved_hidden["v_max"][0]))
        fd = (moved[0] - moved[1]) / (2 * eps)
        assert g_in[0, i] == pytest.approx(fd, rel=1e-5, abs=1e-12), i


def test_the_lift_waits_for_silent_lift_after_trials_in_a_row(nest_kernel):
    """silent_trials counts the finished trials in a row without a spike (0 for a neuron that fires); the lift's
    jump appears from the silent_lift_after-th of them on."""
    nest = nest_kernel
    steps, w_in, w_out = silent_task()
    lifted = dict(HIDDEN_PARAMS, silent_lift=LIFT, silent_lift_after=3)
    for n_trials, jump in ((2, []), (3, [LIFT / MEMBRANE["tau_m"]]), (4, [LIFT / MEMBRANE["tau_m"]])):
        _, _, hidden = trial_of(nest, w_in, w_out, steps, lifted, n_trials)
        assert hidden["silent_trials"] == (n_trials, 0, 0, 0)
        np.testing.assert_allclose(hidden["adjoint_jumps"][0], jump, rtol=1e-15)


def kappa(d):
    """lambda_I at a time d before a unit jump of lambda_V (closed form of the reverse-time equations)."""
    tm, ts = MEMBRANE["tau_m"], MEMBRANE["tau_s"]
    return np.where(d > 0, tm / (tm - ts) * (np.exp(-d / tm) - np.exp(-d / ts)), 0.0)


def test_gradients_are_the_reference_adjoint_on_the_recorded_forward_pass(nest_kernel):
    """The numpy reference re-runs the forward pass from the recorded inputs (off-grid arrivals for the outputs)
    and matches NEST's spike times; the adjoint written from the equations in closed form (the outputs' jumps, the
    errors sum_k w' (lambda_V - lambda_I) at each hidden spike's arrival, the hidden jumps chained backwards) gives
    the errors, jumps and both layers' gradients NEST applied, to 1e-9."""
    nest = nest_kernel
    steps, w_in, w_out = task()
    g_in, g_out = applied_gradients(nest, w_in, w_out, steps)
    _, out, hidden = trial_of(nest, w_in, w_out, steps)
    tm, ts, C = MEMBRANE["tau_m"], MEMBRANE["tau_s"], MEMBRANE["C_m"]
    n_steps = int(round(TRIAL / H))
    arrivals_in = (np.asarray(steps) + 1) * H  # generator -> parrot -> hidden: jumps at the end of the step
    hidden_times, hidden_slopes = [], []
    for j in range(N_HIDDEN):
        r = ref.forward(w_in[j], steps, h=H, n_steps=n_steps, V_th=V_TH, spiking=True, **MEMBRANE)
        np.testing.assert_allclose(r["spike_times"], hidden["spike_times"][j], rtol=0, atol=1e-9)
        hidden_times.append(r["spike_times"])
        hidden_slopes.append(r["slopes"])
    first, slopes = np.zeros(N_OUT), np.zeros(N_OUT)
    for k in range(N_OUT):
        times = np.concatenate([t + H for t in hidden_times])
        ws = np.concatenate([np.full(len(t), w_out[k, j]) for j, t in enumerate(hidden_times)])
        r = ref.forward(ws, None, h=H, n_steps=n_steps, V_th=V_TH, spiking=True, arrival_times=times, **MEMBRANE)
        assert r["first_spike_time"] == pytest.approx(out["first_spike_time"][k], abs=1e-9)
        first[k], slopes[k] = r["first_spike_time"], r["slope"]
    _, dl_dt, _ = ref.first_spike_loss(first, LABEL, **FIRST_SPIKE)
    a = dl_dt / np.maximum(slopes, SLOPE_FLOOR)  # the outputs' jumps of lambda_V at their first spikes
    grad_out = np.zeros_like(w_out)
    for k in range(N_OUT):
        for j in range(N_HIDDEN):
            grad_out[k, j] = -ts * tm / C * np.sum(a[k] * kappa(first[k] - (hidden_times[j] + H)))
    np.testing.assert_allclose(g_out, grad_out, rtol=1e-9, atol=1e-15)
    grad_in = np.zeros_like(w_in)
    for j in range(N_HIDDEN):
        t = hidden_times[j]
        arrive = t + H
        errors = np.zeros(len(t))
        for k in range(N_OUT):
            d = first[k] - arrive
            lam_v = np.where(d > 0, a[k] * np.exp(-d / tm), 0.0)
            errors += w_out[k, j] * tm / C * (lam_v - a[k] * kappa(d))
        jumps = np.zeros(len(t))
        for s in reversed(range(len(t))):
            lam_after = np.sum(jumps[s + 1:] * np.exp(-(t[s + 1:] - t[s]) / tm))
            jumps[s] = (V_TH * lam_after + errors[s]) / max(hidden_slopes[j][s], SLOPE_FLOOR)
        np.testing.assert_allclose(hidden["errors"][j], errors, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(hidden["adjoint_jumps"][j], jumps, rtol=1e-9, atol=1e-15)
        for i in range(N_IN):
            grad_in[j, i] = -ts * tm / C * np.sum(jumps * kappa(t - arrivals_in[i]))
    np.testing.assert_allclose(g_in, grad_in, rtol=1e-9, atol=1e-15)


def train(nest, threads):
    steps, w_in, w_out = task()
    rng = np.random.default_rng(1)
    labels = rng.integers(0, N_OUT, 8)
    trials = [(rng.integers(10, 80, N_IN) - 1) * H for _ in labels]
    nodes = run(nest, w_in, w_out, steps, len(labels), {"type": "adam", "eta": 20.0, "batch_size": 2,
                                                        "Wmin": -1e4, "Wmax": 1e4},
                threads=threads, labels=labels, trials=trials)
    return weights(nest, nodes), (w_in, w_out)


def test_weights_are_the_same_with_one_and_two_threads_and_the_feedback_holds_the_forward_weights(nest_kernel):
    nest = nest_kernel
    (in_1, out_1, reverse_1), (w_in, w_out) = train(nest, 1)
    (in_2, out_2, reverse_2), _ = train(nest, 2)
    assert not np.allclose(in_1, w_in) and not np.allclose(out_1, w_out)
    np.testing.assert_array_equal(in_1, in_2)
    np.testing.assert_array_equal(out_1, out_2)
    np.testing.assert_array_equal(out_1, reverse_1)
    np.testing.assert_array_equal(out_2, reverse_2)


def test_feedback_connections_are_checked(nest_kernel):
    nest = nest_kernel
    hidden, readout = nest.Create("eventprop_iaf_chiplearn"), nest.Create("eventprop_readout_chiplearn")
    iaf = nest.Create("iaf_psc_exp")
    feedback = {"synapse_model": "eventprop_feedback_connection_chiplearn", "delay": H}
    for source, target in [(hidden, readout), (iaf, hidden), (readout, iaf)]:
        with pytest.raises(nest.NESTErrors.IllegalConnection, match="connects an eventprop_readout_chiplearn to an "
                                                                    "eventprop_iaf_chiplearn"):
            nest.Connect(source, target, syn_spec=feedback)
    with pytest.raises(nest.NESTErrors.BadProperty, match='forward_synapse_model = "static_synapse" is not an '
                                                          'eventprop_synapse_chiplearn model'):
        nest.SetDefaults("eventprop_feedback_connection_chiplearn", {"forward_synapse_model": "static_synapse"})
    with pytest.raises(nest.NESTErrors.BadProperty, match="weight = inf"):
        nest.Connect(readout, hidden, syn_spec=dict(feedback, weight=np.inf))
    nest.Connect(readout, hidden, syn_spec=dict(feedback, weight=2.0))
    assert nest.GetConnections(readout, hidden).get("weight") == 2.0


def test_the_hidden_neuron_takes_the_outputs_adjoints_only_over_the_feedback_connection(nest_kernel):
    """Another connection of learning signals would deliver the outputs' messages as events, which the hidden
    neuron does not take (found by the fuzz suite: NEST's own connection was accepted and the simulation failed)."""
    nest = nest_kernel
    hidden, readout = nest.Create("eventprop_iaf_chiplearn"), nest.Create("eventprop_readout_chiplearn")
    for model in ("eprop_learning_signal_connection_bsshslm_2020", "eprop_learning_signal_connection_chiplearn"):
        with pytest.raises(nest.NESTErrors.IllegalConnection):
            nest.Connect(readout, hidden, syn_spec={"synapse_model": model, "delay": H})
    nest.SetDefaults("eventprop_feedback_connection_chiplearn", {"receptor_type": 1})
    with pytest.raises(nest.NESTErrors.UnknownReceptorType):
        nest.Connect(readout, hidden, syn_spec={"synapse_model": "eventprop_feedback_connection_chiplearn", "delay": H})
    nest.SetDefaults("eventprop_feedback_connection_chiplearn", {"receptor_type": 0})
    assert len(nest.GetConnections(readout, hidden)) == 0
    nest.Connect(readout, hidden, syn_spec={"synapse_model": "eventprop_feedback_connection_chiplearn", "delay": H})
    assert len(nest.GetConnections(readout, hidden)) == 1


def test_trial_must_hold_the_feedback_message(nest_kernel):
    nest = nest_kernel
    nest.set(resolution=H, eprop_update_interval=0.5)
    nest.Create("eventprop_iaf_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match="eprop_update_interval = 0.5 ms is out of range"):
        nest.Simulate(1.0)
