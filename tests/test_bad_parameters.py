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
LEARNING = {
    "c_reg": ([-1.0, NAN, INF], "0 <= c_reg < inf"),
    "f_target": ([-5.0, NAN, INF], "0 <= f_target < inf Hz"),
    "tau_m_readout": ([0.0, -20.0, NAN, INF], "0 < tau_m_readout < inf ms"),
    "surrogate_gradient_height": ([0.0, -0.3, NAN, INF], "0 < surrogate_gradient_height < inf"),
    "surrogate_gradient_width": ([0.0, -1.0, NAN, INF], "0 < surrogate_gradient_width < inf mV"),
}
BAD_VALUES = {
    "eprop_iaf_chiplearn": {**MEMBRANE, **SPIKING, **LEARNING},
    "eprop_iaf_adapt_chiplearn": {
        **MEMBRANE,
        **SPIKING,
        **LEARNING,
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


@pytest.mark.parametrize("model", ["eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn"])
def test_unknown_surrogate_gradient_is_refused(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model)
    with pytest.raises(nest.NESTErrors.BadProperty, match='surrogate_gradient_function = "sigmoid" is unknown; '
                       "allowed: piecewise_linear, exponential, fast_sigmoid_derivative, arctan_derivative"):
        neuron.set(surrogate_gradient_function="sigmoid")
    assert neuron.get("surrogate_gradient_function") == "piecewise_linear"


def test_unknown_loss_is_refused(nest_kernel):
    nest = nest_kernel
    readout = nest.Create("eprop_readout_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match='loss = "hinge" is unknown; allowed: mean_squared_error, cross_entropy'):
        readout.set(loss="hinge")
    readout.set(loss="cross_entropy")
    assert readout.get("loss") == "cross_entropy"


SYNAPSE_BAD_DEFAULTS = [
    ({"optimizer": {"type": "sgd"}}, 'optimizer type = "sgd" is unknown; allowed: gradient_descent, adam'),
    ({"optimizer": {"eta": -1e-3}}, "optimizer eta = -0.001 is out of range; allowed: 0 <= optimizer eta < inf"),
    ({"optimizer": {"batch_size": 0}}, "optimizer batch_size = 0 is out of range; allowed: batch_size >= 1"),
    ({"optimizer": {"Wmin": 1.0, "Wmax": 0.5}}, "optimizer Wmax = 0.5 is out of range; allowed: Wmax >= Wmin"),
    ({"optimizer": {"beta_1": 1.0}}, "optimizer beta_1 = 1 is out of range; allowed: 0 <= beta_1 < 1"),
    ({"optimizer": {"beta_2": -0.1}}, "optimizer beta_2 = -0.1 is out of range; allowed: 0 <= beta_2 < 1"),
    ({"optimizer": {"epsilon": -1.0}}, "optimizer epsilon = -1 is out of range"),
    ({"optimizer": {"Wmin": NAN}}, "optimizer Wmin = nan is out of range; allowed: a finite number"),
    ({"optimizer": {"weight_step": -0.1}},
     "optimizer weight_step = -0.1 is out of range; allowed: 0 <= optimizer weight_step < inf"),
    ({"optimizer": {"weight_step": NAN}}, "optimizer weight_step = nan is out of range; allowed: 0 <= optimizer weight_step < inf"),
    ({"optimizer": {"weight_step": INF}}, "optimizer weight_step = inf is out of range; allowed: 0 <= optimizer weight_step < inf"),
    ({"optimizer": {"Wmin": -1.0, "Wmax": 1.0, "weight_step": 2.5}},
     r"optimizer weight_step = 2.5 is out of range; allowed: weight_step <= Wmax - Wmin \(2\)"),
    ({"optimizer": {"Wmin": 0.5, "Wmax": 0.5, "weight_step": 0.1}},
     r"optimizer weight_step = 0.1 is out of range; allowed: weight_step <= Wmax - Wmin \(0\)"),
    ({"optimizer": {"rounding": "upwards"}}, 'optimizer rounding = "upwards" is unknown; allowed: nearest, stochastic'),
    ({"optimizer": {"rounding": ""}}, 'optimizer rounding = "" is unknown; allowed: nearest, stochastic'),
]
OPTIMIZED_SYNAPSES = ["eprop_synapse_chiplearn", "eventprop_synapse_chiplearn"]  # the synapses with an optimizer
SYNAPSE_DEFAULT_CASES = [(model, defaults, message) for model in OPTIMIZED_SYNAPSES
                         for defaults, message in SYNAPSE_BAD_DEFAULTS]


@pytest.mark.parametrize("model, defaults, message", SYNAPSE_DEFAULT_CASES,
                         ids=[f"{m}-{d}" for m, d, _ in SYNAPSE_DEFAULT_CASES])
def test_bad_synapse_defaults_are_refused(nest_kernel, model, defaults, message):
    nest = nest_kernel
    before = nest.GetDefaults(model)
    with pytest.raises(nest.NESTErrors.BadProperty, match=f"{model}: {message}"):
        nest.SetDefaults(model, defaults)
    assert nest.GetDefaults(model)["optimizer"] == before["optimizer"]
    with pytest.raises(nest.NESTErrors.BadProperty, match=f"{model}: {message}"):
        nest.CopyModel(model, f"{model}_copy", defaults)


@pytest.mark.parametrize("model", OPTIMIZED_SYNAPSES)
def test_weight_grid_at_its_edges_is_accepted(nest_kernel, model):
    nest = nest_kernel
    edges = [{"weight_step": 0.0, "rounding": "nearest"}, {"Wmin": -1.0, "Wmax": 1.0, "weight_step": 2.0},
             {"Wmin": 0.5, "Wmax": 0.5, "weight_step": 0.0}, {"Wmin": -1.0, "Wmax": 1.0, "weight_step": 5e-324,
                                                              "rounding": "stochastic"}]
    for grid in edges:
        nest.SetDefaults(model, {"weight": 0.5, "optimizer": grid})  # a default weight in every range
        optimizer = nest.GetDefaults(model, "optimizer")
        assert {key: optimizer[key] for key in grid} == grid


def test_bad_synapse_values_are_refused(nest_kernel):
    nest = nest_kernel
    nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"Wmin": -1.0, "Wmax": 1.0}})
    pre, post = nest.Create("parrot_neuron"), nest.Create("eprop_iaf_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match="weight = 2 is out of range; allowed: Wmin <= weight <= Wmax \\(-1 to 1\\)"):
        nest.Connect(pre, post, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "weight": 2.0,
                                          "delay": nest.resolution})
    nest.Connect(pre, post, syn_spec={"synapse_model": "eprop_synapse_chiplearn", "weight": 0.5,
                                      "delay": nest.resolution})
    connection = nest.GetConnections(pre, post)
    with pytest.raises(nest.NESTErrors.BadProperty, match="adam_v = -1 is out of range; allowed: 0 <= adam_v < inf"):
        connection.set(adam_v=-1.0)
    assert connection.get("weight") == 0.5


