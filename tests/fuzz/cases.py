"""Seeded generation of fuzz cases: short programs of NEST calls on chiplearn's models (and a few of NEST's,
as neighbours) with values drawn from typical ranges, edges, non-finite numbers, wrong types, unknown keys
and NEST's e-prop names. A case is a JSON-serializable list of operations; the same (seed, index) always
gives the same case, which is its reproducer."""

import numpy as np

CHIPLEARN_NEURONS = ("eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn", "eprop_readout_chiplearn", "ebn_iaf_chiplearn",
                     "eventprop_readout_chiplearn", "eventprop_iaf_chiplearn", "reckon_chip_chiplearn")
OTHER_NODES = ("parrot_neuron", "iaf_psc_delta", "eprop_readout_bsshslm_2020", "eprop_iaf_bsshslm_2020")
SYNAPSE = "eprop_synapse_chiplearn"
EBN_SYNAPSE = "ebn_synapse_chiplearn"
EVENTPROP_SYNAPSE = "eventprop_synapse_chiplearn"
EVENTPROP_FEEDBACK = "eventprop_feedback_connection_chiplearn"
# the module's connection models with a status of their own (learning weights), checked after refusals and runs
LEARNING_CONNECTIONS = (SYNAPSE, EBN_SYNAPSE, EVENTPROP_SYNAPSE, EVENTPROP_FEEDBACK)
CONNECTIONS = (SYNAPSE, EBN_SYNAPSE, EVENTPROP_SYNAPSE, EVENTPROP_FEEDBACK, "eprop_learning_signal_connection_chiplearn",
               "rate_connection_delayed", "static_synapse", "eprop_synapse_bsshslm_2020",
               "eprop_learning_signal_connection_bsshslm_2020")

# typical values per parameter: (low, high) for floats, a tuple of choices otherwise
TYPICAL = {
    "C_m": (0.5, 500.0), "E_L": (-80.0, 10.0), "I_e": (-50.0, 800.0), "tau_m": (1.0, 3000.0), "V_min": (-200.0, -60.0),
    "V_th": (-60.0, 20.0), "t_ref": (0.0, 10.0), "regular_spike_arrival": (True, False), "c_reg": (0.0, 300.0),
    "f_target": (0.0, 50.0), "tau_m_readout": (1.0, 100.0), "surrogate_gradient_height": (0.01, 2.0),
    "surrogate_gradient_width": (0.1, 5.0), "V_m": (-80.0, 0.0), "adapt_beta": (0.0, 5.0), "adapt_tau": (1.0, 3000.0),
    "adaptation": (0.0, 3.0), "surrogate_gradient_function": ("piecewise_linear", "exponential",
                                                              "fast_sigmoid_derivative", "arctan_derivative"),
    "loss": ("mean_squared_error", "cross_entropy", "first_spike_cross_entropy", "max_voltage_cross_entropy"), "weight": (-5.0, 5.0), "delay": (1.0,), "adam_m": (-1.0, 1.0),
    "adam_v": (0.0, 1.0), "adam_steps": (0, 1, 10), "average_gradient": (True, False), "apply_held_gradient": (True,),
    "tau_syn": (0.1, 20.0), "V_reset": (-80.0, 0.0), "noise_std": (0.0, 5.0), "I_syn": (-50.0, 50.0),
    "step_gain": (0.1, 3.0), "learning": (True, False), "learning_rule": ("discrete", "continuous"),
    "granularity": (0.1, 5.0), "margin": (0.0, 1.0), "omega_per_weight": (0.01, 0.1), "eta": (0.0, 0.01),
    "reset_step": (0.0, 0.5), "Wmin": (-100.0, -1.0), "Wmax": (1.0, 100.0),
    "neuron_model": ("lif", "leaky"), "tau_0": (0.1, 5.0), "tau_1": (1.0, 20.0), "alpha": (0.0, 0.01),
    "phantom_spike_scale": (0.0, 2.0), "silent_lift": (0.0, 5.0), "silent_lift_after": (1, 32),
    "slope_floor": (0.01, 5.0), "forward_synapse_model": (EVENTPROP_SYNAPSE, "static_synapse", SYNAPSE),
    # ReckOn's registers (integers) and sample settings
    "kappa": (0x60, 0x79, 0x80, 255), "num_rec_neur": (99, 31, 15), "do_eprop": (0, 3, 7), "sample_ticks": (50, 2250),
    "target_start": (0, 30, 2100), "inference_start": (-1, 10, 2100), "labels": ([0, 1], [1, -1, 0]),
    "threshold": (614, 100, -5), "thr_h": ([205, 205, 205, 205], [-100, 0, 50, 300]), "seed_inp": (0xF0F0, 1),
    "w_out": ([3] * 200, [-128] * 200), "en_stoch_round": (0, 1), "rst_mode": (0, 1),
}
OPTIMIZER_TYPICAL = {"type": ("gradient_descent", "adam"), "eta": (0.0, 0.05), "batch_size": (1, 2, 4),
                     "Wmin": (-100.0, -1.0), "Wmax": (1.0, 100.0), "beta_1": (0.0, 0.99), "beta_2": (0.9, 0.9999),
                     "epsilon": (1e-9, 1e-3), "weight_step": (0.0, 0.05, 0.5, 2.0, 250.0),
                     "rounding": ("nearest", "stochastic")}
