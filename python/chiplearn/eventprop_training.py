"""The epoch loop shared by the EventProp tutorials: an EventpropNetwork (readout-only or with a hidden layer)
in a fresh kernel per epoch, trained on the shuffled training set in batches, then evaluated on named sets with
learning frozen; the learning rate decays per epoch; after every epoch an atomic checkpoint from which a
restarted run continues to exactly the weights of an uninterrupted one.

Learning switch: a new learning rate applies to the batches that start after it is set (EtaSchedule in
models/core/optimizer.h). Every phase (training, each evaluation set) is therefore padded with empty trials
(no input spikes: no synapse sees a spike, so they add no gradient) to a whole number of batches, so that
every phase starts at a batch: an evaluation batch never learns, a training batch always does, and no batch
of padding alone trains (which would be one Adam step with zero gradient). A trial's logit is sampled at its
end and recorded only when a later trial runs: one frozen batch of empty trials closes the epoch."""

import json
import os
import time

import numpy as np
from tqdm import tqdm

from . import eventprop, gather
from .files import save_npz
from .gather import report


class EventpropNetwork:
    """n_inputs -> [n_hidden eventprop_iaf_chiplearn ->] n_outputs eventprop_readout_chiplearn in a fresh
    kernel, run in phases of trials with a trial counter.

    weights: {"output": (n_outputs, sources)} and, for a hidden layer, {"hidden": (n_hidden, n_inputs)}
    initial weights; hidden_params None builds the readout-only network. encode(inputs) gives the trials'
    input spike times (trials, n_inputs) as chiplearn.eventprop.set_trials takes them."""

    def __init__(self, nest, *, resolution, trial_length, threads, n_inputs, n_outputs, readout_params, weights,
                 optimizer, encode, chunk, hidden_params=None):
        import chiplearn

        self.nest, self.trial_length, self.encode, self.chunk = nest, trial_length, encode, chunk
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        chiplearn.install()
        nest.set(resolution=resolution, eprop_update_interval=trial_length, local_num_threads=threads)
        if hidden_params is None:
            self.nodes = eventprop.build_readout_network(nest, n_inputs, n_outputs, readout_params,
                                                         weights["output"], optimizer)
            n = self.nodes
            self.layers = {"output": (n["inputs"], n["outputs"], eventprop.SYNAPSE)}
        else:
            self.nodes = eventprop.build_hidden_network(nest, n_inputs, len(weights["hidden"]), n_outputs,
                                                        hidden_params, readout_params, weights["hidden"],
                                                        weights["output"], optimizer)
            n = self.nodes
            self.layers = {"hidden": (n["inputs"], n["hidden"], eventprop.SYNAPSE),
                           "output": (n["hidden"], n["outputs"], eventprop.SYNAPSE),
                           "feedback": (n["outputs"], n["hidden"], eventprop.FEEDBACK)}
        self.logits = nest.Create("multimeter", {"interval": trial_length, "record_from": ["logit"]})
        nest.Connect(self.logits, self.nodes["outputs"])
        self.hidden_spikes, self.hidden_counts = None, None
        if hidden_params is not None:
            self.hidden_spikes = nest.Create("spike_recorder")
            nest.Connect(self.nodes["hidden"], self.hidden_spikes)
            self.hidden_counts = np.zeros(len(self.nodes["hidden"]), dtype=np.int64)
        self.connections = {name: nest.GetConnections(s, t, synapse_model=m) for name, (s, t, m) in self.layers.items()}
        # the connections are fixed once built: their (target, source) positions are read once
        self.positions = {name: gather.synapse_positions(self.connections[name], s, t)
                          for name, (s, t, _) in self.layers.items()}
        self.n_inputs, self.n_outputs = n_inputs, n_outputs
        self.batch_size = optimizer["batch_size"]
        self.trial = 0

    def set_eta(self, eta):
        """A new learning rate applies from the next batch (0 freezes the weights)."""
        self.nest.SetDefaults(eventprop.SYNAPSE, {"optimizer": {"eta": eta}})

    def run(self, inputs, labels, description):
        """Runs one trial per input, then the padding to the next batch; returns the range of trials (first, n)
        whose logits logits_of gives once a later trial has run."""
        first = self.trial
        n = len(labels)
        padded = -(-n // self.batch_size) * self.batch_size
        labels = np.concatenate([labels, np.zeros(padded - n, dtype=int)])
        for start in tqdm(range(0, padded, self.chunk), desc=description, leave=False, unit="chunk"):
            stop = min(start + self.chunk, padded)
            times = np.full((stop - start, self.n_inputs), np.inf)
            if start < n:
                times[:min(stop, n) - start] = self.encode(inputs[start:min(stop, n)])
            self._simulate(times, labels[start:stop])
        return first, n

    def close(self):
        """Runs one batch of empty trials, so that the logits of the trials before are recorded (call it with
        learning frozen)."""
        self._simulate(np.full((self.batch_size, self.n_inputs), np.inf), np.zeros(self.batch_size, dtype=int))

    def _simulate(self, times, labels):
        eventprop.set_trials(self.nest, self.nodes, self.trial, self.trial_length, times, labels)
        self.nest.Simulate(len(labels) * self.trial_length)
        self.trial += len(labels)
        if self.hidden_spikes is not None:  # counted per call, so that the recorder never holds more than a chunk
            first_id = self.nodes["hidden"][0].global_id
            senders = np.asarray(self.hidden_spikes.events["senders"], dtype=np.int64) - first_id
            self.hidden_counts += np.bincount(senders, minlength=len(self.hidden_counts))
            self.hidden_spikes.n_events = 0

    def logits_of(self, trials):
        """The outputs' logits (n, n_outputs) of the trials (first, n) that run returned."""
        first, n = trials
        if first + n >= self.trial:
            raise RuntimeError(f"the logits of trials {first} to {first + n - 1} are recorded only when a later "
                               f"trial has run (trials run: {self.trial})")
        events = self.logits.events
        trial = np.rint(events["times"] / self.trial_length).astype(int) - 1
        keep = (trial >= first) & (trial < first + n)
        order = np.lexsort((events["senders"][keep], trial[keep]))
        return events["logit"][keep][order].reshape(n, self.n_outputs)

    def hidden_activity(self, n_trials):
        """The hidden layer's spikes since the last call, over n_trials trials: {"hidden_spikes_per_trial",
        "hidden_silent": the fraction of hidden neurons that did not fire}; {} without a hidden layer. A hidden
        neuron that does not fire gets no gradient (its adjoint jumps at its spikes), so the silent fraction is
        the part of the layer that has stopped learning."""
        if self.hidden_counts is None:
            return {}
        counts, self.hidden_counts = self.hidden_counts, np.zeros_like(self.hidden_counts)
        return {"hidden_spikes_per_trial": float(counts.sum() / n_trials), "hidden_silent": float(np.mean(counts == 0))}

    def _read(self, name):
        sources, targets, _ = self.layers[name]
        return gather.synapse_matrices(self.connections[name], self.positions[name], (len(targets), len(sources)),
                                       gather.SYNAPSE_STATE_KEYS)

    def state(self):
        """Weights and Adam state, (targets, sources) arrays per layer: "output_<key>" and, with a hidden layer,
        "hidden_<key>" (inputs -> hidden). A forward synapse takes a batch's step at its next spike; behind a
        hidden layer the output layer's state is therefore its feedback connections', which take every
        batch's step at the next trial, while a hidden neuron silent since the end of training leaves its
        forward synapses behind (checked: where both took the same number of steps, their weights are equal)."""
        if "feedback" not in self.layers:
            return {f"output_{key}": values for key, values in self._read("output").items()}
        hidden, output = self._read("hidden"), self._read("output")
        feedback = {key: values.T for key, values in self._read("feedback").items()}
        caught_up = output["adam_steps"] == feedback["adam_steps"]
        if not np.array_equal(output["weight"][caught_up], feedback["weight"][caught_up]):
            raise RuntimeError("the output layer's forward and feedback connections took the same Adam steps "
                               "but hold different weights: the two copies of the output weights have diverged")
        return {**{f"hidden_{key}": hidden[key] for key in gather.SYNAPSE_STATE_KEYS},
                **{f"output_{key}": feedback[key] for key in gather.SYNAPSE_STATE_KEYS}}

    def load_state(self, state):
        for name in self.layers:
            rows, cols = self.positions[name]
            layer = "output" if name == "feedback" else name
            if name == "feedback":
                rows, cols = cols, rows
            gather.set_synapse_values(self.connections[name],
                                      {key: np.asarray(state[f"{layer}_{key}"])[rows, cols] for key in gather.SYNAPSE_STATE_KEYS})


def answers(logits, no_answer_below=-np.inf):
    """The class of the largest logit; -1 where the largest ones tie or lie at or below no_answer_below (for
    first-spike outputs the logit of an output that did not fire: no output fired)."""
    best = logits.max(axis=1)
    unique = (logits == best[:, None]).sum(axis=1) == 1
    answered = np.isfinite(best) & (best > no_answer_below)
    return np.where(unique & answered, np.argmax(logits, axis=1), -1)


def cross_entropy(logits, labels):
    """The cross-entropy of the softmax of the logits, per trial (a first-spike loss's early-spike term left out)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels]


def train_epochs(make_network, train, evaluations, *, epochs, eta, lr_decay, rng, checkpoint_path, initial_state,
                 answer, training_measures=None, after_epoch=None):
    """Trains epoch by epoch and returns the log; resumes from checkpoint_path if it exists.

    make_network(eta): a fresh EventpropNetwork whose optimizer has learning rate eta (eta * lr_decay ** epoch
    in epoch epoch, counted from 0), then loaded with the state of the last epoch (initial_state: that before
    the first, None to keep the network's initial weights). train: (inputs, labels), shuffled by rng every
    epoch. evaluations: {name: (inputs, labels or None)}, run in order with learning frozen after training;
    the accuracy of answer(logits) is logged as "<name>_accuracy" where labels are given, and with a hidden
    layer its activity during training (EventpropNetwork.hidden_activity). training_measures
    (logits, labels): further entries of the log for the training phase ({name: value}).
    after_epoch(epoch, log, state, logits): called after each epoch's checkpoint, logits {"train": ...,
    name: ...} (for the tutorials' results files and figures)."""
    state, first_epoch = initial_state, 0
    log = {"train_accuracy": [], "train_loss": []}
    log.update({f"{name}_accuracy": [] for name, (_, labels) in evaluations.items() if labels is not None})
    log.update({"epoch_seconds": [], "train_seconds": []})
    if os.path.exists(checkpoint_path):
        with np.load(checkpoint_path) as saved:
            state = {key: saved[key] for key in saved.files if key.split("_", 1)[-1] in gather.SYNAPSE_STATE_KEYS}
            rng.bit_generator.state = json.loads(str(saved["rng_state"]))
            log, first_epoch = json.loads(str(saved["log"])), int(saved["epoch"])
        report(f"resuming after epoch {first_epoch} from {checkpoint_path}")
    for epoch in range(first_epoch, epochs):
        # a fresh kernel per epoch: the trial counter restarts, the synapses' state comes from the last epoch
        network = make_network(eta * lr_decay ** epoch)
        if state is not None:
            network.load_state(state)
        started = time.time()
        order = rng.permutation(len(train[1]))
        inputs, labels = train[0][order], train[1][order]
        trials = {"train": network.run(inputs, labels, f"epoch {epoch + 1} training")}
        train_seconds = time.time() - started
        hidden_activity = network.hidden_activity(len(labels))
        network.set_eta(0.0)
        for name, (eval_inputs, eval_labels) in evaluations.items():
            run_labels = eval_labels if eval_labels is not None else np.zeros(len(eval_inputs), dtype=int)
            trials[name] = network.run(eval_inputs, run_labels, f"epoch {epoch + 1} {name}")
        network.close()
        logits = {name: network.logits_of(phase) for name, phase in trials.items()}
        state = network.state()  # complete: the last training batch was stepped during the frozen trials
        measures = {"train_accuracy": float(np.mean(answer(logits["train"]) == labels)),
                    "train_loss": float(np.mean(cross_entropy(logits["train"], labels)))}
        measures.update(hidden_activity)
        if training_measures is not None:
            measures.update(training_measures(logits["train"], labels))
        for name, (_, eval_labels) in evaluations.items():
            if eval_labels is not None:
                measures[f"{name}_accuracy"] = float(np.mean(answer(logits[name]) == eval_labels))
        measures.update(epoch_seconds=time.time() - started, train_seconds=train_seconds)
        for key, value in measures.items():
            log.setdefault(key, []).append(value)
        report(f"epoch {epoch + 1}: " + ", ".join(f"{key} {value:.0f}" if key.endswith("seconds") else f"{key} {value:.4f}"
                                                  for key, value in measures.items()))
        save_npz(checkpoint_path, **state, rng_state=json.dumps(rng.bit_generator.state), log=json.dumps(log),
                 epoch=epoch + 1)
        if after_epoch is not None:
            after_epoch(epoch, log, state, logits)
    return log
