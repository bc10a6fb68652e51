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


def test_membrane_checks_name_the_parameter():
    with pytest.raises(ValueError, match=r"tau_syn = 20 ms is out of range; allowed: tau_syn != tau_m \(20 ms\)"):
        ep.Membrane(tau_m=20.0, tau_s=20.0, C_m=250.0, V_th=15.0).check()
    with pytest.raises(ValueError, match="tau_m = -1 ms is out of range"):
        ep.Membrane(tau_m=-1.0, tau_s=5.0, C_m=250.0, V_th=15.0).check()
    with pytest.raises(ValueError, match='loss = "hinge" is unknown; allowed: first_spike_cross_entropy, max_voltage'):
        ep.output_adjoints("hinge", [], 0, 1.0, membrane(), ep.FirstSpikeLoss(**FIRST_SPIKE), 1.0)
