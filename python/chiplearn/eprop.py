"""An e-prop network of chiplearn's models in NEST, run batch by batch from Python.

The network has input neurons (parrots fed by spike generators), recurrent groups of eprop_iaf_chiplearn
and/or eprop_iaf_adapt_chiplearn neurons, and readouts (eprop_readout_chiplearn). Inputs, recurrent and
readout weights learn with eprop_synapse_chiplearn; learning signals travel back over
eprop_learning_signal_connection_chiplearn with random or symmetric feedback weights.

Trials follow each other on NEST's e-prop interval grid: trial g occupies the update interval g (length
`trial_steps`), the optimizer steps after every `batch_size` trials. Signals travel one step per
connection: input spikes of trial step s are emitted at g * trial_steps + s + 1 ms; the readouts' answer to
trial g is recorded 5 ms after the trial ends, which is why `stream` asks for the next batch before it
returns the results of the current one.
"""

from dataclasses import dataclass, field

import numpy as np

# e-prop's signal chain: generator -> input -> recurrent -> readout, and the readouts' one-step
# normalization (see models/eprop_target.h)
READOUT_LAG_STEPS = 4
# the multimeter hands over a step's sample one step later
LOOKAHEAD_STEPS = READOUT_LAG_STEPS + 1


@dataclass
class RecurrentGroup:
    model: str
    size: int
    params: dict = field(default_factory=dict)


@dataclass
class EpropConfig:
    n_inputs: int
    groups: list
    n_outputs: int
    readout_params: dict
    trial_steps: int
    learning_window_steps: int
    batch_size: int
    optimizer: dict
    feedback: str = "random"  # "random" (fixed) or "symmetric" (the readout weights, updated per batch)
    average_gradient: bool = True
    reset_neurons_on_update: bool = True
    threads: int = 1
    seed: int = 1

    @property
    def n_recurrent(self):
        return sum(group.size for group in self.groups)


def bellec_initial_weights(rng, config):
    """Initial weights of TU Graz's and NEST's tutorials: normal / sqrt(fan-in), no self-connections,
    Glorot-uniform readout weights and standard-normal random feedback weights."""
    n_in, n_rec, n_out = config.n_inputs, config.n_recurrent, config.n_outputs
    w_rec = rng.standard_normal((n_rec, n_rec)) / np.sqrt(n_rec)
    np.fill_diagonal(w_rec, 0.0)
    limit = np.sqrt(3.0 / max(1.0, (n_rec + n_out) / 2.0))
    return {
        "in_rec": rng.standard_normal((n_rec, n_in)) / np.sqrt(n_in),
        "rec_rec": w_rec,
        "rec_out": rng.uniform(-limit, limit, (n_out, n_rec)),
        "feedback": rng.standard_normal((n_rec, n_out)),
    }


def reset_kernel(threads, seed, update_interval_steps, learning_window_steps, reset_neurons_on_update):
    """Resets NEST to a 1 ms grid with chiplearn installed and e-prop's update interval and learning
    window (in steps) set: the kernel every e-prop training in chiplearn, and its benchmark, runs in."""
    import nest

    import chiplearn

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    # With a min_delay of one step NEST resizes its spike buffer nearly every step and appends each resize
    # to spike_buffer_resize_log, which is never trimmed and which every GetKernelStatus (PyNEST calls it
    # on each SynapseCollection get and set) copies: memory and the time of reading weights grow with every
    # trial. A buffer that only grows stops both.
    nest.set(resolution=1.0, local_num_threads=threads, rng_seed=seed, spike_buffer_shrink_limit=0.0,
             eprop_update_interval=float(update_interval_steps),
             eprop_learning_window=float(learning_window_steps),
             eprop_reset_neurons_on_update=reset_neurons_on_update)


