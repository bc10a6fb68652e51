"""Efficient balanced networks in NEST: the spike-coding auto-encoder of Büchel, Kakon, Perez & Indiveri
(ISCAS 2021), trained with their discrete rule (``ebn_synapse_chiplearn``), and its metrics.

The task follows their code: N LIF neurons encode an Nx-dimensional smoothed white-noise signal through a
decoder D with unit-norm columns; thresholds T = (nu lambda_d + mu lambda_d^2 + (sum_i |D_in|)^2) / 2; the
optimal fast weights are -(D^T D + mu lambda_d^2 I) tau_m / tau_fast without the diagonal. Units are theirs:
potentials and currents are the same numbers (C_m = tau_m), weights are jumps of the fast synaptic current.
"""

from dataclasses import dataclass

import nest
import numpy as np

from . import _core, gather

SYNAPSE_MODEL = "ebn_synapse_chiplearn"
#: The step [ms] at which the input's white noise has unit variance per sample (Büchel et al.'s step).
SIGNAL_SAMPLE_STEP = 0.1


@dataclass(frozen=True)
class EbnTask:
    """The experiment's constants (Büchel et al.'s values); times in ms."""

    n_neurons: int = 20
    n_inputs: int = 2
    tau_m: float = 50.0
    tau_readout: float = 10.0  # 1 / lambda_d
    tau_fast: float = 1.0
    mu: float = 1e-4
    nu: float = 1e-3
    amplitude: float = 5000.0  # of the smoothed input; the target is the input / amplitude
    sigma: float = 30.0  # width of the smoothing kernel
    duration: float = 1000.0  # one iteration
    resolution: float = 0.1
    noise_std: float = 0.01
    granularity: float = 2.0
    initial_std: float = 30.0  # of the random initial weights for 2 inputs, before discretization
    omega_per_weight: float = 0.05  # their conversion: tau_m / 1 s
    reset_step: float = 0.1

    @property
    def steps(self):
        return int(round(self.duration / self.resolution))

    @property
    def lambda_d(self):
        """Decay rate of the readout [1/s]."""
        return 1000.0 / self.tau_readout


def decoder(task, rng):
    """Random decoder D (n_inputs x n_neurons) with unit-norm columns."""
    D = rng.standard_normal((task.n_inputs, task.n_neurons))
    return D / np.linalg.norm(D, axis=0, keepdims=True)


def thresholds(task, D):
    return (task.nu * task.lambda_d + task.mu * task.lambda_d**2 + np.abs(D).sum(axis=0) ** 2) / 2.0


def optimal_weights(task, D, tau_m_gain=None):
    """Omega* in the network's weight units (target x source), without the diagonal.

    tau_m_gain: per-neuron factors of the leak time constant (device mismatch). The network's C_m follows
    tau_m, and a fast current's potential scales with 1 / C_m, so a target with factor a needs weights a
    times Omega* to receive the potentials of the nominal network."""
    omega = -(D.T @ D + task.mu * task.lambda_d**2 * np.eye(task.n_neurons)) * task.tau_m / task.tau_fast
    np.fill_diagonal(omega, 0.0)
    return omega if tau_m_gain is None else omega * np.asarray(tau_m_gain)[:, None]


def optimal_resets(task, D, threshold_gain=None):
    """Reset (and rest) potentials of the optimal network: T - diag(D^T D + mu lambda_d^2 I), with the
    thresholds times threshold_gain (device mismatch) if given."""
    T = thresholds(task, D) * (1.0 if threshold_gain is None else np.asarray(threshold_gain))
    return T - (np.sum(D * D, axis=0) + task.mu * task.lambda_d**2)


def discretize(W, granularity):
    """W on the grid of multiples of the granularity (to the nearest level), diagonal kept."""
    grid = granularity * np.round(W / granularity)
    np.fill_diagonal(grid, np.diagonal(W))
    return grid


def initial_weights(task, rng):
    """Random weights on the weight grid, without the diagonal: N(0, initial_std^2) for 2 inputs (Büchel et
    al.'s); for n_inputs, the spread scales as that of the optimal weights, 1 / sqrt(n_inputs)."""
    std = task.initial_std * np.sqrt(2.0 / task.n_inputs)
    W = -discretize(rng.standard_normal((task.n_neurons, task.n_neurons)) * std, task.granularity)
    np.fill_diagonal(W, 0.0)
    return W