def test_synapse_needs_one_step_delay_and_a_chiplearn_target(nest_kernel):
    nest = nest_kernel
    pre = nest.Create("parrot_neuron")
    with pytest.raises(nest.NESTErrors.IllegalConnection, match=r"delay must be one simulation step \(0.1 ms\)"):
        nest.Connect(pre, nest.Create("eprop_iaf_chiplearn"),
                     syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": 2.0})
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="connects only to chiplearn's e-prop neurons.*iaf_psc_alpha"):
        nest.Connect(pre, nest.Create("iaf_psc_alpha"),
                     syn_spec={"synapse_model": "eprop_synapse_chiplearn", "delay": nest.resolution})


EVENTPROP_MEMBRANE = {
    "C_m": ([0.0, -1.0, NAN, INF], "0 < C_m < inf pF"),
    "tau_m": ([0.0, -5.0, NAN, INF], "0 < tau_m < inf ms"),
    "tau_syn": ([0.0, -5.0, NAN, INF], "0 < tau_syn < inf ms"),
    "V_th": ([0.0, -1.0, NAN, INF], "0 < V_th < inf mV"),
    "slope_floor": ([0.0, -1.0, NAN, INF], "0 < slope_floor < inf mV"),
    "V_m": ([NAN, INF], "a finite number"),
    "I_syn": ([NAN, INF], "a finite number"),
}
EVENTPROP_BAD_VALUES = {
    "eventprop_readout_chiplearn": {
        **EVENTPROP_MEMBRANE,
        "tau_0": ([0.0, -1.0, NAN, INF], "0 < tau_0 < inf ms"),
        "tau_1": ([0.0, -1.0, NAN, INF], "0 < tau_1 < inf ms"),
        "alpha": ([-1e-3, NAN, INF], "0 <= alpha < inf"),
        "phantom_spike_scale": ([-0.5, NAN, INF], "0 <= phantom_spike_scale < inf"),
    },
    "eventprop_iaf_chiplearn": {
        **EVENTPROP_MEMBRANE,
        "silent_lift": ([-0.5, NAN, INF], "0 <= silent_lift < inf 1/mV"),
        "silent_lift_after": ([0, -3], "silent_lift_after >= 1"),
    },
}
# the settable entries of each model, compared before and after a refusal (its other entries are results)
EVENTPROP_SETTABLE = {
    "eventprop_readout_chiplearn": [*EVENTPROP_BAD_VALUES["eventprop_readout_chiplearn"], "neuron_model", "loss"],
    "eventprop_iaf_chiplearn": list(EVENTPROP_BAD_VALUES["eventprop_iaf_chiplearn"]),
}
EVENTPROP_CASES = [(model, name, value, allowed)
                   for model, table in EVENTPROP_BAD_VALUES.items()
                   for name, (values, allowed) in table.items()
                   for value in values]


