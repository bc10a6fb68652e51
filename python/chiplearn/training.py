"""The training loop shared by the e-prop tutorials: batches streamed through an EpropNetwork, running
loss and accuracy on a progress bar, validation every few iterations, atomic checkpoints to resume from,
and a final test on fresh trials with learning frozen."""

import collections
import json
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Protocol

import numpy as np
from tqdm import tqdm

from .files import save_npz
from .gather import is_root


class TrainableNetwork(Protocol):
    """What the training loop needs from a network (chiplearn.eprop.EpropNetwork is one)."""

    def stream(self, batches: Iterable, record_spikes: Optional[Callable[[int], bool]] = None) -> Iterator[dict]:
        """Runs batches of (input spikes, targets, learn) and yields the response to each: readout_signal and
        target_signal (trials x steps x readouts), and spikes where recorded."""

    def state(self) -> dict:
        """Everything a checkpoint needs to continue training (arrays by name)."""

    def load_state(self, state: dict) -> None:
        """Restores what state() returned."""

    def set_training_eta(self, eta: float) -> None:
        """The learning rate of the training batches scheduled from now on (only needed with a schedule)."""


@dataclass
class Log:
    """Learning curve: one entry per training iteration, and per validation."""

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    validation_iteration: list = field(default_factory=list)
    validation_loss: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)


class Checkpoint:
    """Network state, generator state, learning curve and iteration in one .npz, written atomically."""

    def __init__(self, path):
        self.path = path

    def exists(self):
        return self.path is not None and os.path.exists(self.path)

    def save(self, network, rng, log, iteration, extra=None):
        if self.path is None:
            return
        save_npz(self.path, **network.state(), rng_state=json.dumps(rng.bit_generator.state),
                 log=json.dumps(log.__dict__), iteration=iteration, extra=json.dumps(extra or {}))

    def load(self, network, rng):
        """Restores network and generator; returns (log, iteration, extra)."""
        with np.load(self.path) as data:
            network.load_state({key: data[key] for key in data.files
                                if key not in ("rng_state", "log", "iteration", "extra")})
            rng.bit_generator.state = json.loads(str(data["rng_state"]))
            return Log(**json.loads(str(data["log"]))), int(data["iteration"]), json.loads(str(data["extra"]))


@dataclass
class Evaluation:
    """How a task scores the network's response to a batch: loss per trial, and correctness per trial
    (None for regression)."""

    loss: callable
    correct: callable = None


