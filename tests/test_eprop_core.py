"""The learning arithmetic of the core (chiplearn._core, the code the NEST synapse runs) against the numpy
forward-trace oracle (tests/reference/eprop.py): spike-driven gradients equal the forward computation,
surrogate gradients and optimizers agree."""

import numpy as np
import pytest

from chiplearn import _core
from reference import eprop as oracle


def random_interval(rng, n_steps):
    v = rng.normal(0.0, 1.0, n_steps)
    psi = np.array([oracle.surrogate_gradient("piecewise_linear", x, 0.5, 0.3, 1.0) for x in v])
    L = np.where(rng.random(n_steps) < 0.3, rng.normal(0.0, 1.0, n_steps), 0.0)  # sparse, like a learning window
    spikes = np.sort(rng.choice(n_steps, size=25, replace=False))
    return psi, L, spikes


def one_interval_gradient(history, record_step, n_steps, spikes):
    """A synapse's gradient as the NEST models take it: the neuron records one interval (record_step(step)),
    the synapse acquires it and notes its spikes, the neuron seals it, the synapse takes its gradient."""
    history.acquire(0)
    for step in range(n_steps):
        record_step(step)
        if step in spikes:
            history.note_spike(0, step)
    history.seal(0)
    return history.take_gradient(0, spikes)


def recurrent_gradient(history, psi, L, reg, spikes):
    """one_interval_gradient of a recurrent neuron with pseudo-derivative psi, learning signal L and
    regularization reg; the learning signal arrives after its step, as from the readouts."""
    def record_step(step):
        history.record(step, surrogate_gradient=psi[step])
        history.add_learning_signal(step, L[step])
        if step == len(psi) - 1:
            history.set_firing_rate_regularization(0, reg)
    return one_interval_gradient(history, record_step, len(psi), spikes)


@pytest.mark.parametrize("adaptive", [False, True])
@pytest.mark.parametrize("regular_spike_arrival", [True, False])
def test_spike_driven_gradient_equals_forward_traces(adaptive, regular_spike_arrival):
    rng = np.random.default_rng(42)
    n_steps = 2000
    P_v = np.exp(-1.0 / 20.0)
    P_z = 1.0 if regular_spike_arrival else 1.0 - P_v
    kappa = np.exp(-1.0 / 20.0)
    beta, P_adapt = (1.7, np.exp(-1.0 / 2000.0)) if adaptive else (0.0, 0.0)
    params = _core.EligibilityParameters(P_v=P_v, P_z=P_z, kappa=kappa, adapt_beta=beta, P_adapt=P_adapt)
    for trial in range(5):
        psi, L, spikes = random_interval(rng, n_steps)
        reg = rng.normal(0.0, 0.01)
        history = _core.RecurrentHistory(n_steps, 0, params)
        spike_driven = recurrent_gradient(history, psi, L, reg, spikes)
        forward = oracle.forward_recurrent_gradient(spikes, psi, L, reg, P_v=P_v, P_z=P_z, kappa=kappa,
                                                    adapt_beta=beta, P_adapt=P_adapt)
        assert abs(forward) > 1e-3
        assert spike_driven == pytest.approx(forward, rel=1e-12)


def test_spike_driven_readout_gradient_equals_forward_traces():
    rng = np.random.default_rng(1)
    error = rng.normal(0.0, 1.0, 1500)
    spikes = np.sort(rng.choice(1500, size=40, replace=False))
    P_v = np.exp(-1.0 / 20.0)
    history = _core.ReadoutHistory(1500, 0, P_v, 1.0)
    assert one_interval_gradient(history, lambda step: history.record(step, error[step]), 1500, spikes) == pytest.approx(
        oracle.forward_readout_gradient(spikes, error, P_v=P_v, P_z=1.0), rel=1e-12)


def test_a_gradient_needs_noted_spikes_inside_the_interval():
    history = _core.ReadoutHistory(10, 0, 0.9, 1.0)
    history.acquire(0)
    for step in (10, -1):
        with pytest.raises(RuntimeError, match=f"step {step} of interval 0"):
            history.note_spike(0, step)
    history.note_spike(0, 3)
    for step in range(10):
        history.record(step, 1.0)
    history.seal(0)
    with pytest.raises(RuntimeError, match="step 4 of interval 0"):
        history.take_gradient(0, np.array([4]))


