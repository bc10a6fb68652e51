"""chiplearn's e-prop models beside NEST's own eprop_*_bsshslm_2020 models, for comparisons (tests and
benchmarks): the same network in either family, in the kernel that is currently set up."""

import numpy as np

FAMILIES = {
    "chiplearn": {
        "lif": "eprop_iaf_chiplearn",
        "alif": "eprop_iaf_adapt_chiplearn",
        "readout": "eprop_readout_chiplearn",
        "synapse": "eprop_synapse_chiplearn",
        "feedback": "eprop_learning_signal_connection_chiplearn",
    },
    "nest": {
        "lif": "eprop_iaf_bsshslm_2020",
        "alif": "eprop_iaf_adapt_bsshslm_2020",
        "readout": "eprop_readout_bsshslm_2020",
        "synapse": "eprop_synapse_bsshslm_2020",
        "feedback": "eprop_learning_signal_connection_bsshslm_2020",
    },
}


def build(nest, family, n_in, rec_groups, n_out, readout_params, weights, optimizer, average_gradient,
          record_readouts=True):
    """One e-prop network of `family` ("chiplearn" or "nest") with parrot inputs fed by spike generators,
    recurrent groups (a list of (kind, count, params), kind "lif" or "alif"), readouts and rate generators
    for the targets. weights: in_rec, rec_rec, rec_out (post x pre) and out_rec (feedback, rec x out).
    Returns a dict of the node collections, the readouts' multimeter (recording readout and target signals
    every step if record_readouts) and the synapse model."""
    names = FAMILIES[family]
    tau_m_readout = readout_params["tau_m"]
    generators = nest.Create("spike_generator", n_in)
    inputs = nest.Create("parrot_neuron", n_in)
    recurrent = None
    for kind, count, params in rec_groups:
        params = dict(params)
        if family == "chiplearn":
            params["tau_m_readout"] = tau_m_readout
        group = nest.Create(names[kind], count, params)
        recurrent = group if recurrent is None else recurrent + group
    readouts = nest.Create(names["readout"], n_out, readout_params)
    targets = nest.Create("step_rate_generator", n_out)
    recorded = ["readout_signal", "target_signal"] if record_readouts else []
    multimeter = nest.Create("multimeter", {"interval": 1.0, "record_from": recorded})

    nest.SetDefaults(names["synapse"], {"optimizer": optimizer, "average_gradient": average_gradient})
    synapse = {"synapse_model": names["synapse"], "delay": 1.0}
    if family == "nest":
        synapse["tau_m_readout"] = tau_m_readout
    all_to_all = {"rule": "all_to_all", "allow_autapses": False}
    nest.Connect(generators, inputs, "one_to_one", {"synapse_model": "static_synapse", "delay": 1.0})
    nest.Connect(inputs, recurrent, all_to_all, {**synapse, "weight": weights["in_rec"]})
    nest.Connect(recurrent, recurrent, all_to_all, {**synapse, "weight": weights["rec_rec"]})
    nest.Connect(recurrent, readouts, all_to_all, {**synapse, "weight": weights["rec_out"]})
    nest.Connect(readouts, recurrent, all_to_all,
                 {"synapse_model": names["feedback"], "delay": 1.0, "weight": weights["out_rec"]})
    nest.Connect(targets, readouts, "one_to_one",
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2})
    if readout_params["loss"] == "cross_entropy":
        nest.Connect(readouts, readouts, all_to_all,
                     {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 1, "weight": 1.0})
    nest.Connect(multimeter, readouts)
    return {"generators": generators, "inputs": inputs, "recurrent": recurrent, "readouts": readouts,
            "targets": targets, "multimeter": multimeter, "synapse": names["synapse"]}