NEURON_KEYS = ("C_m", "E_L", "I_e", "tau_m", "V_min", "V_th", "t_ref", "regular_spike_arrival", "c_reg", "f_target",
               "tau_m_readout", "surrogate_gradient_function", "surrogate_gradient_height", "surrogate_gradient_width",
               "V_m")
KEYS = {
    "eprop_iaf_chiplearn": NEURON_KEYS,
    "eprop_iaf_adapt_chiplearn": NEURON_KEYS + ("adapt_beta", "adapt_tau", "adaptation"),
    "eprop_readout_chiplearn": ("C_m", "E_L", "I_e", "tau_m", "V_min", "regular_spike_arrival", "loss", "V_m"),
    "ebn_iaf_chiplearn": ("C_m", "E_L", "I_e", "tau_m", "tau_syn", "V_th", "V_reset", "V_min", "t_ref", "noise_std",
                          "V_m", "I_syn"),
    "eventprop_readout_chiplearn": ("C_m", "tau_m", "tau_syn", "V_th", "neuron_model", "loss", "tau_0", "tau_1", "alpha",
                                    "phantom_spike_scale", "slope_floor", "V_m", "I_syn"),
    "eventprop_iaf_chiplearn": ("C_m", "tau_m", "tau_syn", "V_th", "slope_floor", "silent_lift", "silent_lift_after",
                                "V_m", "I_syn"),
    "reckon_chip_chiplearn": ("kappa", "num_rec_neur", "do_eprop", "sample_ticks", "target_start", "inference_start",
                              "labels", "threshold", "thr_h", "seed_inp", "w_out", "en_stoch_round", "rst_mode"),
}
CONNECTION_KEYS = ("weight", "delay", "adam_m", "adam_v", "adam_steps", "apply_held_gradient", "step_gain")
EBN_SYNAPSE_KEYS = ("learning", "learning_rule", "granularity", "margin", "omega_per_weight", "eta", "reset_step",
                    "Wmin", "Wmax", "weight", "step_gain", "delay")
# NEST's e-prop names and plain mistakes
FOREIGN_KEYS = ("tau_mem", "kappa", "kappa_reg", "flush_event_send_interval", "eprop_isi_trace_cutoff", "m", "v",
                "optimize_each_step", "learning_rate", "recordables", "global_id", "tau_m_readout", "optimizer")
SPECIAL = [0.0, -0.0, 5e-324, 1e-300, -1.0, -1e300, 1e300, 1e308, float("inf"), float("-inf"), float("nan"),
           2**62, -(2**62), 0, -1, True, "x", [1.0, 2.0], {}]


def _value(rng, key, typical):
    if rng.random() < 0.35:
        return SPECIAL[rng.integers(len(SPECIAL))]
    choices = typical.get(key, (0.0, 1.0))
    if len(choices) == 2 and all(isinstance(c, float) for c in choices):
        return float(rng.uniform(*choices))
    return choices[rng.integers(len(choices))]


def _params(rng, keys, typical, n_max=3):
    params = {}
    for _ in range(rng.integers(1, n_max + 1)):
        key = keys[rng.integers(len(keys))] if rng.random() < 0.85 else FOREIGN_KEYS[rng.integers(len(FOREIGN_KEYS))]
        params[key] = _value(rng, key, typical)
    return params


def _optimizer(rng):
    return _params(rng, tuple(OPTIMIZER_TYPICAL), OPTIMIZER_TYPICAL)