@pytest.mark.parametrize("model, name, value, allowed", EVENTPROP_CASES,
                         ids=[f"{m}-{n}-{v}" for m, n, v, _ in EVENTPROP_CASES])
def test_bad_eventprop_value_is_refused(nest_kernel, model, name, value, allowed):
    nest = nest_kernel
    neuron = nest.Create(model)
    before = neuron.get(EVENTPROP_SETTABLE[model])
    with pytest.raises(nest.NESTErrors.BadProperty) as error:
        neuron.set({name: value})
    assert f"{model}: {name} = " in str(error.value)
    assert f"allowed: {allowed}" in str(error.value)
    assert neuron.get(EVENTPROP_SETTABLE[model]) == before


@pytest.mark.parametrize("model", sorted(EVENTPROP_BAD_VALUES))
def test_eventprop_time_constants_must_differ(nest_kernel, model):
    nest = nest_kernel
    neuron = nest.Create(model, params={"tau_m": 20.0})
    with pytest.raises(nest.NESTErrors.BadProperty, match=rf"{model}: tau_syn = 20 ms is out of range; allowed: "
                                                          r"tau_syn != tau_m \(20 ms\)"):
        neuron.set(tau_syn=20.0)
    with pytest.raises(nest.NESTErrors.BadProperty, match=r"tau_syn = 5 ms is out of range; allowed: tau_syn != tau_m \(5 ms\)"):
        neuron.set(tau_m=5.0)
    assert neuron.get(["tau_m", "tau_syn"]) == {"tau_m": 20.0, "tau_syn": 5.0}


def test_eventprop_choices_are_checked(nest_kernel):
    nest = nest_kernel
    neuron = nest.Create("eventprop_readout_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match='loss = "hinge" is unknown; allowed: first_spike_cross_entropy, '
                       "max_voltage_cross_entropy"):
        neuron.set(loss="hinge")
    with pytest.raises(nest.NESTErrors.BadProperty, match='neuron_model = "alif" is unknown; allowed: lif, leaky'):
        neuron.set(neuron_model="alif")
    with pytest.raises(nest.NESTErrors.BadProperty, match='loss = "first_spike_cross_entropy" needs neuron_model = "lif"'):
        neuron.set(neuron_model="leaky")
    neuron.set(neuron_model="leaky", loss="max_voltage_cross_entropy")
    assert neuron.get(["neuron_model", "loss"]) == {"neuron_model": "leaky", "loss": "max_voltage_cross_entropy"}


def test_eventprop_synapse_values_and_target_are_checked(nest_kernel):
    nest = nest_kernel
    nest.SetDefaults("eventprop_synapse_chiplearn", {"optimizer": {"Wmin": -100.0, "Wmax": 100.0}})
    pre, post = nest.Create("parrot_neuron"), nest.Create("eventprop_readout_chiplearn")
    spec = {"synapse_model": "eventprop_synapse_chiplearn", "delay": nest.resolution}
    with pytest.raises(nest.NESTErrors.BadProperty, match=r"weight = 200 pA is out of range; allowed: Wmin <= weight <= Wmax "
                       r"\(-100 to 100 pA\)"):
        nest.Connect(pre, post, syn_spec={**spec, "weight": 200.0})
    with pytest.raises(nest.NESTErrors.IllegalConnection, match="connects only to eventprop_readout_chiplearn and eventprop_iaf_chiplearn, not to iaf_psc_exp"):
        nest.Connect(pre, nest.Create("iaf_psc_exp"), syn_spec={**spec, "weight": 1.0})
    with pytest.raises(nest.NESTErrors.BadProperty, match='optimizer type = "sgd" is unknown'):
        nest.SetDefaults("eventprop_synapse_chiplearn", {"optimizer": {"type": "sgd"}})
    nest.Connect(pre, post, syn_spec={**spec, "weight": 50.0})
    connection = nest.GetConnections(pre, post)
    with pytest.raises(nest.NESTErrors.BadProperty, match="adam_v = -1 is out of range; allowed: 0 <= adam_v < inf"):
        connection.set(adam_v=-1.0)
    assert connection.get("weight") == 50.0


