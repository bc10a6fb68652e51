"""The parts of the core shared by every learning rule, through chiplearn._core (the code the NEST models
run): the weight grid, the readouts' losses and the optimizers' parameter checks, each against an
independent numpy formulation."""

import numpy as np
import pytest

from chiplearn import _core


def test_continuous_grid_clips_to_the_range():
    grid = _core.WeightGrid(Wmin=-0.5, Wmax=2.0)
    for w in (-3.0, -0.5, 0.1234567, 2.0, 7.5):
        assert grid.level(w) == min(max(w, -0.5), 2.0)


def test_nearest_level_is_the_closest_grid_value():
    rng = np.random.default_rng(0)
    grid = _core.WeightGrid(Wmin=-1.0, Wmax=1.5, step=0.125)
    levels = -1.0 + 0.125 * np.arange(21)  # -1.0 ... 1.5
    for w in rng.uniform(-2.0, 2.5, 2000):
        closest = levels[np.argmin(np.abs(levels - w))]
        assert grid.level(w) == closest


@pytest.mark.parametrize("rounding", [_core.Rounding.nearest, _core.Rounding.stochastic])
def test_a_range_that_is_no_whole_number_of_steps_clips_to_its_highest_level(rounding):
    # levels -1.0, -0.7, ..., 0.8: Wmax = 1.0 lies 0.2 above the last one and is no level
    grid = _core.WeightGrid(Wmin=-1.0, Wmax=1.0, step=0.3, rounding=rounding)
    levels = -1.0 + 0.3 * np.arange(7)
    rng = np.random.default_rng(2)
    for w, u in zip(rng.uniform(-2.0, 3.0, 2000), rng.random(2000)):
        value = grid.level(w, u)
        assert np.min(np.abs(levels - value)) < 1e-12, (w, u, value)
    assert grid.level(5.0, 0.99) == pytest.approx(0.8, abs=1e-12)
    assert grid.level(0.95, 0.0) == pytest.approx(0.8, abs=1e-12)  # nearer to 1.1, which is out of range


def test_stochastic_rounding_goes_up_with_the_fraction_and_keeps_the_mean():
    rng = np.random.default_rng(1)
    grid = _core.WeightGrid(Wmin=-1.0, Wmax=1.0, step=0.25, rounding=_core.Rounding.stochastic)
    w = 0.3  # between the levels 0.25 and 0.5, a fifth of the way up
    draws = rng.random(100_000)
    levels = np.array([grid.level(w, u) for u in draws])
    assert set(np.unique(levels)) == {0.25, 0.5}
    np.testing.assert_array_equal(levels == 0.5, draws >= 0.8)
    assert abs(levels.mean() - w) < 4 * 0.25 * np.sqrt(0.2 * 0.8 / draws.size)


def test_grid_checks_name_the_setting():
    with pytest.raises(ValueError, match=r"optimizer Wmax = -3 is out of range; allowed: Wmax >= Wmin \(0\)"):
        _core.WeightGrid(Wmin=0.0, Wmax=-3.0).check("optimizer ")
    with pytest.raises(ValueError, match="weight_step = -0.1 is out of range"):
        _core.WeightGrid(step=-0.1).check()
    with pytest.raises(ValueError, match=r"weight_step = 3 is out of range; allowed: weight_step <= Wmax - Wmin \(2\)"):
        _core.WeightGrid(Wmin=-1.0, Wmax=1.0, step=3.0).check()
    _core.WeightGrid(Wmin=-1.0, Wmax=1.0, step=2.0).check()  # a grid of the two ends


@pytest.mark.parametrize("V_m", [[0.3, -1.2], [5.0, 4.0, -2.0, 0.0], [-30.0, -31.5]])
def test_cross_entropy_readout_signals_are_the_softmax(V_m):
    V_m = np.array(V_m)
    softmax = np.exp(V_m - V_m.max()) / np.exp(V_m - V_m.max()).sum()
    np.testing.assert_allclose(_core.readout_signals("cross_entropy", V_m), softmax, rtol=1e-14)


def test_mean_squared_error_readout_signal_is_the_membrane():
    V_m = np.array([0.7, -3.25, 12.0])
    np.testing.assert_array_equal(_core.readout_signals("mean_squared_error", V_m), V_m)
    assert _core.error_signal(0.75, 1.0) == -0.25
    assert _core.LOSSES == ["mean_squared_error", "cross_entropy"]
    with pytest.raises(ValueError, match='loss = "hinge" is unknown; allowed: mean_squared_error, cross_entropy'):
        _core.readout_signals("hinge", V_m)


@pytest.mark.parametrize("setting, value, message", [
    ("batch_size", 0, "optimizer batch_size = 0 is out of range; allowed: batch_size >= 1"),
    ("beta_1", 1.0, "optimizer beta_1 = 1 is out of range; allowed: 0 <= beta_1 < 1"),
    ("beta_2", -0.1, "optimizer beta_2 = -0.1 is out of range; allowed: 0 <= beta_2 < 1"),
    ("epsilon", float("nan"), "optimizer epsilon = nan is out of range"),
])
def test_optimizer_checks_name_the_setting(setting, value, message):
    parameters = _core.OptimizerParameters()
    parameters.check()
    setattr(parameters, setting, value)
    with pytest.raises(ValueError, match=message):
        parameters.check()