def test_an_interval_held_by_a_silent_synapse_keeps_only_the_values_it_is_owed():
    """Synapse A spikes in interval 0 only, synapse B in every interval: A's gradient of interval 0, taken five
    intervals later, is the forward-trace gradient and the value taken right after the seal, and meanwhile
    interval 0 costs one value per spike of A (against a twin history without A)."""
    rng = np.random.default_rng(7)
    n_steps, n_intervals = 200, 6
    P_v, kappa = np.exp(-1.0 / 20.0), np.exp(-1.0 / 30.0)
    params = _core.EligibilityParameters(P_v=P_v, P_z=1.0, kappa=kappa, adapt_beta=0.5, P_adapt=np.exp(-1.0 / 500.0))
    psi, L, regs, spikes_b = [], [], rng.normal(0.0, 0.01, n_intervals), []
    for _ in range(n_intervals):
        interval_psi, interval_L, interval_spikes = random_interval(rng, n_steps)
        psi.append(interval_psi)
        L.append(interval_L)
        spikes_b.append(interval_spikes)
    spikes_a = np.array([5, 17, 64, 130, 199])

    def run(with_a):
        history = _core.RecurrentHistory(n_steps, 0, params)
        history.acquire(0)
        if with_a:
            history.acquire(0)
        for interval in range(n_intervals):
            history.forget_unused(interval)
            if interval > 0:
                history.take_gradient(interval - 1, spikes_b[interval - 1])
                history.acquire(interval)
            for step in range(n_steps):
                history.record(interval * n_steps + step, surrogate_gradient=psi[interval][step],
                               learning_signal=L[interval][step])
                if step in spikes_b[interval]:
                    history.note_spike(interval, step)
                if interval == 0 and with_a and step in spikes_a:
                    history.note_spike(0, step)
            history.set_firing_rate_regularization(interval, regs[interval])
            history.seal(interval)
        return history

    twin_without_a = run(False)
    history = run(True)
    assert history.stored_values - twin_without_a.stored_values == len(spikes_a)
    forward = oracle.forward_recurrent_gradient(spikes_a, psi[0], L[0], regs[0], P_v=P_v, P_z=1.0, kappa=kappa,
                                                adapt_beta=0.5, P_adapt=np.exp(-1.0 / 500.0))
    late = history.take_gradient(0, spikes_a)
    assert late == pytest.approx(forward, rel=1e-12)
    right_after_seal = _core.RecurrentHistory(n_steps, 0, params)
    assert recurrent_gradient(right_after_seal, psi[0], L[0], regs[0], spikes_a) == late
    history.forget_unused(n_intervals)
    assert history.size == 1  # interval 0 is forgotten once A took its gradient; B holds the last


@pytest.mark.parametrize("shape", ["piecewise_linear", "exponential", "fast_sigmoid_derivative", "arctan_derivative"])
def test_surrogate_gradients(shape):
    assert shape in _core.SURROGATE_SHAPES
    for v in np.linspace(-3.0, 3.0, 61):
        assert _core.surrogate_gradient(shape, False, v, 0.6, 0.3, 0.8) == pytest.approx(
            oracle.surrogate_gradient(shape, v, 0.6, 0.3, 0.8), rel=1e-15, abs=1e-300)
        assert _core.surrogate_gradient(shape, True, v, 0.6, 0.3, 0.8) == 0.0
    assert _core.surrogate_gradient(shape, False, 0.6, 0.6, 0.3, 0.8) == pytest.approx(0.3)  # height at threshold


def test_unknown_surrogate_shape_lists_the_known_ones():
    with pytest.raises(ValueError, match="piecewise_linear, exponential, fast_sigmoid_derivative, arctan_derivative"):
        _core.surrogate_gradient("sigmoid", False, 0.0, 0.0, 1.0, 1.0)


@pytest.mark.parametrize("kind", ["gradient_descent", "adam"])
@pytest.mark.parametrize("batch_size", [1, 3])
def test_optimizer_matches_oracle(kind, batch_size):
    rng = np.random.default_rng(7)
    params = _core.OptimizerParameters()
    params.type = getattr(_core.OptimizerType, kind)
    params.batch_size = batch_size
    grid = _core.WeightGrid(Wmin=-0.8, Wmax=1.5)
    # a validation phase (eta 0) from batch 5 to 8, then a lower learning rate
    eta_by_batch = {-(10**18): 0.05, 5: 0.0, 9: 0.02}
    for first_batch, eta in eta_by_batch.items():
        params.set_eta(max(first_batch, -(2**62)), eta)
    assert params.eta == 0.02
    state = _core.OptimizerState()
    reference = oracle.Optimizer(kind, eta=0.05, batch_size=batch_size, Wmin=-0.8, Wmax=1.5, eta_by_batch=eta_by_batch)
    w_core = w_ref = 0.2
    # intervals with gaps, as for a synapse whose presynaptic neuron is silent in some intervals
    intervals = np.cumsum(rng.integers(1, 4, size=60))
    frozen_calls = 0
    for interval in intervals:
        gradient = rng.normal(0.0, 1.0)
        before = (state.batch, state.adam_steps, state.m, w_core)
        w_core = _core.optimized_weight(state, params, grid, int(interval), gradient, w_core)
        w_ref = reference.step(int(interval), gradient, w_ref)
        assert w_core == pytest.approx(w_ref, rel=1e-13, abs=1e-15)
        if 5 <= before[0] and interval // batch_size <= 9:  # closes only validation batches
            assert (state.adam_steps, state.m, w_core) == before[1:]
            frozen_calls += 1
    assert frozen_calls > 0
    assert w_core != 0.2
    assert -0.8 <= w_core <= 1.5
