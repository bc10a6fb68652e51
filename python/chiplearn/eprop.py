"""An e-prop network of chiplearn's models in NEST, trained batch by batch from Python.

The network has input neurons (parrots fed by spike generators), recurrent groups of eprop_iaf_chiplearn
and/or eprop_iaf_adapt_chiplearn neurons, and readouts (eprop_readout_chiplearn). Inputs, recurrent and
readout weights learn with eprop_synapse_chiplearn; learning signals travel back over
eprop_learning_signal_connection_chiplearn with random or symmetric feedback weights. Batches of trials run
through it with chiplearn.streaming.
"""

from dataclasses import dataclass, field

import numpy as np

from . import gather
from .kernel import interval_offset, receptor, reset_kernel
from .streaming import TrialStream

#: The models of an e-prop network built with chiplearn.
MODELS = {
    "readout": "eprop_readout_chiplearn",
    "synapse": "eprop_synapse_chiplearn",
    "feedback": "eprop_learning_signal_connection_chiplearn",
}


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
    #: per projection (in_rec, rec_rec, rec_out), the optimizer settings of its own weight grid (Wmin, Wmax,
    #: weight_step, rounding; chiplearn.chip.weight_grid): chip mode with n-bit weights
    weight_grids: dict = None

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


def build_eprop_network(nest, models, n_inputs, groups, n_outputs, readout_params, weights, optimizer,
                        average_gradient, synapse_params=None, weight_grids=None):
    """Creates and connects an e-prop network in the current kernel; returns its node collections.

    models: the readout, synapse and feedback models (MODELS, or another family's); groups: RecurrentGroups;
    weights: in_rec, rec_rec, rec_out (post x pre) and feedback (recurrent x readouts); synapse_params: extra
    parameters of every plastic connection; weight_grids: per projection (in_rec, rec_rec, rec_out) the
    optimizer settings of its weight grid, for which the projection gets its own copy of the synapse model
    (the optimizer is a common property), named "<synapse model>_<projection>". Inputs are parrots fed by spike
    generators, targets step_rate_generators on the readouts' target receptor; with cross-entropy the readouts
    exchange their signals for the softmax. Every connection has e-prop's delay of one step. The nodes are
    returned with "synapse_models", the synapse model of each projection.
    """
    generators = nest.Create("spike_generator", n_inputs)
    inputs = nest.Create("parrot_neuron", n_inputs)
    recurrent = None
    for group in groups:
        created = nest.Create(group.model, group.size, group.params)
        recurrent = created if recurrent is None else recurrent + created
    readouts = nest.Create(models["readout"], n_outputs, readout_params)
    targets = nest.Create("step_rate_generator", n_outputs)

    nest.SetDefaults(models["synapse"], {"optimizer": optimizer, "average_gradient": average_gradient})
    synapse_models = {name: models["synapse"] for name in ("in_rec", "rec_rec", "rec_out")}
    for name, grid in (weight_grids or {}).items():
        synapse_models[name] = f"{models['synapse']}_{name}"
        # the default weight 0 lies on every grid
        nest.CopyModel(models["synapse"], synapse_models[name], {"optimizer": {**optimizer, **grid}, "weight": 0.0})
    plastic = {"delay": 1.0, **(synapse_params or {})}
    all_to_all = {"rule": "all_to_all", "allow_autapses": False}
    nest.Connect(generators, inputs, "one_to_one", {"synapse_model": "static_synapse", "delay": 1.0})
    for name, (pre, post) in {"in_rec": (inputs, recurrent), "rec_rec": (recurrent, recurrent),
                              "rec_out": (recurrent, readouts)}.items():
        nest.Connect(pre, post, all_to_all, {**plastic, "synapse_model": synapse_models[name], "weight": weights[name]})
    nest.Connect(readouts, recurrent, all_to_all,
                 {"synapse_model": models["feedback"], "delay": 1.0, "weight": np.asarray(weights["feedback"])})
    nest.Connect(targets, readouts, "one_to_one",
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0,
                  "receptor_type": receptor(models["readout"], "target_signal")})
    if readout_params.get("loss") == "cross_entropy":
        nest.Connect(readouts, readouts, all_to_all,
                     {"synapse_model": "rate_connection_delayed", "delay": 1.0, "weight": 1.0,
                      "receptor_type": receptor(models["readout"], "readout_signal")})
    return {"generators": generators, "inputs": inputs, "recurrent": recurrent, "readouts": readouts,
            "targets": targets, "synapse_models": synapse_models}