def smoothed_white_noise(task, rng):
    """One iteration's input (steps x n_inputs): white noise, the first 10 ms zero, convolved with a
    normalized Gaussian of width sigma over a 1-s window (centred, as numpy's mode 'same'), times amplitude.

    Büchel et al. draw one normal sample per 0.1-ms step; at another step the samples are scaled by
    sqrt(0.1 ms / step), so that the smoothed signal has the same statistics at any resolution."""
    steps = task.steps
    noise = rng.standard_normal((steps, task.n_inputs)) * np.sqrt(SIGNAL_SAMPLE_STEP / task.resolution)
    noise[: int(round(10.0 / task.resolution))] = 0.0
    window = np.linspace(1.0, 1000.0, int(round(1000.0 / task.resolution)))
    kernel = np.exp(-((window - 500.0) ** 2) / (2.0 * task.sigma**2))
    kernel /= kernel.sum()
    length = steps + kernel.size - 1
    size = 1 << (length - 1).bit_length()
    full = np.fft.irfft(np.fft.rfft(noise, size, axis=0) * np.fft.rfft(kernel, size)[:, None], size, axis=0)[:length]
    start = (kernel.size - 1) // 2
    return task.amplitude * full[start : start + steps]


def distance_to_optimal(W, W_optimal):
    """Scale-invariant distance ||W - s W*||^2 / ||W||^2 with the best scale s (Brendel et al.'s ErrorC)."""
    scale = np.sum(W * W_optimal) / np.sum(W_optimal**2)
    return float(np.sum((W - scale * W_optimal) ** 2) / np.sum(W**2))


def decoded_signal(task, D, spike_steps, spike_neurons):
    """The readout D r with r the spike trains filtered by tau_readout (steps x n_inputs)."""
    projected = np.zeros((task.steps, task.n_inputs))
    np.add.at(projected, spike_steps, D[:, spike_neurons].T)
    decay = np.exp(-task.resolution / task.tau_readout)
    readout = np.empty_like(projected)
    state = np.zeros(task.n_inputs)
    for step in range(task.steps):
        state = decay * state + projected[step]
        readout[step] = state
    return readout


def reconstruction_error(readout, target):
    """sum var(target - readout A) / sum var(target), with A the least-squares map of readout onto target."""
    A, *_ = np.linalg.lstsq(readout, target, rcond=None)
    return float(np.sum(np.var(target - readout @ A, axis=0)) / np.sum(np.var(target, axis=0)))


@dataclass
class TrialResult:
    spike_steps: np.ndarray  # step within the trial
    spike_neurons: np.ndarray  # neuron index
    reconstruction_error: float
    rate: float  # mean rate [Hz]
    membrane_variance: float  # mean over neurons of the variance of V_m - E_L
    simultaneous_spikes: float  # fraction of spikes that share their step with another spike
    ran_away: bool = False  # stopped early at max_rate: the metrics cover the simulated part

    @property
    def spikes(self):
        return len(self.spike_steps)


