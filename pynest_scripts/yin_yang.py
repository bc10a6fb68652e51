"""Yin-Yang with EventProp in NEST: 5 time-coded inputs, a hidden LIF layer, 3 first-spike outputs, trained end to end.

The Yin-Yang task (Kriener, Göltz & Petrovici 2021) asks which of three regions of the Yin-Yang figure a point
(x, y) of the unit square lies in; a network without a hidden layer reaches about 64 %. Each point is one trial:
x, y, 1 - x and 1 - y spike once each at 1 ms + 30 ms * value and a fifth input, the bias, at 1 ms
(chiplearn.datasets.yin_yang_spike_times; the paper's code at 0 + 30 ms * value, shifted by 1 ms because a
trial's first steps still carry the adjoint of the previous trial to the hidden layer). The inputs drive a
hidden layer of eventprop_iaf_chiplearn neurons (default 200) and these 3 eventprop_readout_chiplearn outputs
with first-spike-time cross-entropy and its early-spike term; the class whose output fires first is the
answer. Both layers learn by EventProp inside NEST (chiplearn.eventprop.build_hidden_network): the outputs
send their adjoints back to the hidden neurons over feedback connections, and the synapses take Adam steps
over batches of trials. Neurons, initial weights, loss and optimizer are Wunderlich & Pehle's (2021) for
this task, in their units (tau_m / C_m = 1, threshold 1); the data are the generator's 5000 training
(seed 42), 1000 validation (seed 41) and 1000 test (seed 40) points.

Slope floors: the adjoint divides by tau_m dV/dt at each spike, bounded below by a floor in each layer
(--hidden-slope-floor, default 0.3, --output-slope-floor, default 1; threshold 1). With 0.1, 0.3 or 0.5 at
the outputs the run collapsed in epoch 4 or 5: the targets went silent, and the hidden layer with them. A
floor at the threshold bounds an output's jump, and the phantom spike of a silent target (dL/dt at the
trial's end / floor), to the size of an ordinary crossing's. In the hidden layer a floor of 1 learns more
slowly and less far (95.7 %, 97.2 % and 96.3 % test accuracy at the best validation epoch of 30 with seeds
1-3) than 0.3, which without the lift below reached 97.7 % with seed 3 and collapsed with seed 2.

Silent hidden neurons: what collapsed was the hidden layer. A hidden neuron that does not fire gets no
gradient (its adjoint jumps only at its spikes); a third of the layer is silent under the paper's initial
weights, training silenced more, and when the last active neurons lost their drive the targets fell silent
with them. The hidden neurons' lift (eventprop_iaf_chiplearn's silent_lift, --silent-lift, default 10 per
unit of threshold; --silent-lift-after, default the batch size) adds silent_lift (V_th - V_max) to the loss of
a neuron that has stayed silent for that many training trials in a row, V_max its largest potential in the
trial, and so raises its input weights until it fires again (the count starts again with each epoch). With it
no hidden neuron stays silent through an epoch after the first, and seeds 1-5 reach 97.7-98.4 % test accuracy
(benchmarks/RESULTS.md, "EventProp: Yin-Yang"). Each epoch's log has the layer's state (hidden_silent: the
fraction of hidden neurons that fired in no training trial; hidden_spikes_per_trial). A trial whose target
stayed silent teaches only the target, through its phantom spike (--phantom-spike-scale sizes it).

Resolution 0.1 ms: the hidden and output spikes are at their precise crossing times (off the grid), so only
the input spikes are on the grid, which rounds x and y to 1/300 of their range (the dots' radius is 0.1);
the time per trial grows as 1 / resolution (benchmarks/RESULTS.md, "EventProp: Yin-Yang").

After every epoch the validation and test sets run with learning frozen, and the outputs' answers over a
grid of the unit square make the decision map. The script saves the weights, the learning curve and a
figure (learning curve, decision map with the test points) in --output-dir, and a checkpoint after every
epoch: started again with the same --output-dir it resumes from the last completed epoch.

    python pynest_scripts/yin_yang.py [--hidden N] [--epochs N] [--batch-size N] [--eta X] [--train N]
        [--seed N] [--threads N] [--quick] [--output-dir DIR]
"""

import argparse
import os

import numpy as np

from chiplearn import datasets, eventprop_training
from chiplearn.files import save_figure, save_json, save_npz
from chiplearn.gather import report

H = 0.1           # ms
T_EARLY = 1.0     # ms: the bias spike and the spike of a value 0
T_RANGE = 30.0    # ms: a value 1 spikes T_RANGE after a value 0
TRIAL = 50.0      # ms: the latest input at 31 ms, the hidden layer done by about 37 ms, then the outputs
CHUNK = 512       # trials per Simulate call
MEMBRANE = {"tau_m": 20.0, "tau_syn": 5.0, "C_m": 20.0, "V_th": 1.0}  # the paper's units
FIRST_SPIKE = {"tau_0": 0.5, "tau_1": 6.4, "alpha": 3e-3}
HIDDEN_INIT = (1.5, 0.78)   # normal mean, standard deviation of the initial weights (paper units)
OUTPUT_INIT = (0.93, 0.1)  # for 200 hidden neurons; scaled by 200 / hidden, so that the outputs' drive stays
PAPER_HIDDEN = 200         # the same (with the paper's weights and 60 hidden neurons a third of the targets are silent)
DATA_SEEDS = {"train": 42, "validation": 41, "test": 40}