class EpropNetwork:
    """An e-prop network in a freshly reset NEST kernel (with chiplearn installed), trained with stream()."""

    PLASTIC = ("in_rec", "rec_rec", "rec_out")

    def __init__(self, config, initial_weights):
        import nest

        self.nest, self.config = nest, config
        reset_kernel(config.threads, config.seed, config.trial_steps, config.learning_window_steps,
                     config.reset_neurons_on_update)
        nodes = build_eprop_network(nest, MODELS, config.n_inputs, config.groups, config.n_outputs,
                                    config.readout_params, initial_weights, config.optimizer, config.average_gradient,
                                    weight_grids=config.weight_grids)
        self.generators, self.inputs = nodes["generators"], nodes["inputs"]
        self.recurrent, self.readouts, self.targets = nodes["recurrent"], nodes["readouts"], nodes["targets"]

        self.readout_recorder = nest.Create("multimeter", {"interval": 1.0,
                                                           "record_from": ["readout_signal", "target_signal"]})
        nest.Connect(self.readout_recorder, self.readouts)
        self.spike_recorder = nest.Create("spike_recorder", {"start": 0.0, "stop": 0.0})
        nest.Connect(self.inputs + self.recurrent, self.spike_recorder)
        self.training_eta = config.optimizer["eta"]  # of the training batches; validation and test run at 0
        self.eta = self.training_eta  # as set in the synapse models now
        self._stream = TrialStream(
            nest, generators=self.generators, targets=self.targets, readout_recorder=self.readout_recorder,
            spike_recorder=self.spike_recorder, trial_steps=config.trial_steps, batch_size=config.batch_size,
            readout_offset=interval_offset(MODELS["readout"]), set_learning=self._set_learning,
            after_batch=self._update_symmetric_feedback if config.feedback == "symmetric" else None)
        self._connections = {
            "in_rec": (self.inputs, self.recurrent),
            "rec_rec": (self.recurrent, self.recurrent),
            "rec_out": (self.recurrent, self.readouts),
            "feedback": (self.readouts, self.recurrent),
        }
        self._synapse_models = {**nodes["synapse_models"], "feedback": MODELS["feedback"]}
        self._synapse_cache = {}
        if config.feedback == "symmetric":
            self._update_symmetric_feedback()

    def stream(self, batches, record_spikes=None):
        """Runs batches of (spikes, targets, learn) and yields the response to each (TrialStream.run)."""
        return self._stream.run(batches, record_spikes)

    # ---- weights and optimizer state --------------------------------------------------------------------

    def _synapses(self, name):
        """The projection's synapses and the (post, pre) index of each, fetched once: PyNEST asks the
        kernel for its whole status on every get and set, so the fewer calls the better."""
        if name not in self._synapse_cache:
            pre, post = self._connections[name]
            connections = self.nest.GetConnections(pre, post, synapse_model=self._synapse_models[name])
            self._synapse_cache[name] = (connections, *gather.synapse_positions(connections, pre, post))
        return self._synapse_cache[name]

    def _matrices(self, name, keys):
        """Per-synapse values of a projection as (post x pre) matrices, one per key."""
        connections, rows, cols = self._synapses(name)
        pre, post = self._connections[name]
        return gather.synapse_matrices(connections, (rows, cols), (len(post), len(pre)), keys)

    def weights(self, name, key="weight"):
        """Weights (or another per-synapse value) of a projection as a (post x pre) matrix."""
        return self._matrices(name, [key])[key]

    def state(self):
        """Everything a checkpoint needs to continue training: weights and Adam state per projection.

        First every synapse applies the gradients of the batches completed so far, which it would otherwise
        apply (with the same arithmetic) at its next presynaptic spike: so the state is complete, and a network
        loaded with it in a new kernel continues as this one does."""
        for name in self.PLASTIC:
            connections, _, _ = self._synapses(name)
            connections.set(apply_held_gradient=True)
        return {f"{name}_{key}": matrix for name in self.PLASTIC
                for key, matrix in self._matrices(name, gather.SYNAPSE_STATE_KEYS).items()}

    def load_state(self, state):
        for name in self.PLASTIC:
            connections, rows, cols = self._synapses(name)
            gather.set_synapse_values(
                connections, {key: np.asarray(state[f"{name}_{key}"])[rows, cols] for key in gather.SYNAPSE_STATE_KEYS})
        if self.config.feedback == "symmetric":
            self._update_symmetric_feedback()

    def _update_symmetric_feedback(self):
        """Feedback weight of readout k to neuron j = current readout weight of j to k."""
        w_out = self.weights("rec_out")
        connections, rows, cols = self._synapses("feedback")  # rows: neurons, cols: readouts
        gather.set_synapse_values(connections, {"weight": w_out[cols, rows]})

    def set_training_eta(self, eta):
        """The learning rate of the training batches scheduled from now on (a learning-rate schedule)."""
        self.training_eta = eta

    def _set_learning(self, learn):
        eta = self.training_eta if learn else 0.0
        if eta != self.eta:
            for model in sorted({self._synapse_models[name] for name in self.PLASTIC}):
                self.nest.SetDefaults(model, {"optimizer": {"eta": eta}})
            self.eta = eta
