"""MNIST with EventProp in NEST: 784 latency-coded inputs onto 10 outputs, readout-only or through a hidden layer.

Each image is one trial: every pixel brighter than 1/255 spikes once, brighter pixels earlier (EventProp's
latency code, chiplearn.datasets.latency_spike_times, 1 ms to 20 ms), and 10 eventprop_readout_chiplearn
outputs answer, directly (--hidden 0, the default) or through --hidden N eventprop_iaf_chiplearn neurons
(784-N-10, both layers trained end to end: the outputs send their adjoints back over feedback connections,
chiplearn.eventprop.build_hidden_network). Two kinds of outputs:

  --output lif    spiking LIF outputs, first-spike-time cross-entropy (the class whose output fires first)
  --output leaky  non-spiking leaky readouts, cross-entropy on their maximum membrane potential (the readout
                  of Wunderlich & Pehle's MNIST network, made for a hidden layer below it: alone it learns
                  slowly, since an output whose potential stays below 0 has its maximum at the trial start
                  and no gradient)

Defaults: readout-only, first-spike outputs with Adam 1e-3 (they reach 90 % test accuracy in two epochs:
the gradient of a spike time divides by the membrane's slope at the crossing, and with a low floor the few
trials whose target crosses the threshold grazingly carry almost all of the gradient; slope floor 3 mV);
with --hidden, Wunderlich & Pehle's MNIST setting: leaky readouts, the max-voltage loss and Adam 5e-3. Above a
hidden layer the first-spike outputs learn more slowly and leave more and more trials with no output at all
(the loss rewards silent non-targets, and the hidden layer they share silences whole trials); both measured
in benchmarks/RESULTS.md.

Hidden layer: Wunderlich & Pehle's MNIST network is 784-350-10 with leaky readouts and the max-voltage loss,
hidden weights N(0.078, 0.045) and output weights N(0.2, 0.37) in their units (tau_m / C_m = 1, threshold 1),
Adam 5e-3 x 0.95 per epoch, batches of 5, input-spike dropout 0.2 (not done here). Both kinds of outputs run
above the hidden layer with the paper's hidden weights; the output weights are the paper's scaled by
350 / N, so that the outputs' drive stays the same for another N. The hidden layer sends its spikes at their
precise times, so only the inputs are on the grid.

Training uses Adam on batches of trials, all inside NEST (eventprop_synapse_chiplearn), in the epoch loop
of chiplearn.eventprop_training; after every epoch the test set runs with learning frozen and the test
accuracy is printed. The script saves the weights, the
learning curve and a figure (learning curve, input rasters with the outputs' responses, confusion matrix)
in --output-dir, and a checkpoint after every epoch: started again with the same --output-dir it resumes
from the last completed epoch.

    python pynest_scripts/mnist.py [--hidden N] [--output lif|leaky] [--epochs N] [--batch-size N] [--eta X]
        [--train N] [--test N] [--seed N] [--threads N] [--quick] [--output-dir DIR]
"""

import argparse
import os

import numpy as np

from chiplearn import datasets, eventprop_training
from chiplearn.files import save_figure, save_json, save_npz
from chiplearn.gather import report

TRIAL = 30.0   # ms: latencies up to 20 ms, and time for the outputs to answer
T_MAX = 20.0   # ms: the latest input spike (darkest spiking pixel)
CHUNK = 1024   # trials per Simulate call
MEMBRANE = {"tau_m": 20.0, "tau_syn": 5.0, "C_m": 20.0, "V_th": 1.0}  # tau_m / C_m = 1: w in the paper's units
OUTPUTS = {
    "leaky": {"resolution": 0.5, "params": {**MEMBRANE, "neuron_model": "leaky", "loss": "max_voltage_cross_entropy"},
              "init": (0.0, 0.05)},
    "lif": {"resolution": 1.0, "params": {**MEMBRANE, "tau_0": 2.0, "tau_1": 10.0, "alpha": 0.01, "slope_floor": 3.0},
            "init": (0.1, 0.1)},
}
HIDDEN_INIT = (0.078, 0.045)   # the paper's hidden weights (normal mean, standard deviation)
OUTPUT_INIT = (0.2, 0.37)      # the paper's output weights for 350 hidden neurons; scaled by 350 / hidden
PAPER_HIDDEN = 350
HIDDEN_SLOPE_FLOOR = 1.0       # the threshold, as in pynest_scripts/yin_yang.py: a burst's chained jumps cannot grow