def _synapse_defaults(rng):
    if rng.random() < 0.3:
        return EBN_SYNAPSE, _params(rng, EBN_SYNAPSE_KEYS, TYPICAL)
    if rng.random() < 0.1:
        return EVENTPROP_FEEDBACK, _params(rng, ("forward_synapse_model", "weight", "delay", "adam_m"), TYPICAL, 2)
    if rng.random() < 0.15:
        return EVENTPROP_SYNAPSE, {"optimizer": _optimizer(rng)} if rng.random() < 0.7 else _params(rng, ("weight", "delay"), TYPICAL, 2)
    params = {}
    if rng.random() < 0.7:
        params["optimizer"] = _optimizer(rng)
    if rng.random() < 0.5:
        params.update(_params(rng, ("average_gradient", "weight", "delay"), TYPICAL, 2))
    return SYNAPSE, params


def make_case(seed, index):
    """The case (seed, index): a list of operations, each a dict with "op" and its arguments."""
    rng = np.random.default_rng([seed, index])
    ops = []
    kernel = {"resolution": 1.0 if rng.random() < 0.9 else 0.1}
    interval = float(rng.choice([20.0, 30.0, 50.0]))
    kernel["eprop_update_interval"] = interval if rng.random() < 0.9 else SPECIAL[rng.integers(len(SPECIAL))]
    kernel["eprop_learning_window"] = float(rng.choice([5.0, 10.0, 20.0]))
    ops.append({"op": "kernel", "params": kernel})
    if rng.random() < 0.3:
        model, params = _synapse_defaults(rng)
        ops.append({"op": "defaults", "model": model, "params": params})
    groups = []
    # NEST's own e-prop models die of a division by zero (SIGFPE) when the update interval is shorter than a step
    # (with none of the module's models in the network); they join only cases with a sound interval
    interval_sound = type(kernel["eprop_update_interval"]) is float and kernel["eprop_update_interval"] >= kernel["resolution"]
    other_nodes = OTHER_NODES if interval_sound else tuple(m for m in OTHER_NODES if not m.endswith("_bsshslm_2020"))
    for _ in range(rng.integers(2, 5)):
        model = CHIPLEARN_NEURONS[rng.integers(len(CHIPLEARN_NEURONS))] if rng.random() < 0.85 else other_nodes[rng.integers(len(other_nodes))]
        params = _params(rng, KEYS[model], TYPICAL) if model in KEYS and rng.random() < 0.5 else {}
        if model in KEYS and rng.random() < 0.4:
            ops.append({"op": "defaults", "model": model, "params": _params(rng, KEYS[model], TYPICAL)})
        if model in KEYS and rng.random() < 0.15:
            new = f"{model}_copy{len(ops)}"
            ops.append({"op": "copy", "model": model, "new": new, "params": _params(rng, KEYS[model], TYPICAL)})
            model = new
        ops.append({"op": "create", "model": model, "n": int(rng.integers(1, 4)), "params": params})
        groups.append(model)
    ops.append({"op": "create", "model": "spike_generator", "n": 1,
                "params": {"spike_times": sorted({float(t) for t in rng.integers(1, 60, 8)})}})
    groups.append("spike_generator")
    n_groups = len(groups)
    for _ in range(rng.integers(2, 7)):
        pre, post = int(rng.integers(n_groups)), int(rng.integers(n_groups - 1))
        if rng.random() < 0.3:
            pre = n_groups - 1  # the generator drives the network
        syn = {"synapse_model": CONNECTIONS[rng.integers(len(CONNECTIONS))], "delay": 1.0}
        if syn["synapse_model"] == "rate_connection_delayed":
            syn["receptor_type"] = int(rng.choice([1, 2, 0, 7]))
        elif rng.random() < 0.2:
            syn["receptor_type"] = int(rng.choice([0, 1, 2]))
        if rng.random() < 0.6:
            syn.update(_params(rng, CONNECTION_KEYS, TYPICAL, 2))
        ops.append({"op": "connect", "pre": pre, "post": post, "syn": syn})
    for _ in range(rng.integers(0, 4)):
        choice = rng.random()
        if choice < 0.4:
            group = int(rng.integers(n_groups - 1))
            keys = KEYS.get(groups[group].split("_copy")[0], ("V_m",))
            ops.append({"op": "set", "node": group, "params": _params(rng, keys, TYPICAL)})
        elif choice < 0.7:
            ops.append({"op": "conn_set", "params": _params(rng, CONNECTION_KEYS, TYPICAL, 2)})
        else:
            model, params = _synapse_defaults(rng)
            ops.append({"op": "defaults", "model": model, "params": params})
    ops.append({"op": "simulate", "t": float(rng.choice([30.0, 65.0, 120.0]))})
    return ops
