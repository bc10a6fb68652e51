"""The Python side of the tutorials: an e-prop network streamed batch by batch, symmetric feedback,
frozen validation batches, checkpoints that resume a run."""

import numpy as np

from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup, bellec_initial_weights
from chiplearn.losses import cross_entropy, decisions
from chiplearn.tasks import EvidenceAccumulation
from chiplearn import training
from chiplearn.training import Checkpoint, Evaluation, train

TASK = EvidenceAccumulation(cue_steps=30, spacing_steps=20, delay_steps=60, recall_steps=40)


def small_network(seed=2, feedback="random", eta=0.01):
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 3.0, "tau_m": 500.0, "c_reg": 100.0,
              "surrogate_gradient_height": 0.5, "surrogate_gradient_width": 0.6, "tau_m_readout": 20.0}
    config = EpropConfig(
        n_inputs=TASK.n_inputs, groups=[RecurrentGroup("eprop_iaf_chiplearn", 20, neuron)], n_outputs=2,
        readout_params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy"},
        trial_steps=TASK.steps, learning_window_steps=TASK.recall_steps, batch_size=4,
        optimizer={"type": "adam", "eta": eta, "batch_size": 4}, feedback=feedback, seed=seed)
    rng = np.random.default_rng(seed)
    return EpropNetwork(config, bellec_initial_weights(rng, config)), rng


def make_batch(rng):
    spikes, labels = TASK.trials(rng, 4)
    return spikes, TASK.one_hot(labels), labels


EVALUATION = Evaluation(
    loss=lambda response, labels: cross_entropy(response["readout_signal"], response["target_signal"],
                                                TASK.recall_steps),
    correct=lambda response, labels: decisions(response["readout_signal"], TASK.recall_steps) == labels)


def test_responses_have_the_trials_shape_and_softmax_outputs():
    network, rng = small_network()
    batches = [make_batch(rng)[:2] + (True,) for _ in range(2)]
    responses = list(network.stream(batches))
    assert len(responses) == 2
    for response in responses:
        y = response["readout_signal"]
        assert y.shape == (4, TASK.steps, 2)
        window = y[:, -TASK.recall_steps:]
        np.testing.assert_allclose(window.sum(axis=2), 1.0, rtol=1e-12)  # softmax over the two readouts
        assert np.all(y[:, : TASK.steps - TASK.recall_steps - 1] == 0.0)  # signals only in the window


def test_frozen_batches_change_no_weight():
    network, rng = small_network()
    before = network.state()
    list(network.stream([make_batch(rng)[:2] + (False,) for _ in range(3)]))
    after = network.state()
    for key in before:
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)
    list(network.stream([make_batch(rng)[:2] + (True,) for _ in range(2)]))
    assert np.max(np.abs(network.state()["in_rec_weight"] - before["in_rec_weight"])) > 1e-4


def test_the_slot_between_streams_is_not_a_training_batch():
    # A stream that follows another lets one batch slot pass (the clock is a few steps into it); that
    # slot must run with learning off, or Adam takes one more step (with zero gradient) after every
    # training stream. Every synapse steps once per training batch: 2 batches, 2 steps.
    network, rng = small_network()
    list(network.stream([make_batch(rng)[:2] + (True,) for _ in range(2)]))
    list(network.stream([make_batch(rng)[:2] + (False,) for _ in range(2)]))
    state = network.state()
    for name in network.PLASTIC:
        steps = state[f"{name}_adam_steps"]
        if name == "rec_rec":
            assert np.all(np.diag(steps) == 0)  # no autapses: nothing is stored there
            steps = steps[~np.eye(len(steps), dtype=bool)]
        np.testing.assert_array_equal(np.unique(steps), [2], err_msg=name)


def test_a_learning_rate_schedule_trains_as_pieces_run_with_their_rate_set_by_hand():
    # The oracle: two iterations (and a validation) in a network built with eta 0.01, its state carried into
    # a new network built with eta 0.002 that trains the next two; the schedule must give the same weights.
    def schedule(iteration):
        return 0.01 if iteration < 2 else 0.002

    # each network resets the one NEST kernel: a network's state is taken before the next one is built
    scheduled, rng = small_network()
    train(scheduled, make_batch, EVALUATION, iterations=4, rng=rng, validate_every=2, learning_rate=schedule,
          progress=False)
    with_schedule = scheduled.state()
    first, rng = small_network(eta=0.01)
    train(first, make_batch, EVALUATION, iterations=2, rng=rng, validate_every=2, progress=False)
    after_first = first.state()
    second, _ = small_network(eta=0.002)
    second.load_state(after_first)
    train(second, make_batch, EVALUATION, iterations=2, rng=rng, validate_every=2, progress=False)
    by_hand = second.state()
    constant, rng = small_network(eta=0.01)
    train(constant, make_batch, EVALUATION, iterations=4, rng=rng, validate_every=2, progress=False)
    unscheduled = constant.state()

    for key in by_hand:
        np.testing.assert_array_equal(with_schedule[key], by_hand[key], err_msg=key)
    for name in EpropNetwork.PLASTIC:
        assert np.max(np.abs(with_schedule[f"{name}_weight"] - unscheduled[f"{name}_weight"])) > 1e-4, name
        assert np.max(with_schedule[f"{name}_adam_steps"]) == 4, name


def test_symmetric_feedback_follows_the_readout_weights():
    import nest

    network, rng = small_network(feedback="symmetric")
    list(network.stream([make_batch(rng)[:2] + (True,) for _ in range(3)]))
    feedback = nest.GetConnections(network.readouts, network.recurrent,
                                   synapse_model="eprop_learning_signal_connection_chiplearn")
    table = feedback.get(["source", "target", "weight"])
    w_out = network.weights("rec_out")
    readout = np.asarray(table["source"]) - network.readouts[0].global_id
    neuron = np.asarray(table["target"]) - network.recurrent[0].global_id
    assert len(readout) == 2 * 20
    np.testing.assert_array_equal(np.asarray(table["weight"]), w_out[readout, neuron])