def train(network: TrainableNetwork, make_batch, evaluation, *, iterations, rng, validate_every=0, validation_batches=1,
          checkpoint=None, checkpoint_every=10, stop_accuracy=None, stop_validations=3, learning_rate=None,
          on_validation=None, on_iteration=None, progress=True):
    """Trains for `iterations` batches; returns the Log.

    make_batch(rng) -> (spikes, targets, info) draws a fresh batch; evaluation scores it from the network's
    response and info. Every `validate_every` iterations, `validation_batches` fresh batches run with
    learning frozen; training stops early once the mean accuracy of the last `stop_validations` validations
    reaches stop_accuracy (one lucky validation does not stop it). learning_rate(iteration) -> eta, if given, is
    the learning rate of each training batch (a schedule; a function of the iteration, so a resumed run
    follows it too). A checkpoint is written
    every `checkpoint_every` iterations (one due before a validation is written after it), after every
    validation and at the end; if it exists at the start, training resumes from it and continues as the run
    would have without the interruption (network.state() is complete, and the generator is saved as it was
    before the batch the stream has drawn ahead).
    on_iteration(iteration, loss) and on_validation(log) are called as results come in.
    """
    log, start = Log(), 0
    checkpoint = checkpoint or Checkpoint(None)
    if checkpoint.exists():
        log, start, _ = checkpoint.load(network, rng)
    # (kind, iteration, info, generator state before the batch was drawn): the stream draws a batch ahead, and
    # a checkpoint keeps the generator as it was before the batches it has not finished
    pending = collections.deque()

    def draw(kind, iteration):
        before = rng.bit_generator.state
        spikes, targets, info = make_batch(rng)
        pending.append((kind, iteration, info, before))
        return spikes, targets

    def batches():
        for iteration in range(start, iterations):
            if stop[0]:
                return
            if learning_rate is not None:
                # the stream sets a batch's learning when it takes the batch from here: this rate is its own
                network.set_training_eta(learning_rate(iteration))
            yield *draw("train", iteration), True
            if validate_every and (iteration + 1) % validate_every == 0:
                for _ in range(validation_batches):
                    yield *draw("validate", iteration), False

    def save(iteration):
        """Checkpoint with the generator as it was before the batch drawn ahead (if any). Not between a training
        batch and its validation batches: the checkpoint after the validation follows."""
        if pending and pending[0][0] != "train":
            return
        if pending:
            ahead = rng.bit_generator.state
            rng.bit_generator.state = pending[0][3]
            checkpoint.save(network, rng, log, iteration)
            rng.bit_generator.state = ahead
        else:
            checkpoint.save(network, rng, log, iteration)

    stop = [False]  # set once validation reaches stop_accuracy (the batch already scheduled still runs)
    bar = tqdm(total=iterations, initial=start, disable=not (progress and is_root()), unit="it", dynamic_ncols=True)
    validation = []
    for response in network.stream(batches()):
        kind, iteration, info, _ = pending.popleft()
        loss = float(np.mean(evaluation.loss(response, info)))
        accuracy = float(np.mean(evaluation.correct(response, info))) if evaluation.correct else None
        if kind == "train":
            log.loss.append(loss)
            log.accuracy.append(accuracy)
            if on_iteration:
                on_iteration(iteration, loss)
            if checkpoint_every and (iteration + 1) % checkpoint_every == 0:
                save(iteration + 1)
            bar.update(1)
            postfix = {"loss": f"{np.mean(log.loss[-10:]):.4g}"}
            if accuracy is not None:
                postfix["acc"] = f"{np.mean(log.accuracy[-10:]):.3f}"
            if log.validation_accuracy and log.validation_accuracy[-1] is not None:
                postfix["val"] = f"{log.validation_accuracy[-1]:.3f}"
            bar.set_postfix(postfix)
            continue
        validation.append((loss, accuracy))
        if len(validation) == validation_batches:
            log.validation_iteration.append(iteration + 1)
            log.validation_loss.append(float(np.mean([v[0] for v in validation])))
            accuracies = [v[1] for v in validation]
            log.validation_accuracy.append(None if accuracies[0] is None else float(np.mean(accuracies)))
            validation = []
            save(iteration + 1)
            if on_validation:
                on_validation(log)
            recent = log.validation_accuracy[-stop_validations:]
            if stop_accuracy is not None and len(recent) == stop_validations and None not in recent \
                    and np.mean(recent) >= stop_accuracy:
                stop[0] = True
    bar.close()
    save(len(log.loss))
    return log


def test(network: TrainableNetwork, make_batch, evaluation, *, n_batches, rng, record_last=False):
    """Runs n_batches fresh batches with learning frozen; returns (mean loss, accuracy or None, last response)."""
    infos, losses, correct = [], [], []

    def batches():
        for _ in range(n_batches):
            spikes, targets, info = make_batch(rng)
            infos.append((spikes, info))
            yield spikes, targets, False

    last = None
    for number, response in enumerate(network.stream(batches(), record_spikes=(lambda n: record_last and n == n_batches - 1))):
        spikes, info = infos[number]
        losses.extend(np.atleast_1d(evaluation.loss(response, info)))
        if evaluation.correct:
            correct.extend(np.atleast_1d(evaluation.correct(response, info)))
        last = {**response, "input_spikes": spikes, "info": info}
    return float(np.mean(losses)), (float(np.mean(correct)) if correct else None), last
