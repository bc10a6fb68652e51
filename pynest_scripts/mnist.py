"""MNIST with an EventProp readout in NEST: 784 latency-coded inputs onto 10 outputs, trained readout-only.

Each image is one trial: every pixel brighter than 1/255 spikes once, brighter pixels earlier (EventProp's
latency code, chiplearn.datasets.latency_spike_times, 1 ms to 20 ms), and 10 eventprop_readout_chiplearn
outputs answer. Two kinds of outputs:

  --output lif    spiking LIF outputs, first-spike-time cross-entropy (the class whose output fires first)
  --output leaky  non-spiking leaky readouts, cross-entropy on their maximum membrane potential (the readout
                  of Wunderlich & Pehle's MNIST network, made for a hidden layer below it: alone it learns
                  slowly, since an output whose potential stays below 0 has its maximum at the trial start
                  and no gradient)

The first-spike outputs' defaults (slope floor 3 mV, Adam 1e-3) reach 90 % test accuracy in two epochs:
the gradient of a spike time divides by the membrane's slope at the crossing, and with a low floor the few
trials whose target crosses the threshold grazingly carry almost all of the gradient (benchmarks/RESULTS.md).

Training uses Adam on batches of trials, all inside NEST (eventprop_synapse_chiplearn); after every epoch
the test set runs with learning frozen and the test accuracy is printed. The script saves the weights, the
learning curve and a figure (learning curve, input rasters with the outputs' responses, confusion matrix)
in --output-dir, and a checkpoint after every epoch: started again with the same --output-dir it resumes
from the last completed epoch.

    python pynest_scripts/mnist.py [--output lif|leaky] [--epochs N] [--batch-size N] [--eta X]
        [--train N] [--test N] [--seed N] [--quick]
"""

import argparse
import json
import os
import time

import numpy as np
from tqdm import tqdm

from chiplearn import datasets, eventprop
from chiplearn.files import save_figure, save_json, save_npz
from chiplearn.gather import report

TRIAL = 30.0   # ms: latencies up to 20 ms, and time for the outputs to answer
T_MAX = 20.0   # ms: the latest input spike (darkest spiking pixel)
CHUNK = 1024   # trials per Simulate call (a multiple of every batch size used here)
MEMBRANE = {"tau_m": 20.0, "tau_syn": 5.0, "C_m": 20.0, "V_th": 1.0}  # tau_m / C_m = 1: w in the paper's units
OUTPUTS = {
    "leaky": {"resolution": 0.5, "params": {**MEMBRANE, "neuron_model": "leaky", "loss": "max_voltage_cross_entropy"},
              "init": (0.0, 0.05)},
    "lif": {"resolution": 1.0, "params": {**MEMBRANE, "tau_0": 2.0, "tau_1": 10.0, "alpha": 0.01, "slope_floor": 3.0},
            "init": (0.1, 0.1)},
}