class EpropNetwork:
    """Builds the network in a freshly reset NEST kernel (with chiplearn installed)."""

    PLASTIC = ("in_rec", "rec_rec", "rec_out")

    def __init__(self, config, initial_weights):
        import nest

        self.nest, self.config = nest, config
        reset_kernel(config.threads, config.seed, config.trial_steps, config.learning_window_steps,
                     config.reset_neurons_on_update)

        self.generators = nest.Create("spike_generator", config.n_inputs)
        self.inputs = nest.Create("parrot_neuron", config.n_inputs)
        groups = [nest.Create(group.model, group.size, group.params) for group in config.groups]
        self.recurrent = groups[0]
        for group in groups[1:]:
            self.recurrent += group
        self.readouts = nest.Create("eprop_readout_chiplearn", config.n_outputs, config.readout_params)
        self.targets = nest.Create("step_rate_generator", config.n_outputs)

        self.eta = config.optimizer["eta"]
        nest.SetDefaults("eprop_synapse_chiplearn",
                         {"optimizer": config.optimizer, "average_gradient": config.average_gradient})
        all_to_all = {"rule": "all_to_all", "allow_autapses": False}
        plastic = {"synapse_model": "eprop_synapse_chiplearn", "delay": 1.0}
        nest.Connect(self.generators, self.inputs, "one_to_one", {"synapse_model": "static_synapse", "delay": 1.0})
        nest.Connect(self.inputs, self.recurrent, all_to_all, {**plastic, "weight": initial_weights["in_rec"]})
        nest.Connect(self.recurrent, self.recurrent, all_to_all, {**plastic, "weight": initial_weights["rec_rec"]})
        nest.Connect(self.recurrent, self.readouts, all_to_all, {**plastic, "weight": initial_weights["rec_out"]})
        feedback = initial_weights["rec_out"].T if config.feedback == "symmetric" else initial_weights["feedback"]
        nest.Connect(self.readouts, self.recurrent, all_to_all,
                     {"synapse_model": "eprop_learning_signal_connection_chiplearn", "delay": 1.0,
                      "weight": np.asarray(feedback)})
        nest.Connect(self.targets, self.readouts, "one_to_one",
                     {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2})
        if config.readout_params.get("loss") == "cross_entropy":
            nest.Connect(self.readouts, self.readouts, all_to_all,
                         {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 1,
                          "weight": 1.0})

        self.readout_recorder = nest.Create("multimeter", {"interval": 1.0,
                                                           "record_from": ["readout_signal", "target_signal"]})
        nest.Connect(self.readout_recorder, self.readouts)
        self.spike_recorder = nest.Create("spike_recorder", {"start": 0.0, "stop": 0.0})
        nest.Connect(self.inputs + self.recurrent, self.spike_recorder)
        self.trials_run = 0
        self._target_changes = (np.zeros(0), np.zeros((config.n_outputs, 0)))
        self._spikes_ahead = (np.zeros(0, dtype=int), np.zeros(0))
        self._connections = {
            "in_rec": (self.inputs, self.recurrent),
            "rec_rec": (self.recurrent, self.recurrent),
            "rec_out": (self.recurrent, self.readouts),
            "feedback": (self.readouts, self.recurrent),
        }
        self._synapse_models = {**{name: "eprop_synapse_chiplearn" for name in self.PLASTIC},
                                "feedback": "eprop_learning_signal_connection_chiplearn"}
        self._synapse_cache = {}

    # ---- weights and optimizer state --------------------------------------------------------------------

    def _synapses(self, name):
        """The projection's synapses and the (post, pre) index of each, fetched once: PyNEST asks the
        kernel for its whole status on every get and set, so the fewer calls the better."""
        if name not in self._synapse_cache:
            pre, post = self._connections[name]
            connections = self.nest.GetConnections(pre, post, synapse_model=self._synapse_models[name])
            table = connections.get(["source", "target"])
            rows = np.asarray(table["target"]) - post[0].global_id
            cols = np.asarray(table["source"]) - pre[0].global_id
            self._synapse_cache[name] = (connections, rows, cols)
        return self._synapse_cache[name]

    def _matrices(self, name, keys):
        """Per-synapse values of a projection as (post x pre) matrices, one per key."""
        connections, rows, cols = self._synapses(name)
        table = connections.get(list(keys))
        pre, post = self._connections[name]
        matrices = {}
        for key in keys:
            values = np.atleast_1d(np.asarray(table[key]))
            matrices[key] = np.zeros((len(post), len(pre)), dtype=values.dtype)
            matrices[key][rows, cols] = values
        return matrices

    def weights(self, name, key="weight"):
        """Weights (or another per-synapse value) of a projection as a (post x pre) matrix."""
        return self._matrices(name, [key])[key]

    def state(self):
        """Everything a checkpoint needs to continue training: weights and Adam state per projection."""
        keys = ["weight", "adam_m", "adam_v", "adam_steps"]
        return {f"{name}_{key}": matrix for name in self.PLASTIC
                for key, matrix in self._matrices(name, keys).items()}

    def load_state(self, state):
        keys = ["weight", "adam_m", "adam_v", "adam_steps"]
        for name in self.PLASTIC:
            connections, rows, cols = self._synapses(name)
            values = {key: np.asarray(state[f"{name}_{key}"])[rows, cols] for key in keys}
            connections.set([{key: values[key][i].item() for key in keys} for i in range(len(rows))])
        if self.config.feedback == "symmetric":
            self._update_symmetric_feedback()

    def _update_symmetric_feedback(self):
        """Feedback weight of readout k to neuron j = current readout weight of j to k."""
        w_out = self.weights("rec_out")
        connections, rows, cols = self._synapses("feedback")  # rows: neurons, cols: readouts
        connections.set([{"weight": w} for w in w_out[cols, rows].tolist()])

    # ---- running trials ---------------------------------------------------------------------------------

    def stream(self, batches, record_spikes=None):
        """Runs batches one after the other and yields the network's response to each.

        batches: iterable of (spikes[n, steps, n_inputs] bool, targets, learn) with n = batch_size and
        targets per trial (n x n_outputs) or per step (n x steps x n_outputs); learn=False runs the batch
        with learning rate 0 (validation, test). record_spikes(batch_number) -> bool selects the batches
        whose input and recurrent spikes are recorded.

        Yields dicts with readout_signal and target_signal (n x steps x n_outputs), and spikes (senders,
        times relative to the batch start in ms) where recorded.
        """
        batches = iter(batches)
        current = next(batches, None)
        if current is None:
            return
        self._align_to_batch_grid()
        number = 0
        head_start = 0
        batch_steps = self.config.trial_steps * self.config.batch_size
        start = self._schedule(current, number, record_spikes)
        while current is not None:
            self.nest.Simulate(float(batch_steps - head_start))
            following = next(batches, None)
            following_start = None
            if following is not None:
                following_start = self._schedule(following, number + 1, record_spikes)
            self.nest.Simulate(float(LOOKAHEAD_STEPS))
            head_start = LOOKAHEAD_STEPS
            if self.config.feedback == "symmetric":
                self._update_symmetric_feedback()
            yield self._collect(start)
            current, start = following, following_start
            number += 1

    def _align_to_batch_grid(self):
        """After an earlier stream the clock is a few steps into the next batch slot, too late for its first
        input spikes: let that slot pass with learning frozen, so that batches keep their place on the grid."""
        now = int(round(self.nest.biological_time))
        if now > self.trials_run * self.config.trial_steps:
            self._set_eta(0.0)
            self.trials_run += self.config.batch_size
            self.nest.Simulate(float(self.trials_run * self.config.trial_steps - now))

    def _set_eta(self, eta):
        if eta != self.eta:
            self.nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"eta": eta}})
            self.eta = eta

    def _schedule(self, batch, number, record_spikes):
        """Sets inputs, targets and learning rate of the batch that starts at the current grid position."""
        spikes, targets, learn = batch
        cfg = self.config
        n, steps = cfg.batch_size, cfg.trial_steps
        if spikes.shape != (n, steps, cfg.n_inputs):
            raise ValueError(f"a batch's spikes must have the shape {(n, steps, cfg.n_inputs)}, got {spikes.shape}")
        start = self.trials_run * steps
        trial, step, neuron = np.nonzero(spikes)
        times = start + trial * steps + step + 1.0
        self.generators.set([{"spike_times": np.sort(times[neuron == i])} for i in range(cfg.n_inputs)])

        targets = np.asarray(targets, dtype=float)
        if targets.shape == (n, cfg.n_outputs):
            change_times = start + np.arange(n) * steps + float(READOUT_LAG_STEPS)
            values = targets.T
        elif targets.shape == (n, steps, cfg.n_outputs):
            change_times = start + np.arange(n * steps) + float(READOUT_LAG_STEPS)
            values = targets.reshape(n * steps, cfg.n_outputs).T
        else:
            raise ValueError(f"targets must have the shape {(n, cfg.n_outputs)} or {(n, steps, cfg.n_outputs)}")
        # the previous batch's last target changes fall after this moment: keep them in the new list
        still_due = self._target_changes[0] > start
        change_times = np.concatenate([self._target_changes[0][still_due], change_times])
        values = np.concatenate([self._target_changes[1][:, still_due], values], axis=1)
        self._target_changes = (change_times, values)
        self.targets.set([{"amplitude_times": change_times, "amplitude_values": values[k]}
                          for k in range(cfg.n_outputs)])

        self._set_eta(cfg.optimizer["eta"] if learn else 0.0)
        if record_spikes is not None and record_spikes(number):
            # input spikes of trial step s reach the parrots at s + 2 ms: the batch's spikes lie in (start + 1, end + 1]
            self.spike_recorder.set(start=float(start + 1), stop=float(start + n * steps + 1))
        self.trials_run += n
        return start

    def _collect(self, start):
        cfg = self.config
        n, steps, n_out = cfg.batch_size, cfg.trial_steps, cfg.n_outputs
        events = self.readout_recorder.events
        times, senders = np.asarray(events["times"]), np.asarray(events["senders"])
        window = (times > start + READOUT_LAG_STEPS) & (times <= start + n * steps + READOUT_LAG_STEPS)
        order = np.lexsort((times[window], senders[window]))
        result = {}
        for name in ("readout_signal", "target_signal"):
            values = np.asarray(events[name])[window][order]
            result[name] = values.reshape(n_out, n, steps).transpose(1, 2, 0)
        self.readout_recorder.n_events = 0
        # spikes recorded so far, with those of the next batch's first steps (simulated ahead) kept for it
        events = self.spike_recorder.events
        senders = np.concatenate([self._spikes_ahead[0], np.asarray(events["senders"], dtype=int)])
        times = np.concatenate([self._spikes_ahead[1], np.asarray(events["times"], dtype=float)])
        self.spike_recorder.n_events = 0
        mine = times <= start + n * steps + 1
        self._spikes_ahead = (senders[~mine], times[~mine])
        if np.any(mine):
            result["spikes"] = {"senders": senders[mine], "times": times[mine] - start}
        return result


def cross_entropy(readout_signal, target_signal, window):
    """Mean over trials of -sum_k y*_k log y_k, averaged over the last `window` steps (per trial)."""
    y, y_star = readout_signal[:, -window:], target_signal[:, -window:]
    return -np.mean(np.sum(y_star * np.log(np.clip(y, 1e-12, None)), axis=2), axis=1)


def mean_squared_error(readout_signal, target_signal, window):
    """0.5 sum over the window's steps of the squared error, summed over readouts (per trial)."""
    y, y_star = readout_signal[:, -window:], target_signal[:, -window:]
    return 0.5 * np.sum((y - y_star) ** 2, axis=(1, 2))


def decisions(readout_signal, window):
    """Class per trial: the readout with the largest mean signal over the last `window` steps."""
    return np.argmax(readout_signal[:, -window:].mean(axis=1), axis=1)
