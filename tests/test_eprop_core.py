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
        kernel = _core.recurrent_spike_kernel(psi, L, reg, params)
        spike_driven = _core.gradient_from_spikes(kernel, spikes)
        forward = oracle.forward_recurrent_gradient(spikes, psi, L, reg, P_v=P_v, P_z=P_z, kappa=kappa,
                                                    adapt_beta=beta, P_adapt=P_adapt)
        assert abs(forward) > 1e-3
        assert spike_driven == pytest.approx(forward, rel=1e-12)


def test_spike_driven_readout_gradient_equals_forward_traces():
    rng = np.random.default_rng(1)
    error = rng.normal(0.0, 1.0, 1500)
    spikes = np.sort(rng.choice(1500, size=40, replace=False))
    P_v = np.exp(-1.0 / 20.0)
    kernel = _core.readout_spike_kernel(error, P_v, 1.0)
    assert _core.gradient_from_spikes(kernel, spikes) == pytest.approx(
        oracle.forward_readout_gradient(spikes, error, P_v=P_v, P_z=1.0), rel=1e-12)


def test_gradient_from_spikes_rejects_steps_outside_the_interval():
    with pytest.raises(IndexError):
        _core.gradient_from_spikes(np.zeros(10), np.array([3, 10]))


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
    params.batch_size, params.Wmin, params.Wmax = batch_size, -0.8, 1.5
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
        w_core = _core.optimized_weight(state, params, int(interval), gradient, w_core)
        w_ref = reference.step(int(interval), gradient, w_ref)
        assert w_core == pytest.approx(w_ref, rel=1e-13, abs=1e-15)
        if 5 <= before[0] and interval // batch_size <= 9:  # closes only validation batches
            assert (state.adam_steps, state.m, w_core) == before[1:]
            frozen_calls += 1
    assert frozen_calls > 0
    assert w_core != 0.2
    assert -0.8 <= w_core <= 1.5