def plot(path, log, example_images, example_logits, example_labels, example_answers, confusion, h):
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
               title=f"label {example_labels[k]}, answer {example_answers[k] if example_answers[k] >= 0 else 'none'}")
    im = axes[1, 1].imshow(confusion, cmap="Blues")
    axes[1, 1].set(xlabel="answer", ylabel="true", title="test confusion matrix", xticks=range(11),
                   xticklabels=[*map(str, range(10)), "none"], yticks=range(10))
    figure.colorbar(im, ax=axes[1, 1])
    axes[1, 2].bar(range(10), example_logits[0])
    axes[1, 2].set(xlabel="output", ylabel="logit", title="outputs' logits, first example")
    figure.tight_layout()
    save_figure(figure, path, dpi=120)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", type=int, default=0, help="hidden neurons (0: readout-only)")
    parser.add_argument("--output", choices=sorted(OUTPUTS),
                        help="lif (first-spike) or leaky (max-voltage) outputs; default lif, leaky with --hidden")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eta", type=float, help="Adam's learning rate; default 1e-3, 5e-3 with --hidden")
    parser.add_argument("--lr-decay", type=float, default=0.95, help="learning rate factor per epoch")
    parser.add_argument("--train", type=int, default=60000, help="training images used")
    parser.add_argument("--test", type=int, default=10000, help="test images used")
    parser.add_argument("--silent-lift", type=float, default=0.0,
                        help="strength (per unit of threshold) of the lift of a silent hidden neuron; 0: off")
    parser.add_argument("--silent-lift-after", type=int,
                        help="training trials in a row without a spike before a hidden neuron is lifted; "
                             "default the batch size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2 epochs on 4096 training and 2048 test images")
    parser.add_argument("--output-dir", default="results/mnist")
    args = parser.parse_args()
    if args.hidden < 0:
        parser.error(f"--hidden {args.hidden}: the number of hidden neurons must be >= 0")
    if args.silent_lift_after is None:
        args.silent_lift_after = args.batch_size
    if args.quick:
        args.epochs, args.train, args.test = 2, 4096, 2048
    if args.output is None:
        args.output = "lif" if args.hidden == 0 else "leaky"
    if args.eta is None:
        args.eta = 1e-3 if args.hidden == 0 else 5e-3
    import nest

    os.makedirs(args.output_dir, exist_ok=True)
    name = args.output if args.hidden == 0 else f"{args.output}_hidden{args.hidden}"
    x_train, y_train, x_test, y_test = datasets.load_mnist()
    x_train, y_train = x_train[:args.train], y_train[:args.train].astype(int)
    x_test, y_test = x_test[:args.test], y_test[:args.test].astype(int)
    rng = np.random.default_rng(args.seed)
    if args.hidden == 0:
        weights = {"output": rng.normal(*OUTPUTS[args.output]["init"], (10, 784))}
    else:
        weights = {"hidden": rng.normal(*HIDDEN_INIT, (args.hidden, 784)),
                   "output": rng.normal(*OUTPUT_INIT, (10, args.hidden)) * (PAPER_HIDDEN / args.hidden)}
    h = OUTPUTS[args.output]["resolution"]
    readout = OUTPUTS[args.output]["params"]
    hidden_params = None if args.hidden == 0 else dict(MEMBRANE, slope_floor=HIDDEN_SLOPE_FLOOR,
                                                       silent_lift=args.silent_lift,
                                                       silent_lift_after=args.silent_lift_after)
    optimizer = {"type": "adam", "eta": args.eta, "batch_size": args.batch_size, "beta_1": 0.9, "beta_2": 0.999,
                 "epsilon": 1e-8, "Wmin": -100.0, "Wmax": 100.0}
    # a first-spike output that did not fire enters with t = TRIAL; a leaky output always answers
    no_answer_below = -TRIAL / readout["tau_0"] if args.output == "lif" else -np.inf

    def answer(logits):
        return eventprop_training.answers(logits, no_answer_below)

    def make_network(eta):
        return eventprop_training.EventpropNetwork(
            nest, resolution=h, trial_length=TRIAL, threads=args.threads, n_inputs=784, n_outputs=10,
            hidden_params=hidden_params, readout_params=readout, weights=weights, optimizer=dict(optimizer, eta=eta),
            chunk=CHUNK, encode=lambda images: datasets.latency_spike_times(images, t_max=T_MAX, resolution=h))

    def after_epoch(epoch, log, state, logits):
        predicted = answer(logits["test"])
        confusion = np.zeros((10, 11), dtype=int)  # the last column: no answer
        np.add.at(confusion, (y_test, predicted), 1)
        save_npz(os.path.join(args.output_dir, f"weights_{name}.npz"),
                 **{layer: state[f"{layer}_weight"] for layer in ("hidden", "output") if f"{layer}_weight" in state})
        save_json({"hidden": args.hidden, "output": args.output, "eta": args.eta, "lr_decay": args.lr_decay,
                   "batch_size": args.batch_size, "seed": args.seed, "resolution": h, "threads": args.threads,
                   "silent_lift": args.silent_lift, "silent_lift_after": args.silent_lift_after,
                   "train_images": len(y_train), "test_images": len(y_test), **log},
                  os.path.join(args.output_dir, f"results_{name}.json"))
        plot(os.path.join(args.output_dir, f"mnist_{name}.png"), log, x_test[:2], logits["test"][:2], y_test[:2],
             predicted[:2], confusion, h)

    layers = "784-10" if args.hidden == 0 else f"784-{args.hidden}-10"
    report(f"MNIST, EventProp {layers} ({args.output} outputs), {len(y_train)} training and {len(y_test)} test images, "
           f"batch {args.batch_size}, Adam {args.eta:g} x {args.lr_decay:g} per epoch, resolution {h} ms, "
           f"seed {args.seed}, {args.threads} thread(s)")
    log = eventprop_training.train_epochs(
        make_network, (x_train, y_train), {"test": (x_test, y_test)}, epochs=args.epochs, eta=args.eta,
        lr_decay=args.lr_decay, rng=rng, checkpoint_path=os.path.join(args.output_dir, f"checkpoint_{name}.npz"),
        initial_state=None, answer=answer, after_epoch=after_epoch)
    if log["test_accuracy"]:
        minutes = np.array(log["train_seconds"]) / len(y_train) * 60000 / 60
        report(f"test accuracy after {len(log['test_accuracy'])} epochs: {log['test_accuracy'][-1]:.4f}; "
               f"training {minutes.mean():.2f} min per 60,000 images (mean over the epochs of this run's log)")


if __name__ == "__main__":
    main()