def test_eventprop_loss_time_constants_must_keep_the_loss_finite(nest_kernel):
    nest = nest_kernel
    nest.set(eprop_update_interval=35.0)
    nest.Create("eventprop_readout_chiplearn", params={"tau_0": 1e-300})
    with pytest.raises(nest.NESTErrors.BadProperty, match=r"tau_0 = 1e-300 ms is out of range; allowed: tau_0 >= "
                       r"eprop_update_interval / 700 \(0.05 ms\)"):
        nest.Simulate(1.0)


def test_eventprop_trial_must_hold_the_logit_exchange(nest_kernel):
    nest = nest_kernel
    nest.set(eprop_update_interval=0.1)
    nest.Create("eventprop_readout_chiplearn")
    with pytest.raises(nest.NESTErrors.BadProperty, match="eprop_update_interval = 0.1 ms is out of range; allowed: "
                       r"eprop_update_interval >= 2 min_delay \(0.2 ms\)"):
        nest.Simulate(1.0)


ADAM_STATE = {
    "adam_m": ([NAN, INF], "a finite number"),
    "adam_v": ([-1.0, NAN, INF], "0 <= adam_v < inf"),
    "adam_steps": ([-1], "adam_steps >= 0"),
}
CONNECTION_BAD_VALUES = {
    "eprop_synapse_chiplearn": {**ADAM_STATE, "weight": ([200.0, NAN, -INF], "Wmin <= weight <= Wmax (-100 to 100)")},
    "eventprop_synapse_chiplearn": {**ADAM_STATE, "weight": ([200.0, NAN, INF], "Wmin <= weight <= Wmax (-100 to 100 pA)")},
    "eventprop_feedback_connection_chiplearn": {**ADAM_STATE, "weight": ([NAN, INF, -INF], "a finite number")},
}
CONNECTION_ENDS = {  # a source and a target each model connects
    "eprop_synapse_chiplearn": ("parrot_neuron", "eprop_iaf_chiplearn"),
    "eventprop_synapse_chiplearn": ("parrot_neuron", "eventprop_readout_chiplearn"),
    "eventprop_feedback_connection_chiplearn": ("eventprop_readout_chiplearn", "eventprop_iaf_chiplearn"),
}
CONNECTION_ENTRIES = ["weight", "delay", "adam_m", "adam_v", "adam_steps"]
CONNECTION_CASES = [(model, name, value, allowed)
                    for model, table in CONNECTION_BAD_VALUES.items()
                    for name, (values, allowed) in table.items()
                    for value in values]


def connect(nest, model, **spec):
    pre, post = (nest.Create(end) for end in CONNECTION_ENDS[model])
    nest.Connect(pre, post, syn_spec={"synapse_model": model, "delay": nest.resolution, "weight": 0.5, **spec})
    return nest.GetConnections(pre, post)


@pytest.mark.parametrize("model, name, value, allowed", CONNECTION_CASES,
                         ids=[f"{m}-{n}-{v}" for m, n, v, _ in CONNECTION_CASES])
def test_bad_connection_value_is_refused(nest_kernel, model, name, value, allowed):
    """At SetStatus and at Connect, with the same message; a refused SetStatus changes nothing."""
    nest = nest_kernel
    connection = connect(nest, model)
    before = connection.get(CONNECTION_ENTRIES)
    with pytest.raises(nest.NESTErrors.BadProperty) as error:
        connection.set({name: value})
    assert f"{model}: {name} = " in str(error.value)
    assert f"allowed: {allowed}" in str(error.value)
    assert connection.get(CONNECTION_ENTRIES) == before
    if name == "weight" and math.isnan(value):
        return  # NEST's Connect reads a NaN weight as "the model's default weight" (also for static_synapse)
    with pytest.raises(nest.NESTErrors.BadProperty) as error:
        connect(nest, model, **{name: value})
    assert f"{model}: {name} = " in str(error.value) and f"allowed: {allowed}" in str(error.value)


@pytest.mark.parametrize("model", sorted(CONNECTION_BAD_VALUES))
def test_unknown_connection_entry_is_refused_with_the_name_to_use(nest_kernel, model):
    nest = nest_kernel
    connection = connect(nest, model)
    with pytest.raises(nest.NESTErrors.BadProperty, match=f'{model}: synapse property "m" is unknown or read-only; '
                                                          "the Adam state of a synapse is adam_m"):
        connection.set({"weight": 0.25, "adam_v": 1.0, "m": 1.0})
    assert connection.get(["weight", "adam_v"]) == {"weight": 0.5, "adam_v": 0.0}