class MnistReadout:
    """The 784 -> 10 EventProp network in a fresh kernel, run in chunks of trials with a trial counter."""

    def __init__(self, nest, output, weights, optimizer):
        import chiplearn

        self.nest, self.output = nest, output
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        chiplearn.install()
        self.h = OUTPUTS[output]["resolution"]
        nest.set(resolution=self.h, eprop_update_interval=TRIAL, local_num_threads=1)
        self.nodes = eventprop.build_readout_network(nest, 784, 10, OUTPUTS[output]["params"], weights, optimizer)
        self.logits = nest.Create("multimeter", {"interval": TRIAL, "record_from": ["logit"]})
        nest.Connect(self.logits, self.nodes["outputs"])
        self.connections = nest.GetConnections(self.nodes["inputs"], self.nodes["outputs"])
        self.trial = 0
        self.optimizer = optimizer

    def set_eta(self, eta):
        """A new learning rate applies from the next batch (0 freezes the weights for testing)."""
        self.nest.SetDefaults(eventprop.SYNAPSE, {"optimizer": {"eta": eta}})

    def run(self, images, labels):
        """Runs the trials, one per image."""
        times = datasets.latency_spike_times(images, t_max=T_MAX, resolution=self.h)
        eventprop.set_trials(self.nest, self.nodes, self.trial, TRIAL, times, labels)
        self.nest.Simulate(len(labels) * TRIAL)
        self.trial += len(labels)

    def logits_since(self, first_trial):
        """The outputs' logits of the trials from first_trial on, (trials, 10). A trial's logit is sampled at its
        end, which the next Simulate records: a trial without input spikes is run first."""
        self.nodes["generators"].set(spike_times=[])
        self.nest.Simulate(TRIAL)
        self.trial += 1
        events = self.logits.events
        trial = np.rint(events["times"] / TRIAL).astype(int) - 1
        keep = (trial >= first_trial) & (trial < self.trial - 1)
        order = np.lexsort((events["senders"][keep], trial[keep]))
        return events["logit"][keep][order].reshape(-1, 10)

    def state(self):
        """Weights (10, 784) and Adam state of every synapse, ordered by (output, input)."""
        status = self.connections.get(["source", "target", "weight", "adam_m", "adam_v", "adam_steps"])
        order = np.lexsort((np.array(status["source"]), np.array(status["target"])))
        return {key: np.asarray(status[key])[order].reshape(10, 784) for key in ("weight", "adam_m", "adam_v", "adam_steps")}

    def load_state(self, state):
        status = self.connections.get(["source", "target"])
        first_in, first_out = self.nodes["inputs"][0].global_id, self.nodes["outputs"][0].global_id
        rows = np.array(status["target"]) - first_out
        cols = np.array(status["source"]) - first_in
        self.connections.set([{"weight": float(state["weight"][r, c]), "adam_m": float(state["adam_m"][r, c]),
                               "adam_v": float(state["adam_v"][r, c]), "adam_steps": int(state["adam_steps"][r, c])}
                              for r, c in zip(rows, cols)])


