"""A ReckOn chip in NEST (one ``reckon_chip_chiplearn`` node fed by spike generators) as a network the training
loop of chiplearn.training runs: batches of trials are the chip's samples, one after the other; a training
batch learns on chip (in every tick of the target window, with each trial's label), a validation or test
batch runs with ``do_eprop`` 0. The chip's inference per sample is its answer; the loss is its own output
error over the target window.
"""

import numpy as np

from . import chip, gather

#: The chip's output error (hard sigmoid of the output membrane against 1 for the label, 0 otherwise) is in
#: units of 2048 LSB.
ERROR_UNIT = 2048.0


def initial_weights(rng, preset):
    """Signed 8-bit weights drawn as the release's initial weights were (chip.md §1.4): normal with the standard
    deviations of PyTorch's Kaiming-normal initialization times the gains 0.5 (input), 0.1 (recurrent) and 0.5
    (output), in units of 128 LSB; no recurrent self-connections (the chip writes them 0)."""
    config = preset["config"]
    n_inp, n_rec, n_out = config["num_inp_neur"] + 1, config["num_rec_neur"] + 1, config["num_out_neur"] + 1

    def draw(n_pre, n_post, gain):
        std = gain * np.sqrt(2.0 / n_pre) * 128.0
        return np.clip(np.rint(rng.normal(0.0, std, (n_pre, n_post))), -128, 127).astype(np.int64)

    w_rec = draw(n_rec, n_rec, 0.1)
    np.fill_diagonal(w_rec, 0)
    return draw(n_inp, n_rec, 0.5), w_rec, draw(n_rec, n_out, 0.5)


def output_error(v_out, labels, window):
    """Per trial: the mean over the window's ticks (a slice) of the chip's squared output error, summed over the
    outputs, in units of ERROR_UNIT squared."""
    y = np.where(v_out > 2047, 2048, np.where(v_out < -2048, 0, (v_out + 2048) // 2)) / ERROR_UNIT
    target = np.eye(v_out.shape[2])[labels][:, None, :]
    return np.mean(np.sum((target - y[:, window]) ** 2, axis=2), axis=1)


class ReckonChipNetwork:
    """One chip of the preset with the given weights in the current NEST kernel (resolution 1 ms: a tick), its
    40 input channels fed by spike generators, its output membranes recorded. Implements
    chiplearn.training.TrainableNetwork."""

    def __init__(self, nest, preset, w_inp, w_rec, w_out, sample_ticks, target_start, target_end, inference_start):
        self.nest = nest
        nest.resolution = 1.0
        self.do_eprop = preset["config"]["do_eprop"]
        self.sample_ticks, self.target_window = sample_ticks, slice(target_start, target_end)
        status = chip.reckon_chip_status(preset, w_inp, w_rec, w_out)
        status.update(sample_ticks=sample_ticks, target_start=target_start, target_end=target_end,
                      inference_start=inference_start)
        self.node = nest.Create("reckon_chip_chiplearn", params=status)
        self.n_inputs, self.n_outputs = preset["config"]["num_inp_neur"] + 1, preset["config"]["num_out_neur"] + 1
        self.generators = nest.Create("spike_generator", self.n_inputs)
        for channel, generator in enumerate(self.generators):
            nest.Connect(generator, self.node, syn_spec={"receptor_type": channel + 1, "delay": nest.resolution})
        self.recorded = [f"V_out_{k}" for k in range(self.n_outputs)]
        self.multimeter = nest.Create("multimeter", params={"record_from": self.recorded, "interval": nest.resolution})
        nest.Connect(self.multimeter, self.node)

    def stream(self, batches, record_spikes=None):
        """Runs batches of (input spikes[n, ticks, inputs], targets[n, outputs] one-hot, learn) as samples, one after
        the other; yields per batch {"inference": [n], "V_out": [n, ticks, outputs] (LSB), "labels": [n]}. Each
        batch starts one step after the last one ended (a generator cannot send a spike at the current time, and
        the first tick's events are sent one step ahead); the chip idles in that step. The last tick of a batch
        reaches the multimeter in the next step and reads 0 (it is outside the target window).
        record_spikes is not used (the chip's spikes are recordables, not events)."""
        for spikes, targets, learn in batches:
            n = len(spikes)
            labels = np.argmax(np.asarray(targets), axis=1)
            first = int(round(self.nest.biological_time)) + 1
            self.node.set(sample_start=first, do_eprop=self.do_eprop if learn else 0,
                          labels=[int(x) for x in labels] if learn else [], inferences=[])
            samples = [np.argwhere(np.asarray(trial, dtype=bool)) for trial in spikes]
            times = chip.reckon_spike_times(samples, self.sample_ticks, self.n_inputs, self.nest.resolution, first)
            for generator, channel_times in zip(self.generators, times):
                generator.set(spike_times=channel_times)
            self.nest.Simulate(float(first + n * self.sample_ticks - self.nest.biological_time))
            inferences = np.asarray(self.node.get("inferences"), dtype=np.int64)
            yield {"inference": inferences, "V_out": self._outputs(first, n), "labels": labels}

    def _outputs(self, first, n):
        """Output membranes [n, ticks, outputs] of the n samples from step `first` on, from the multimeter."""
        events = gather.events(self.multimeter, self.recorded)
        self.multimeter.n_events = 0
        v_out = np.zeros((n * self.sample_ticks, self.n_outputs), dtype=np.int64)
        steps = np.rint(events["times"]).astype(np.int64) - 1 - first  # the tick's step, from the batch start
        inside = (steps >= 0) & (steps < len(v_out))
        for k, key in enumerate(self.recorded):
            v_out[steps[inside], k] = events[key][inside]
        return v_out.reshape(n, self.sample_ticks, self.n_outputs)

    def loss(self, response):
        return output_error(response["V_out"], response["labels"], self.target_window)

    def weights(self):
        return {key: np.asarray(self.node.get(key), dtype=np.int64) for key in ("w_inp", "w_rec", "w_out")}

    def state(self):
        """The weights and where the chip's random streams are: training continues from them exactly."""
        return {**self.weights(), "random_state": np.asarray(self.node.get("random_state"), dtype=np.int64)}

    def load_state(self, state):
        self.node.set({key: [int(v) for v in np.asarray(state[key]).ravel()]
                       for key in ("w_inp", "w_rec", "w_out", "random_state")})