def first_spike_answers(logits):
    """The class whose output fired first; -1 where no output fired (a silent output enters with t = TRIAL) or the
    first ones tie."""
    return eventprop_training.answers(logits, no_answer_below=-TRIAL / FIRST_SPIKE["tau_0"])


def map_grid(points_per_side):
    """Points of a square grid over the unit square that lie in the Yin-Yang circle, and their classes."""
    ticks = (np.arange(points_per_side) + 0.5) / points_per_side
    x, y = [a.ravel() for a in np.meshgrid(ticks, ticks)]
    inside = (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.25
    x, y = x[inside], y[inside]
    return np.column_stack([x, y, 1 - x, 1 - y]), np.array([datasets.yin_yang_class(a, b) for a, b in zip(x, y)])


def plot(path, log, grid_inputs, grid_answers, test_inputs, test_labels, test_answers):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    colors = ListedColormap(["#1f77b4", "#ff7f0e", "#2ca02c"])
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    epochs = np.arange(1, len(log["test_accuracy"]) + 1)
    axes[0].plot(epochs, log["train_accuracy"], "o-", label="training (during the epoch)")
    axes[0].plot(epochs, log["validation_accuracy"], "^-", label="validation (learning frozen)")
    axes[0].plot(epochs, log["test_accuracy"], "s-", label="test (learning frozen)")
    axes[0].set(xlabel="epoch", ylabel="accuracy", title="learning curve", ylim=(0.3, 1.0))
    axes[0].legend()
    axes[1].plot(epochs, log["train_loss"], "o-")
    axes[1].set(xlabel="epoch", ylabel="cross-entropy", title="training loss")
    answered = grid_answers >= 0
    axes[2].scatter(grid_inputs[answered, 0], grid_inputs[answered, 1], c=grid_answers[answered], cmap=colors,
                    vmin=0, vmax=2, marker="s", s=14, alpha=0.35, linewidths=0)
    axes[2].scatter(grid_inputs[~answered, 0], grid_inputs[~answered, 1], c="k", marker="s", s=14, alpha=0.35,
                    linewidths=0, label="no answer")
    wrong = test_answers != test_labels
    axes[2].scatter(test_inputs[~wrong, 0], test_inputs[~wrong, 1], c=test_labels[~wrong], cmap=colors, vmin=0,
                    vmax=2, s=6, edgecolors="k", linewidths=0.2)
    axes[2].scatter(test_inputs[wrong, 0], test_inputs[wrong, 1], c="r", marker="x", s=18,
                    label=f"test points answered wrongly ({wrong.sum()})")
    axes[2].set(xlabel="x", ylabel="y", aspect="equal", xlim=(0, 1), ylim=(0, 1),
                title=f"decision map and test points (test accuracy {log['test_accuracy'][-1]:.3f})")
    axes[2].legend(loc="lower left", fontsize=7)
    figure.tight_layout()
    save_figure(figure, path, dpi=120)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", type=int, default=200, help="hidden neurons")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eta", type=float, default=5e-3, help="Adam's learning rate")
    parser.add_argument("--lr-decay", type=float, default=0.95, help="learning rate factor per epoch")
    parser.add_argument("--train", type=int, default=5000, help="training points")
    parser.add_argument("--validation", type=int, default=1000, help="validation points")
    parser.add_argument("--test", type=int, default=1000, help="test points")
    parser.add_argument("--map", type=int, default=30, help="decision map: grid points per side of the unit square")
    parser.add_argument("--hidden-slope-floor", type=float, default=0.3,
                        help="lower bound of tau_m dV/dt at a hidden spike in the adjoint (threshold 1)")
    parser.add_argument("--output-slope-floor", type=float, default=1.0,
                        help="lower bound of tau_m dV/dt at an output spike in the adjoint (threshold 1)")
    parser.add_argument("--phantom-spike-scale", type=float, default=1.0,
                        help="a silent target's phantom spike, as a fraction of dL/dt(trial end) / output floor")
    parser.add_argument("--silent-lift", type=float, default=10.0,
                        help="strength (per unit of threshold) of the lift of a silent hidden neuron; 0: off")
    parser.add_argument("--silent-lift-after", type=int,
                        help="training trials in a row without a spike before a hidden neuron is lifted; "
                             "default the batch size")
    parser.add_argument("--seed", type=int, default=1, help="initial weights and the order of the training points")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="5 epochs on 1000 training, 300 validation and 300 test points")
    parser.add_argument("--output-dir", default="results/yin_yang")
    args = parser.parse_args()
    if args.silent_lift_after is None:
        args.silent_lift_after = args.batch_size
    if args.quick:
        args.epochs, args.train, args.validation, args.test, args.map = 5, 1000, 300, 300, 20
    import nest

    os.makedirs(args.output_dir, exist_ok=True)
    data = {name: datasets.yin_yang(n, DATA_SEEDS[name])
            for name, n in (("train", args.train), ("validation", args.validation), ("test", args.test))}
    grid_inputs, _ = map_grid(args.map)
    rng = np.random.default_rng(args.seed)
    weights = {"hidden": rng.normal(*HIDDEN_INIT, (args.hidden, 5)),
               "output": rng.normal(*OUTPUT_INIT, (3, args.hidden)) * (PAPER_HIDDEN / args.hidden)}
    optimizer = {"type": "adam", "eta": args.eta, "batch_size": args.batch_size, "beta_1": 0.9, "beta_2": 0.999,
                 "epsilon": 1e-8, "Wmin": -100.0, "Wmax": 100.0}

    def make_network(eta):
        return eventprop_training.EventpropNetwork(
            nest, resolution=H, trial_length=TRIAL, threads=args.threads, n_inputs=5, n_outputs=3,
            hidden_params=dict(MEMBRANE, slope_floor=args.hidden_slope_floor, silent_lift=args.silent_lift,
                               silent_lift_after=args.silent_lift_after),
            readout_params=dict(MEMBRANE, slope_floor=args.output_slope_floor,
                                phantom_spike_scale=args.phantom_spike_scale, **FIRST_SPIKE), weights=weights,
            optimizer=dict(optimizer, eta=eta), chunk=CHUNK,
            encode=lambda inputs: datasets.yin_yang_spike_times(inputs, resolution=H, t_early=T_EARLY,
                                                                t_late=T_EARLY + T_RANGE))

    def silent_target(logits, labels):
        target = logits[np.arange(len(labels)), labels]
        return {"train_silent_target": float(np.mean(~np.isfinite(target) | (target <= -TRIAL / FIRST_SPIKE["tau_0"])))}

    def after_epoch(epoch, log, state, logits):
        save_npz(os.path.join(args.output_dir, "weights.npz"), hidden=state["hidden_weight"],
                 output=state["output_weight"])
        best = int(np.argmax(log["validation_accuracy"]))
        save_json({"hidden": args.hidden, "eta": args.eta, "lr_decay": args.lr_decay, "batch_size": args.batch_size,
                   "seed": args.seed, "hidden_slope_floor": args.hidden_slope_floor,
                   "output_slope_floor": args.output_slope_floor, "phantom_spike_scale": args.phantom_spike_scale,
                   "silent_lift": args.silent_lift, "silent_lift_after": args.silent_lift_after, "resolution": H,
                   "threads": args.threads,
                   "train_points": args.train, "validation_points": args.validation, "test_points": args.test,
                   "best_validation_epoch": best + 1, "test_accuracy_at_best_validation": log["test_accuracy"][best],
                   **log}, os.path.join(args.output_dir, "results.json"))
        plot(os.path.join(args.output_dir, "yin_yang.png"), log, grid_inputs, first_spike_answers(logits["map"]),
             *data["test"], first_spike_answers(logits["test"]))

    report(f"Yin-Yang, EventProp 5-{args.hidden}-3, {args.train} training / {args.validation} validation / "
           f"{args.test} test points, batch {args.batch_size}, Adam {args.eta:g} x {args.lr_decay:g} per epoch, "
           f"slope floors {args.hidden_slope_floor:g} (hidden), {args.output_slope_floor:g} (outputs), "
           f"phantom spike x {args.phantom_spike_scale:g}, silent lift {args.silent_lift:g} after "
           f"{args.silent_lift_after} trial(s), "
           f"resolution {H} ms, seed {args.seed}, {args.threads} thread(s)")
    log = eventprop_training.train_epochs(
        make_network, data["train"], {"validation": data["validation"], "test": data["test"], "map": (grid_inputs, None)},
        epochs=args.epochs, eta=args.eta, lr_decay=args.lr_decay, rng=rng,
        checkpoint_path=os.path.join(args.output_dir, "checkpoint.npz"), initial_state=None,
        answer=first_spike_answers, training_measures=silent_target, after_epoch=after_epoch)
    if log["test_accuracy"]:
        best = int(np.argmax(log["validation_accuracy"]))
        report(f"test accuracy after {len(log['test_accuracy'])} epochs: {log['test_accuracy'][-1]:.4f}; at the best "
               f"validation accuracy (epoch {best + 1}): {log['test_accuracy'][best]:.4f}; "
               f"{sum(log['epoch_seconds']):.0f} s in all")

if __name__ == "__main__":
    main()