def softmax_loss(logits, labels):
    """Cross-entropy of the softmax of the logits (the early-spike term of the first-spike loss left out)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels]


def run_trials(network, images, labels, description):
    """Runs the images as trials in chunks (one Simulate each); returns their logits."""
    first = network.trial
    network.logits.n_events = 0
    for start in tqdm(range(0, len(labels), CHUNK), desc=description, leave=False, unit="chunk"):
        network.run(images[start:start + CHUNK], labels[start:start + CHUNK])
    return network.logits_since(first)


def plot(path, log, example_images, example_logits, example_labels, confusion, h):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    epochs = np.arange(1, len(log["test_accuracy"]) + 1)
    axes[0, 0].plot(epochs, log["train_accuracy"], "o-", label="training (during the epoch)")
    axes[0, 0].plot(epochs, log["test_accuracy"], "s-", label="test (learning frozen)")
    axes[0, 0].set(xlabel="epoch", ylabel="accuracy", title="learning curve")
    axes[0, 0].legend()
    axes[0, 1].plot(epochs, log["train_loss"], "o-")
    axes[0, 1].set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    for k, ax in enumerate([axes[0, 2], axes[1, 0]]):
        times = datasets.latency_spike_times(example_images[k:k + 1], t_max=T_MAX, resolution=h)[0]
        fires = np.isfinite(times)
        ax.plot(times[fires], np.nonzero(fires)[0], "k.", markersize=2)
        ax.set(xlim=(0, TRIAL), xlabel="time in trial (ms)", ylabel="input (pixel)",
               title=f"label {example_labels[k]}, predicted {np.argmax(example_logits[k])}")
    im = axes[1, 1].imshow(confusion, cmap="Blues")
    axes[1, 1].set(xlabel="predicted", ylabel="true", title="test confusion matrix", xticks=range(10), yticks=range(10))
    figure.colorbar(im, ax=axes[1, 1])
    axes[1, 2].bar(range(10), example_logits[0])
    axes[1, 2].set(xlabel="output", ylabel="logit", title="outputs' logits, first example")
    figure.tight_layout()
    save_figure(figure, path, dpi=120)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", choices=sorted(OUTPUTS), default="lif")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eta", type=float, default=1e-3, help="Adam's learning rate")
    parser.add_argument("--lr-decay", type=float, default=0.95, help="learning rate factor per epoch")
    parser.add_argument("--train", type=int, default=60000, help="training images used")
    parser.add_argument("--test", type=int, default=10000, help="test images used")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2 epochs on 4096 training and 2048 test images")
    parser.add_argument("--output-dir", default="results/mnist")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.train, args.test = 2, 4096, 2048
    eta = args.eta
    import nest

    os.makedirs(args.output_dir, exist_ok=True)
    checkpoint_path = os.path.join(args.output_dir, f"checkpoint_{args.output}.npz")
    x_train, y_train, x_test, y_test = datasets.load_mnist()
    x_train, y_train = x_train[:args.train], y_train[:args.train].astype(int)
    x_test, y_test = x_test[:args.test], y_test[:args.test].astype(int)
    rng = np.random.default_rng(args.seed)
    mean, std = OUTPUTS[args.output]["init"]
    weights = rng.normal(mean, std, (10, 784))
    state, log, first_epoch = None, {"train_accuracy": [], "train_loss": [], "test_accuracy": [], "epoch_seconds": []}, 0
    if os.path.exists(checkpoint_path):
        with np.load(checkpoint_path) as saved:
            state = {key: saved[key] for key in ("weight", "adam_m", "adam_v", "adam_steps")}
            rng.bit_generator.state = json.loads(str(saved["rng_state"]))
            log, first_epoch = json.loads(str(saved["log"])), int(saved["epoch"])
        report(f"resuming after epoch {first_epoch} from {checkpoint_path}")

    optimizer = {"type": "adam", "eta": eta, "batch_size": args.batch_size, "beta_1": 0.9, "beta_2": 0.999,
                 "epsilon": 1e-8, "Wmin": -100.0, "Wmax": 100.0}
    report(f"MNIST, EventProp readout ({args.output}), {len(y_train)} training and {len(y_test)} test images, "
           f"batch {args.batch_size}, Adam {eta:g}")
    for epoch in range(first_epoch, args.epochs):
        # a fresh kernel per epoch: the trial counter restarts, the synapses' state comes from the last epoch
        network = MnistReadout(nest, args.output, weights, dict(optimizer, eta=eta * args.lr_decay ** epoch))
        if state is not None:
            network.load_state(state)
        started = time.time()
        order = rng.permutation(len(y_train))
        logits = run_trials(network, x_train[order], y_train[order], f"epoch {epoch + 1} training")
        train_seconds = time.time() - started
        network.set_eta(0.0)
        test_logits = run_trials(network, x_test, y_test, f"epoch {epoch + 1} test")
        state = network.state()  # complete: the last training batch was stepped during the test trials
        predicted = np.argmax(test_logits, axis=1)
        log["train_accuracy"].append(float(np.mean(np.argmax(logits, axis=1) == y_train[order])))
        log["train_loss"].append(float(np.mean(softmax_loss(logits, y_train[order]))))
        log["test_accuracy"].append(float(np.mean(predicted == y_test)))
        log["epoch_seconds"].append(train_seconds)
        report(f"epoch {epoch + 1}: training accuracy {log['train_accuracy'][-1]:.4f}, loss {log['train_loss'][-1]:.4f}, "
               f"test accuracy {log['test_accuracy'][-1]:.4f}, training {train_seconds:.0f} s "
               f"({train_seconds / len(y_train) * 60000 / 60:.2f} min per 60,000 images)")
        save_npz(checkpoint_path, **state, rng_state=json.dumps(rng.bit_generator.state), log=json.dumps(log),
                 epoch=epoch + 1)
        confusion = np.zeros((10, 10), dtype=int)
        np.add.at(confusion, (y_test, predicted), 1)
        save_npz(os.path.join(args.output_dir, f"weights_{args.output}.npz"), weight=state["weight"])
        save_json({"output": args.output, "eta": eta, "batch_size": args.batch_size, "seed": args.seed,
                   "train_images": len(y_train), "test_images": len(y_test), **log},
                  os.path.join(args.output_dir, f"results_{args.output}.json"))
        plot(os.path.join(args.output_dir, f"mnist_{args.output}.png"), log, x_test[:2], test_logits[:2], y_test[:2],
             confusion, network.h)
    if log["test_accuracy"]:
        report(f"test accuracy after {len(log['test_accuracy'])} epochs: {log['test_accuracy'][-1]:.4f}")


if __name__ == "__main__":
    main()
