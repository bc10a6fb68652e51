"""A recurrent network of the three chiplearn neurons gives identical spikes and recordings with 1 and
with 2 threads (NEST distributes the neurons over threads; the module must not depend on which).

Membrane potentials agree to the last bits only: NEST delivers a step's input spikes in an order that
depends on the number of threads, and floating-point sums depend on order (NEST's own iaf_psc_delta
differs by a few ulp in the same way). Spike times and the adaptation, which depends on the neuron's
own spikes alone, must be identical."""

import numpy as np

from networks import eprop_neuron_network


def simulate_network(nest, n_threads, seed=5):
    import chiplearn

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    nest.local_num_threads = n_threads
    nest.resolution = 1.0
    recurrent, alif, readouts = eprop_neuron_network(nest, np.random.default_rng(seed))
    spikes = nest.Create("spike_recorder")
    nest.Connect(recurrent, spikes)
    multimeter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    adaptation = nest.Create("multimeter", params={"record_from": ["adaptation"], "interval": 1.0})
    nest.Connect(multimeter, recurrent + readouts)
    nest.Connect(adaptation, alif)
    nest.Simulate(600.0)

    def sorted_events(events, value):
        order = np.lexsort((events["times"], events["senders"]))
        return np.stack([events["senders"][order], events["times"][order], events[value][order]]) if value else \
            np.stack([events["senders"][order], events["times"][order]])

    return (sorted_events(spikes.events, None), sorted_events(multimeter.events, "V_m"),
            sorted_events(adaptation.events, "adaptation"))


def test_one_and_two_threads_agree():
    import nest

    spikes_1, v_1, a_1 = simulate_network(nest, 1)
    spikes_2, v_2, a_2 = simulate_network(nest, 2)
    assert spikes_1.shape[1] > 500, "the network must be active for the comparison to mean something"
    np.testing.assert_array_equal(spikes_1, spikes_2)
    np.testing.assert_array_equal(v_1[:2], v_2[:2])
    np.testing.assert_allclose(v_1[2], v_2[2], rtol=1e-12, atol=1e-12 * np.max(np.abs(v_1[2])))
    np.testing.assert_array_equal(a_1, a_2)


def train_small_network(n_threads):
    from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup, bellec_initial_weights
    from chiplearn.tasks import EvidenceAccumulation

    task = EvidenceAccumulation(cue_steps=40, spacing_steps=20, delay_steps=100, recall_steps=50)
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 3.0, "tau_m": 20.0, "c_reg": 100.0,
              "surrogate_gradient_height": 0.5, "surrogate_gradient_width": 0.6, "tau_m_readout": 20.0}
    config = EpropConfig(
        n_inputs=task.n_inputs,
        groups=[RecurrentGroup("eprop_iaf_chiplearn", 20, neuron),
                RecurrentGroup("eprop_iaf_adapt_chiplearn", 10, {**neuron, "adapt_beta": 0.05, "adapt_tau": 500.0})],
        n_outputs=2, readout_params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy"},
        trial_steps=task.steps, learning_window_steps=task.recall_steps, batch_size=2,
        optimizer={"type": "adam", "eta": 0.01, "batch_size": 2}, threads=n_threads, seed=3)
    rng = np.random.default_rng(3)
    initial = bellec_initial_weights(rng, config)
    network = EpropNetwork(config, initial)
    batches = []
    for _ in range(4):
        spikes, labels = task.trials(rng, 2)
        batches.append((spikes, task.one_hot(labels), True))
    responses = list(network.stream(batches, record_spikes=lambda number: True))
    return initial, network.state(), responses


def test_training_gives_the_same_weights_with_one_and_two_threads():
    initial, state_1, responses_1 = train_small_network(1)
    _, state_2, responses_2 = train_small_network(2)
    for key in state_1:
        np.testing.assert_allclose(state_1[key], state_2[key], rtol=1e-12, atol=1e-15, err_msg=key)
    for r1, r2 in zip(responses_1, responses_2):
        order_1 = np.lexsort((r1["spikes"]["senders"], r1["spikes"]["times"]))
        order_2 = np.lexsort((r2["spikes"]["senders"], r2["spikes"]["times"]))
        np.testing.assert_array_equal(r1["spikes"]["senders"][order_1], r2["spikes"]["senders"][order_2])
        np.testing.assert_array_equal(r1["spikes"]["times"][order_1], r2["spikes"]["times"][order_2])
        np.testing.assert_allclose(r1["readout_signal"], r2["readout_signal"], rtol=1e-12, atol=1e-15)
    changed = np.abs(state_1["rec_rec_weight"] - initial["rec_rec"])
    assert np.max(changed) > 1e-3, "the weights must have learned for the comparison to mean something"
