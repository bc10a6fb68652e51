"""Every parameter's bad values are refused with a BadProperty naming the parameter and its allowed range,
and leave the neuron as it was."""

import math

import pytest

NAN, INF = math.nan, math.inf

MEMBRANE = {
    "C_m": ([0.0, -1.0, NAN, INF], "0 < C_m < inf pF"),
    "E_L": ([NAN, INF, -INF], "a finite number"),
    "I_e": ([NAN, INF], "a finite number"),
    "tau_m": ([0.0, -5.0, NAN, INF], "0 < tau_m < inf ms"),
    "V_m": ([NAN, INF], "a finite number"),
}
SPIKING = {
    "t_ref": ([-0.1, NAN, INF], "0 <= t_ref < inf ms"),
    "V_th": ([NAN, INF], "a finite number"),
}
BAD_VALUES = {
    "eprop_iaf_chiplearn": {**MEMBRANE, **SPIKING},
    "eprop_iaf_adapt_chiplearn": {
        **MEMBRANE,
        **SPIKING,
        "adapt_beta": ([-0.5, NAN, INF], "0 <= adapt_beta < inf mV"),
        "adapt_tau": ([0.0, -1.0, NAN, INF], "0 < adapt_tau < inf ms"),
        "adaptation": ([-1.0, NAN], "0 <= adaptation < inf"),
    },
    "eprop_readout_chiplearn": dict(MEMBRANE),
}
CASES = [(model, name, value, allowed)
         for model, table in BAD_VALUES.items()
         for name, (values, allowed) in table.items()
         for value in values]


@pytest.mark.parametrize("model, name, value, allowed", CASES, ids=[f"{m}-{n}-{v}" for m, n, v, _ in CASES])
def test_bad_value_is_refused(nest_kernel, model, name, value, allowed):
    nest = nest_kernel
    neuron = nest.Create(model)
    before = neuron.get()
    with pytest.raises(nest.NESTErrors.BadProperty) as error:
        neuron.set({name: value})
    message = str(error.value)
    assert f"{model}: {name} = " in message
    assert f"allowed: {allowed}" in message
    assert neuron.get() == before


@pytest.mark.parametrize("model", ["eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn"])
def test_threshold_below_lower_bound_is_refused(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model)
    with pytest.raises(nest.NESTErrors.BadProperty, match="V_th = -80 mV is out of range; allowed: V_th >= V_min"):
        neuron.set({"V_min": -75.0, "V_th": -80.0})
    with pytest.raises(nest.NESTErrors.BadProperty, match="allowed: V_th >= V_min"):
        neuron.set({"V_min": -50.0})
    assert neuron.get("V_th") == -55.0


@pytest.mark.parametrize("model", sorted(BAD_VALUES))
def test_bad_lower_bound_is_refused(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model)
    for value in (NAN, INF):
        with pytest.raises(nest.NESTErrors.BadProperty, match="V_min = .* is out of range; allowed: -inf <= V_min"):
            neuron.set({"V_min": value})
    neuron.set({"V_min": -INF})  # no bound is allowed
    assert neuron.get("V_min") == -INF


@pytest.mark.parametrize("model", sorted(BAD_VALUES))
def test_unknown_parameter_and_wrong_type_are_nest_errors(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model)
    with pytest.raises(nest.NESTError, match="tau_mem"):
        neuron.set({"tau_mem": 5.0})
    with pytest.raises(nest.NESTError):
        neuron.set({"tau_m": "fast"})
    assert neuron.get("tau_m") == 10.0


def test_good_values_at_the_edges_are_accepted(nest_kernel):
    nest = nest_kernel
    neuron = nest.Create("eprop_iaf_adapt_chiplearn")
    neuron.set({"t_ref": 0.0, "adapt_beta": 0.0, "tau_m": 60000.0, "adapt_tau": 1e6, "V_min": -55.0})
    assert neuron.get(["t_ref", "tau_m", "V_min", "V_th"]) == {"t_ref": 0.0, "tau_m": 60000.0, "V_min": -55.0, "V_th": -55.0}