def test_checkpoint_resumes_where_training_stopped(tmp_path):
    path = str(tmp_path / "checkpoint.npz")
    network, rng = small_network()
    log = train(network, make_batch, EVALUATION, iterations=3, rng=rng, validate_every=2, checkpoint=Checkpoint(path),
                progress=False)
    assert len(log.loss) == 3 and log.validation_iteration == [2]
    saved = network.state()

    resumed, rng = small_network()
    iterations_run = []
    log = train(resumed, make_batch, EVALUATION, iterations=5, rng=rng, validate_every=2, checkpoint=Checkpoint(path),
                progress=False, on_iteration=lambda i, loss: iterations_run.append(i))
    assert iterations_run == [3, 4]
    assert len(log.loss) == 5 and log.validation_iteration == [2, 4]
    final = resumed.state()

    reloaded, rng = small_network()  # a new kernel: the checkpoint restores the final state
    Checkpoint(path).load(reloaded, rng)
    for key in saved:
        np.testing.assert_array_equal(reloaded.state()[key], final[key], err_msg=key)
    assert not np.array_equal(saved["rec_rec_weight"], final["rec_rec_weight"])


def test_spikes_are_recorded_for_the_chosen_batch_only():
    network, rng = small_network()
    batches = [make_batch(rng)[:2] + (True,) for _ in range(3)]
    responses = list(network.stream(batches, record_spikes=lambda number: number == 1))
    assert "spikes" not in responses[0] and "spikes" not in responses[2]
    times = responses[1]["spikes"]["times"]
    inputs = responses[1]["spikes"]["senders"] < network.recurrent[0].global_id
    # the batch's input spikes, all of them: generator spikes at step s arrive in the parrots at s + 2 ms
    trial, step, _ = np.nonzero(batches[1][0])
    np.testing.assert_array_equal(np.sort(times[inputs]), np.sort(trial * TASK.steps + step + 2.0))
    assert times.min() > 1.0 and times.max() <= 4 * TASK.steps + 1


def test_test_runs_with_learning_frozen():
    network, rng = small_network()
    before = network.state()["rec_out_weight"]
    loss, accuracy, last = training.test(network, make_batch, EVALUATION, n_batches=2, rng=rng, record_last=True)
    assert 0.0 <= accuracy <= 1.0 and loss > 0.0
    assert last["spikes"]["times"].min() > 1.0 and last["spikes"]["times"].max() <= 4 * TASK.steps + 1
    np.testing.assert_array_equal(network.state()["rec_out_weight"], before)


def test_kernel_bookkeeping_does_not_grow_with_training():
    # NEST logs every resize of its spike buffer in a list that is never trimmed and that each
    # GetKernelStatus copies; with one-step delays the buffer would be resized nearly every step.
    import nest

    network, rng = small_network()
    list(network.stream([make_batch(rng)[:2] + (True,) for _ in range(3)]))
    steps = nest.biological_time / nest.resolution
    resizes = len(nest.GetKernelStatus("spike_buffer_resize_log")["times"])
    # a buffer that only grows, by a factor of at least 1.5, resizes at most log_1.5(spikes per step) times
    assert steps > 5000 and resizes <= np.log(TASK.n_inputs + 20) / np.log(1.5)


def test_a_tutorial_killed_at_random_moments_ends_as_an_uninterrupted_run(tmp_path):
    """The cue-accumulation tutorial (small settings), killed with SIGKILL twice at random moments and started
    again each time, ends with the same weights, learning curve and test accuracy as a run that was never
    interrupted: checkpoints are atomic and complete (the synapses apply their held gradients first, and the
    generator is saved as it was before the batch drawn ahead)."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    script = os.path.join(os.path.dirname(__file__), os.pardir, "pynest_scripts", "cue_accumulation.py")

    def command(output):
        # with a learning-rate schedule: a resumed run follows it too
        return [sys.executable, script, "--iterations", "12", "--batch-size", "4", "--validate-every", "4",
                "--lr-decay", "0.5", "--lr-decay-every", "5",
                "--test-trials", "8", "--output", str(output)]

    subprocess.run(command(tmp_path / "whole"), check=True, capture_output=True)
    rng = np.random.default_rng(4)
    interrupted = tmp_path / "interrupted"
    kills, resumed_runs = 0, 0
    checkpoint = interrupted / "checkpoint.npz"
    while True:
        log = open(tmp_path / f"run{kills}.log", "w+")
        started = time.time()
        process = subprocess.Popen(command(interrupted), stdout=log, stderr=subprocess.DEVNULL)
        if kills < 2:
            # kill at a random moment after this run has written a checkpoint, whatever the machine's speed
            while process.poll() is None and not (checkpoint.exists() and checkpoint.stat().st_mtime > started):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 2.0))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
                continue
        assert process.wait() == 0
        break
    for number in range(kills + 1):
        resumed_runs += "(resuming)" in (tmp_path / f"run{number}.log").read_text()
    assert kills == 2 and resumed_runs >= 1, "a kill must have come after a checkpoint for the test to mean something"
    whole, resumed = (json.load(open(folder / "result.json")) for folder in (tmp_path / "whole", interrupted))
    assert resumed["log"] == whole["log"]
    assert resumed["test_accuracy"] == whole["test_accuracy"] and resumed["test_loss"] == whole["test_loss"]
    with np.load(tmp_path / "whole" / "weights.npz") as a, np.load(interrupted / "weights.npz") as b:
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
