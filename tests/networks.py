"""Small networks of chiplearn's models shared by the tests that compare threads and MPI ranks."""

import numpy as np


def eprop_neuron_network(nest, rng):
    """The three e-prop neurons in one recurrent network, static synapses, 20 spike generators (resolution
    1 ms, 600 ms of input). Returns (recurrent neurons, ALIF neurons, readouts)."""
    n_in, n_lif, n_alif, n_out = 20, 30, 30, 3
    inputs = nest.Create("spike_generator", n_in)
    for generator in inputs:
        generator.spike_times = np.sort(rng.choice(np.arange(1, 500), size=40, replace=False)).astype(float).tolist()
    lif = nest.Create("eprop_iaf_chiplearn", n_lif, params={"tau_m": 20.0, "I_e": 50.0})
    alif = nest.Create("eprop_iaf_adapt_chiplearn", n_alif, params={"tau_m": 20.0, "adapt_beta": 1.5,
                                                                    "adapt_tau": 200.0})
    recurrent = lif + alif
    readouts = nest.Create("eprop_readout_chiplearn", n_out, params={"tau_m": 20.0})
    n_rec = n_lif + n_alif
    nest.Connect(inputs, recurrent, "all_to_all", {"weight": rng.normal(4.0, 3.0, (n_rec, n_in)), "delay": 1.0})
    w_rec = rng.normal(0.0, 3.0, (n_rec, n_rec))
    np.fill_diagonal(w_rec, 0.0)
    nest.Connect(recurrent, recurrent, "all_to_all", {"weight": w_rec, "delay": 1.0})
    nest.Connect(recurrent, readouts, "all_to_all", {"weight": rng.normal(0.0, 1.0, (n_out, n_rec)), "delay": 1.0})
    return recurrent, alif, readouts