RECEPTOR_ENDS = {  # a source and a target of every connection model of the module, with the spec it needs
    "eprop_synapse_chiplearn": ("eprop_iaf_chiplearn", "eprop_iaf_chiplearn", {"weight": 1.0}),
    "eventprop_synapse_chiplearn": ("parrot_neuron", "eventprop_iaf_chiplearn", {"weight": 1.0}),
    "eventprop_feedback_connection_chiplearn": ("eventprop_readout_chiplearn", "eventprop_iaf_chiplearn", {"weight": 1.0}),
    "ebn_synapse_chiplearn": ("ebn_iaf_chiplearn", "ebn_iaf_chiplearn", {"weight": 0.0}),
    "eprop_learning_signal_connection_chiplearn": ("eprop_readout_chiplearn", "eprop_iaf_chiplearn", {"weight": 1.0}),
}


def connect_with_receptor(nest, model, receptor_type, **spec):
    source, target, model_spec = RECEPTOR_ENDS[model]
    pre, post = nest.Create(source), nest.Create(target)
    nest.Connect(pre, post, syn_spec={"synapse_model": model, "delay": nest.resolution, **model_spec,
                                      "receptor_type": receptor_type, **spec})
    return pre, post


@pytest.mark.parametrize("model", sorted(RECEPTOR_ENDS))
def test_receptor_type_is_read_as_nest_reads_it(nest_kernel, model):
    """receptor_type 0 (the default port, as PyNEST users spell it) connects; a port the target does not have
    gives NEST's own error for it, the one static_synapse gets from the same target; on an existing connection
    receptor_type is not settable, as for NEST's own synapses; a misspelt key is still refused."""
    nest = nest_kernel
    pre, post = connect_with_receptor(nest, model, 0)
    assert len(nest.GetConnections(pre, post, synapse_model=model)) == 1

    target = RECEPTOR_ENDS[model][1]
    with pytest.raises(nest.NESTErrors.UnknownReceptorType) as nest_error:
        nest.Connect(nest.Create("parrot_neuron"), nest.Create(target),
                     syn_spec={"synapse_model": "static_synapse", "receptor_type": 1})
    with pytest.raises(nest.NESTErrors.UnknownReceptorType) as error:
        connect_with_receptor(nest, model, 1)
    assert str(error.value) == str(nest_error.value) == f"Receptor type 1 is not available in {target}."

    nest.Connect(nest.Create("parrot_neuron"), nest.Create(target), syn_spec={"synapse_model": "static_synapse"})
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry, match="receptor_type") as nest_error:
        nest.GetConnections(synapse_model="static_synapse").set(receptor_type=0)
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry, match="receptor_type") as error:
        nest.GetConnections(pre, post, synapse_model=model).set(receptor_type=0)

    # a misspelt key: NEST's Connect hands a connection only the keys of its model's defaults
    with pytest.raises(nest.NESTErrors.UnaccessedDictionaryEntry, match="receptor_typ"):
        connect_with_receptor(nest, model, 0, receptor_typ=0)
    if model != "eprop_learning_signal_connection_chiplearn":  # the others check their keys themselves
        with pytest.raises(nest.NESTErrors.BadProperty, match=f'{model}: synapse property "receptor_typ" is unknown'):
            nest.GetConnections(pre, post, synapse_model=model).set(receptor_typ=0)


@pytest.mark.parametrize("weight", [INF, -INF, NAN])
def test_ebn_weight_must_be_finite(nest_kernel, weight):
    """Also within the default range [Wmin, Wmax] step_gain = [-inf, inf] (found by the fuzz suite: an infinite
    weight from a neuron that never spiked was accepted and stayed)."""
    nest = nest_kernel
    pre, post = nest.Create("ebn_iaf_chiplearn"), nest.Create("ebn_iaf_chiplearn")
    spec = {"synapse_model": "ebn_synapse_chiplearn", "delay": nest.resolution}
    message = f"ebn_synapse_chiplearn: weight = {weight} pA is out of range; allowed: a finite number"
    if not math.isnan(weight):  # NEST's Connect reads a NaN weight as the model's default weight
        with pytest.raises(nest.NESTErrors.BadProperty, match=message):
            nest.Connect(pre, post, syn_spec={**spec, "weight": weight})
    nest.Connect(pre, post, syn_spec={**spec, "weight": 2.0})
    connection = nest.GetConnections(pre, post)
    with pytest.raises(nest.NESTErrors.BadProperty, match=message):
        connection.set(weight=weight)
    assert connection.get("weight") == 2.0