class EbnNetwork:
    """The spike-coding network in NEST: neurons, one current generator per input dimension, plastic
    all-to-all recurrent synapses (the autapses carry the self term), recorders.

    ``synapse`` and ``neuron`` add model parameters (a chip preset's, see ``chiplearn.chip``);
    ``step_gain``, ``tau_m_gain`` and ``threshold_gain`` are per-synapse and per-neuron factors (device
    mismatch)."""

    def __init__(self, task, D, W, *, synapse=None, neuron=None, step_gain=None, tau_m_gain=None,
                 threshold_gain=None, record_interval=None):
        self.task = task
        self.D = D
        n = task.n_neurons
        tau_m = task.tau_m * (np.ones(n) if tau_m_gain is None else tau_m_gain)
        self.thresholds = thresholds(task, D) * (np.ones(n) if threshold_gain is None else threshold_gain)
        neuron_parameters = {"E_L": 0.0, "V_reset": 0.0, "V_m": 0.0, "tau_syn": task.tau_fast,
                             "noise_std": task.noise_std, **(neuron or {})}
        self.neurons = nest.Create("ebn_iaf_chiplearn", n, params=neuron_parameters)
        self.neurons.set(tau_m=tau_m.tolist(), C_m=tau_m.tolist(), V_th=self.thresholds.tolist())
        self.generators = nest.Create("step_current_generator", task.n_inputs)
        # input current D^T c tau_m / 1 s, the scaling of Büchel et al.'s input layer
        nest.Connect(self.generators, self.neurons, "all_to_all",
                     {"weight": D.T * task.tau_m / 1000.0, "delay": task.resolution})
        self.model = f"{SYNAPSE_MODEL}_{id(self)}"
        nest.CopyModel(SYNAPSE_MODEL, self.model, {
            "granularity": task.granularity, "omega_per_weight": task.omega_per_weight,
            "reset_step": task.reset_step, **(synapse or {})})
        gain = np.ones((n, n)) if step_gain is None else step_gain
        nest.Connect(self.neurons, self.neurons, {"rule": "all_to_all", "allow_autapses": True},
                     {"synapse_model": self.model, "weight": W, "step_gain": gain, "delay": task.resolution})
        self.connections = nest.GetConnections(self.neurons, self.neurons, synapse_model=self.model)
        first = self.neurons[0].global_id
        ids = gather.synapse_values(self.connections, ["source", "target"])
        self._sources = ids["source"] - first
        self._targets = ids["target"] - first
        self._weights, self._weights_read_at = None, None
        self.spike_recorder = nest.Create("spike_recorder")
        nest.Connect(self.neurons, self.spike_recorder)
        interval = record_interval or (task.resolution if n <= 100 else 1.0)
        self.multimeter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": interval})
        nest.Connect(self.multimeter, self.neurons)

    @property
    def learning(self):
        return nest.GetDefaults(self.model, "learning")

    @learning.setter
    def learning(self, on):
        nest.SetDefaults(self.model, {"learning": bool(on)})

    def weights(self):
        """The recurrent weights (target x source); the diagonal holds the autapses' weights.

        Reading a million synapses from NEST takes seconds, so the weights are read once per simulated
        period (they change only in Simulate and set_weights)."""
        if self._weights_read_at != nest.biological_time:
            W = np.zeros((self.task.n_neurons, self.task.n_neurons))
            W[self._targets, self._sources] = gather.synapse_values(self.connections, ["weight"])["weight"]
            self._weights, self._weights_read_at = W, nest.biological_time
        return self._weights.copy()

    def set_weights(self, W):
        self.connections.set(weight=W[self._targets, self._sources].tolist())
        self._weights_read_at = None

    def resets(self):
        """Reset potentials (equal to the resting potentials: the self term moves both)."""
        return np.asarray(self.neurons.get("V_reset"), dtype=float)

    def set_resets(self, resets):
        self.neurons.set(E_L=list(map(float, resets)), V_reset=list(map(float, resets)))

    def state(self):
        """What learning changes, for a checkpoint: the weights and the resets."""
        return {"weights": self.weights(), "resets": self.resets()}

    def load_state(self, state):
        self.set_weights(state["weights"])
        self.set_resets(state["resets"])

    def run(self, signal, max_rate=None):
        """Simulates one trial with the input `signal` (steps x n_inputs) from the resting state.

        max_rate [Hz]: stop the trial once the mean rate so far exceeds it (checked every 100 ms); the result
        says it ran away and its metrics cover the simulated part. A run-away network delivers up to
        n_neurons^2 synaptic events per step, which makes a large network's trial take hours."""
        task = self.task
        start = nest.biological_time
        times = np.round(start + task.resolution * np.arange(1, task.steps + 1), 10)
        for generator, values in zip(self.generators, signal.T):
            generator.set(amplitude_times=times.tolist(), amplitude_values=values.tolist())
        rests = self.resets()
        self.neurons.set(V_m=rests.tolist(), I_syn=0.0)
        chunk = task.duration if max_rate is None else min(100.0, task.duration)
        simulated, finished, ran_away = 0.0, False, False
        while not (finished or ran_away):
            length = min(chunk, task.duration - simulated)
            nest.Simulate(length)
            simulated += length
            finished = simulated > task.duration - task.resolution / 2
            rate = self.spike_recorder.n_events / task.n_neurons / (simulated / 1000.0)
            ran_away = not finished and max_rate is not None and rate > max_rate
        steps_simulated = int(round(simulated / task.resolution))
        spikes = gather.events(self.spike_recorder, [])
        steps = np.round((spikes["times"] - start) / task.resolution).astype(int) - 1
        neurons = spikes["senders"] - self.neurons[0].global_id
        membrane = gather.events(self.multimeter, ["V_m"])
        order = np.argsort(membrane["senders"], kind="stable")
        V = membrane["V_m"][order].reshape(task.n_neurons, -1)
        readout = decoded_signal(task, self.D, steps, neurons)[:steps_simulated]
        shared = np.bincount(steps, minlength=task.steps)[steps] > 1
        return TrialResult(
            spike_steps=steps, spike_neurons=neurons,
            reconstruction_error=reconstruction_error(readout, signal[:steps_simulated] / task.amplitude),
            rate=len(steps) / task.n_neurons / (simulated / 1000.0),
            membrane_variance=float(np.mean(np.var(V - rests[:, None], axis=1))),
            simultaneous_spikes=float(shared.mean()) if len(steps) else 0.0, ran_away=ran_away)
