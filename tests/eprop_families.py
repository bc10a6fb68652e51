"""chiplearn's e-prop models beside NEST's own eprop_*_bsshslm_2020 models, for comparisons (tests and the
training benchmark): the same network in either family, wired by chiplearn.eprop.build_eprop_network in
the kernel that is currently set up."""

from chiplearn.eprop import RecurrentGroup, build_eprop_network

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
    """One e-prop network of `family` ("chiplearn" or "nest"): recurrent groups as a list of (kind, count,
    params) with kind "lif" or "alif"; weights in_rec, rec_rec, rec_out (post x pre) and out_rec (feedback,
    rec x out). The readouts' time constant filters the eligibility traces: chiplearn's neurons take it as
    tau_m_readout, NEST's synapses. Returns the node collections, the readouts' multimeter (recording readout
    and target signals every step if record_readouts) and the synapse model."""
    names = FAMILIES[family]
    tau_m_readout = readout_params["tau_m"]
    groups = [RecurrentGroup(names[kind], count,
                             {**params, "tau_m_readout": tau_m_readout} if family == "chiplearn" else dict(params))
              for kind, count, params in rec_groups]
    nodes = build_eprop_network(nest, names, n_in, groups, n_out, readout_params,
                                {**weights, "feedback": weights["out_rec"]}, optimizer, average_gradient,
                                synapse_params={"tau_m_readout": tau_m_readout} if family == "nest" else None)
    recorded = ["readout_signal", "target_signal"] if record_readouts else []
    multimeter = nest.Create("multimeter", {"interval": 1.0, "record_from": recorded})
    nest.Connect(multimeter, nodes["readouts"])
    return {**nodes, "multimeter": multimeter, "synapse": names["synapse"]}
