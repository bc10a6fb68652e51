"""Batches of trials streamed through a NEST network on e-prop's interval grid, with the responses collected
per batch: the part of training that does not depend on the network's wiring or learning rule.

Trial g occupies the update interval g (length trial_steps); a batch of batch_size trials is simulated at
once. Input spikes of trial step s are emitted by spike generators at g * trial_steps + s + 1 ms (one step
ahead, as NEST's e-prop generators); the readouts compute the signals of trial step s at their own interval
offset later, and the multimeter hands each sample over one step after it is taken. So the responses of a
batch are complete only a few steps into the next one: the stream schedules the next batch's inputs
before it collects the current batch's results.
"""

import numpy as np

from . import gather


class TrialStream:
    """Streams batches of (input spikes, targets, learn) through a network.

    generators: one spike_generator per input; targets: one step_rate_generator per readout, connected to
    its target receptor; readout_recorder: a multimeter recording readout_signal and target_signal of the
    readouts every step; spike_recorder: a spike recorder of the neurons whose spikes may be recorded;
    readout_offset: the readouts' interval offset (steps); set_learning(learn): switches learning on or off
    for the batch about to start; after_batch(): called after each batch (e.g. to update feedback weights).
    """

    def __init__(self, nest, *, generators, targets, readout_recorder, spike_recorder, trial_steps, batch_size,
                 readout_offset, set_learning, after_batch=None):
        self.nest = nest
        self.generators, self.targets = generators, targets
        self.readout_recorder, self.spike_recorder = readout_recorder, spike_recorder
        self.trial_steps, self.batch_size = trial_steps, batch_size
        self.readout_offset = readout_offset
        self.set_learning, self.after_batch = set_learning, after_batch
        self.trials_run = 0
        self._target_changes = (np.zeros(0), np.zeros((len(targets), 0)))
        self._spikes_ahead = (np.zeros(0, dtype=int), np.zeros(0))

    def run(self, batches, record_spikes=None):
        """Runs batches one after the other and yields the network's response to each.

        batches: iterable of (spikes[n, steps, n_inputs] bool, targets, learn) with n = batch_size and
        targets per trial (n x n_outputs) or per step (n x steps x n_outputs); learn=False runs the batch
        with learning off (validation, test). record_spikes(batch_number) -> bool selects the batches whose
        spikes are recorded.

        Yields dicts with readout_signal and target_signal (n x steps x n_outputs), and spikes (senders,
        times relative to the batch start in ms) where recorded.
        """
        batches = iter(batches)
        current = next(batches, None)
        if current is None:
            return
        self._align_to_batch_grid()
        lookahead = self.readout_offset + 1  # the multimeter hands over a step's sample one step later
        number = 0
        head_start = 0
        batch_steps = self.trial_steps * self.batch_size
        start = self._schedule(current, number, record_spikes)
        while current is not None:
            self.nest.Simulate(float(batch_steps - head_start))
            following = next(batches, None)
            following_start = None
            if following is not None:
                following_start = self._schedule(following, number + 1, record_spikes)
            else:
                # the slot after the stream's last batch starts now: it must not train (see _align_to_batch_grid)
                self.set_learning(False)
            self.nest.Simulate(float(lookahead))
            head_start = lookahead
            if self.after_batch is not None:
                self.after_batch()
            yield self._collect(start)
            current, start = following, following_start
            number += 1

    def _align_to_batch_grid(self):
        """After an earlier stream the clock is a few steps into the next batch slot, too late for its first
        input spikes: let that slot pass, so that batches keep their place on the grid. Learning in the slot
        was switched off as it began, at the end of the earlier stream: a learning rate set now would only
        apply to the batches that start later, and the slot would count as a training batch (with zero
        gradient, but one more Adam step)."""
        now = int(round(self.nest.biological_time))
        if now > self.trials_run * self.trial_steps:
            self.trials_run += self.batch_size
            self.nest.Simulate(float(self.trials_run * self.trial_steps - now))

    def _schedule(self, batch, number, record_spikes):
        """Sets inputs, targets and learning of the batch that starts at the current grid position."""
        spikes, targets, learn = batch
        n, steps, n_inputs, n_outputs = self.batch_size, self.trial_steps, len(self.generators), len(self.targets)
        if spikes.shape != (n, steps, n_inputs):
            raise ValueError(f"a batch's spikes must have the shape {(n, steps, n_inputs)}, got {spikes.shape}")
        start = self.trials_run * steps
        trial, step, neuron = np.nonzero(spikes)
        times = start + trial * steps + step + 1.0
        self.generators.set([{"spike_times": np.sort(times[neuron == i])} for i in range(n_inputs)])

        targets = np.asarray(targets, dtype=float)
        if targets.shape == (n, n_outputs):
            change_times = start + np.arange(n) * steps + float(self.readout_offset)
            values = targets.T
        elif targets.shape == (n, steps, n_outputs):
            change_times = start + np.arange(n * steps) + float(self.readout_offset)
            values = targets.reshape(n * steps, n_outputs).T
        else:
            raise ValueError(f"targets must have the shape {(n, n_outputs)} or {(n, steps, n_outputs)}")
        # the previous batch's last target changes fall after this moment: keep them in the new list
        still_due = self._target_changes[0] > start
        change_times = np.concatenate([self._target_changes[0][still_due], change_times])
        values = np.concatenate([self._target_changes[1][:, still_due], values], axis=1)
        self._target_changes = (change_times, values)
        self.targets.set([{"amplitude_times": change_times, "amplitude_values": values[k]} for k in range(n_outputs)])

        self.set_learning(learn)
        if record_spikes is not None and record_spikes(number):
            # input spikes of trial step s reach the parrots at s + 2 ms: the batch's spikes lie in (start + 1, end + 1]
            self.spike_recorder.set(start=float(start + 1), stop=float(start + n * steps + 1))
        self.trials_run += n
        return start

    def _collect(self, start):
        n, steps, n_outputs = self.batch_size, self.trial_steps, len(self.targets)
        recorded = gather.events(self.readout_recorder, ("readout_signal", "target_signal"))
        times, senders = recorded["times"], recorded["senders"]
        offset = self.readout_offset
        window = (times > start + offset) & (times <= start + n * steps + offset)
        order = np.lexsort((times[window], senders[window]))
        result = {}
        for name in ("readout_signal", "target_signal"):
            values = recorded[name][window][order]
            result[name] = values.reshape(n_outputs, n, steps).transpose(1, 2, 0)
        # spikes recorded so far, with those of the next batch's first steps (simulated ahead) kept for it
        recorded = gather.events(self.spike_recorder, ())
        senders = np.concatenate([self._spikes_ahead[0], recorded["senders"].astype(int)])
        times = np.concatenate([self._spikes_ahead[1], recorded["times"].astype(float)])
        mine = times <= start + n * steps + 1
        self._spikes_ahead = (senders[~mine], times[~mine])
        if np.any(mine):
            result["spikes"] = {"senders": senders[mine], "times": times[mine] - start}
        return result
