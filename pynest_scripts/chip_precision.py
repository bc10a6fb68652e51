"""What accuracy a chip keeps: cue accumulation against weight bit width and device mismatch.

The LIF network of cue_accumulation.py (100 LIF neurons, tau_m = 2 s, e-prop, Adam) is trained in float,
then tested on the same fresh trials in every setting of the study, in two ways:

  carried   the float-trained weights carried onto the chip (chiplearn.chip.carry_to_grid: each projection
            on its n-bit grid, nearest and saturating), inference only
  chip      trained on chip from scratch: every projection's weights on its n-bit grid during training, the
            optimizer's updates rounded stochastically onto it (counter-based, the same for any number of
            threads), the same iteration budget and stopping rule as the float network

against the weight bit width (--bits; the grids' ranges are the float-trained weights' largest |w| per
projection) and against the strength of MIXED_SIGNAL's device mismatch (--mismatch: the relative standard
deviation of the leak's time constant and the threshold, drawn once per neuron from the preset's seed, and,
for carried weights, of the weight step, drawn once per synapse; at MIXED_SIGNAL's 6-bit weights). The
ReckOn chip (8-bit weights, chiplearn.chip.RECKON, one reckon_chip_chiplearn node) is one point of each
mode: the float weights carried onto it (chiplearn.chip.carry_to_reckon), and the chip trained on chip as
cue_accumulation.py --chip reckon trains it. ReckOn's neurons have no refractory period; --t-ref sets the
e-prop network's (default 5 ms, cue_accumulation.py's), and with 0 the float network is trained as the chip
will run it (benchmarks/reckon_carry_ablation.py measures what the refractory period costs a carried network).

Every finished point is kept in --output/points/ (written atomically); a rerun skips it, and a training
killed halfway resumes from its checkpoint. The figure and results.json are rewritten after each point.

    python pynest_scripts/chip_precision.py [--bits 4 6 8 16] [--mismatch 0.1 0.2]
        [--test-trials 1024] [--iterations 120] [--t-ref 5] [--seed 1] [--quick]
"""

import argparse
import copy
import json
import os
import time

import numpy as np

from chiplearn import chip, plotting
from chiplearn.chip_network import ReckonChipNetwork, initial_weights
from chiplearn.eprop import EpropNetwork, bellec_initial_weights
from chiplearn.files import save_json, save_npz
from chiplearn.gather import report
from chiplearn.losses import cross_entropy, decisions
from chiplearn.tasks import EvidenceAccumulation
from chiplearn.training import Checkpoint, Evaluation, test, train

from cue_accumulation import chip_network, network_config

TASK = EvidenceAccumulation()


class Study:
    """The points of the study, each a JSON file in output/points, and what they share: the task, the test
    trials (the same for every point), the training settings."""

    def __init__(self, args):
        self.args = args
        self.points_dir = os.path.join(args.output, "points")
        os.makedirs(self.points_dir, exist_ok=True)

    # ---- batches and evaluation -------------------------------------------------------------------------

    def make_batch(self, rng):
        spikes, labels = TASK.trials(rng, self.args.batch_size)
        return spikes, TASK.one_hot(labels), labels

    def test_rng(self):
        """The generator of the test trials: the same trials for every point."""
        return np.random.default_rng([self.args.seed, 1])

    def float_evaluation(self, record=None, decide=decisions):
        """Cross-entropy and the answers decide(readout_signal, window) gives (default: the largest mean
        softmax over the recall window); record collects whether each trial was answered right."""
        def correct(response, labels):
            result = decide(response["readout_signal"], TASK.recall_steps) == labels
            if record is not None:
                record.extend(bool(c) for c in result)
            return result

        return Evaluation(loss=lambda response, labels: cross_entropy(
            response["readout_signal"], response["target_signal"], TASK.recall_steps), correct=correct)

    def chip_evaluation(self, network, record=None):
        def correct(response, labels):
            result = response["inference"] == labels
            if record is not None:
                record.extend(bool(c) for c in result)
            return result

        return Evaluation(loss=lambda response, labels: network.loss(response), correct=correct)

    # ---- points ------------------------------------------------------------------------------------------

    def point_path(self, name):
        return os.path.join(self.points_dir, f"{name}.json")

    def load(self, name):
        path = self.point_path(name)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def run(self, name, compute, **description):
        """The point `name`: kept if it exists, else computed (compute() -> dict) and saved."""
        point = self.load(name)
        if point is not None:
            report(f"{name}: kept from an earlier run ({100 * point['test_accuracy']:.1f} %)")
            return point
        started = time.time()
        point = {"name": name, **description, **compute(), "seconds_this_run": time.time() - started}
        save_json(point, self.point_path(name))
        report(f"{name}: {100 * point['test_accuracy']:.1f} % on {point['test_trials']} test trials "
               f"({point['seconds_this_run']:.0f} s)")
        return point

    def test_points(self, network, evaluation_of):
        """Test accuracy on the study's test trials, and which trials were answered correctly."""
        record = []
        n_batches = -(-self.args.test_trials // self.args.batch_size)
        loss, accuracy, _ = test(network, self.make_batch, evaluation_of(record), n_batches=n_batches,
                                 rng=self.test_rng())
        return {"test_accuracy": accuracy, "test_loss": loss, "test_trials": len(record), "correct": record}

    def train_points(self, name, network, evaluation, rng):
        args = self.args
        checkpoint = Checkpoint(os.path.join(self.points_dir, f"{name}.checkpoint.npz"))
        log = train(network, self.make_batch, evaluation, iterations=args.iterations, rng=rng,
                    validate_every=args.validate_every, validation_batches=max(1, 128 // args.batch_size),
                    checkpoint=checkpoint, stop_accuracy=args.stop_accuracy)
        return {"iterations": len(log.loss), "validation_accuracy": log.validation_accuracy}

    # ---- the float network and its variants --------------------------------------------------------------

    def config(self, weight_grids=None):
        args = self.args
        config = network_config("lif", args.batch_size, args.eta, "random", args.threads, args.seed, TASK)
        config.groups[0].params = {**config.groups[0].params, "t_ref": args.t_ref}
        config.weight_grids = weight_grids
        return config

    def float_network(self, weights, weight_grids=None, mismatch=0.0):
        network = EpropNetwork(self.config(weight_grids), weights)
        if mismatch > 0:
            tau_gain, threshold_gain = chip.neuron_gains(mismatch_preset(mismatch), len(network.recurrent))
            neuron = network.config.groups[0].params
            network.recurrent.set({"tau_m": list(neuron["tau_m"] * tau_gain),
                                   "V_th": list(neuron["V_th"] * threshold_gain)})
        return network

    def trained_float(self):
        """The float-trained network's point and weights (trained first: every carried point needs them)."""
        weights_path = os.path.join(self.args.output, "float_weights.npz")

        def compute():
            rng = np.random.default_rng(self.args.seed)
            network = self.float_network(bellec_initial_weights(rng, self.config()))
            point = self.train_points("float", network, self.float_evaluation(), rng)
            point.update(self.test_points(network, self.float_evaluation))
            # the weights the test ran with (the optimizer may step once more in the batch slot between training
            # and test, before the frozen learning rate applies); the synapses apply held steps first
            state = network.state()
            save_npz(weights_path, feedback=network.weights("feedback"),
                     **{name: state[f"{name}_weight"] for name in network.PLASTIC})
            return point

        point = self.run("float", compute, mode="float")
        with np.load(weights_path) as data:
            return point, {key: data[key] for key in data.files}

    def carried(self, float_weights, bits, mismatch=0.0):
        name = f"carried_{bits}bit" + (f"_mismatch{mismatch:g}" if mismatch else "")

        def compute():
            weights, _ = chip.carry_to_grid(float_weights, bits)
            if mismatch > 0:
                weights = with_weight_step_mismatch(weights, mismatch_preset(mismatch))
            network = self.float_network({**weights, "feedback": float_weights["feedback"]}, mismatch=mismatch)
            return self.test_points(network, self.float_evaluation)

        return self.run(name, compute, mode="carried", bits=bits, mismatch=mismatch)

    def on_chip(self, float_weights, bits, mismatch=0.0):
        name = f"chip_{bits}bit" + (f"_mismatch{mismatch:g}" if mismatch else "")

        def compute():
            _, grids = chip.carry_to_grid(float_weights, bits)
            grids = {key: {**grid, "rounding": "stochastic"} for key, grid in grids.items()}
            rng = np.random.default_rng(self.args.seed)
            initial = bellec_initial_weights(rng, self.config())
            initial.update({key: chip.quantize_to_grid(initial[key], grids[key]) for key in grids})
            network = self.float_network(initial, weight_grids=grids, mismatch=mismatch)
            point = self.train_points(name, network, self.float_evaluation(), rng)
            point.update(self.test_points(network, self.float_evaluation))
            state = network.state()  # the synapses apply held steps first
            levels = {key: state[f"{key}_weight"] / grids[key]["weight_step"] for key in grids}
            point["weights_on_grid"] = all(np.allclose(levels[key], np.rint(levels[key]), atol=1e-6) for key in grids)
            return point

        return self.run(name, compute, mode="chip", bits=bits, mismatch=mismatch)

    # ---- ReckOn ------------------------------------------------------------------------------------------

    def reckon_network(self, preset, w_inp, w_rec, w_out):
        import nest

        from chiplearn.kernel import reset_kernel

        reset_kernel(self.args.threads, self.args.seed, TASK.steps, TASK.recall_steps, True)
        recall = TASK.steps - TASK.recall_steps
        return ReckonChipNetwork(nest, preset, w_inp, w_rec, w_out, sample_ticks=TASK.steps, target_start=recall,
                                 target_end=TASK.steps - 1, inference_start=recall)

    def reckon_carried(self, float_weights):
        def compute():
            config = self.config()
            carried = chip.carry_to_reckon(chip.RECKON, float_weights, config.groups[0].params,
                                           config.readout_params)
            network = self.reckon_network(carried["preset"], carried["w_inp"], carried["w_rec"], carried["w_out"])
            result = self.test_points(network, lambda record: self.chip_evaluation(network, record))
            return {**result, "membrane_scale": carried["membrane_scale"], "output_scale": carried["output_scale"],
                    "saturated_weights": int(sum(np.sum(np.abs(carried[k]) >= 127)
                                                 for k in ("w_inp", "w_rec", "w_out")))}

        return self.run("reckon_carried", compute, mode="carried", bits=8, mismatch=0.0, chip="reckon")

    def reckon_on_chip(self):
        def compute():
            rng = np.random.default_rng(self.args.seed)
            network = chip_network(TASK, self.args.threads, self.args.seed, rng)
            point = self.train_points("reckon_chip", network, self.chip_evaluation(network), rng)
            return {**point, **self.test_points(network, lambda record: self.chip_evaluation(network, record))}

        return self.run("reckon_chip", compute, mode="chip", bits=8, mismatch=0.0, chip="reckon")


def mismatch_preset(strength):
    """MIXED_SIGNAL with every mismatch (leak, threshold, weight step) at the relative standard deviation."""
    preset = copy.deepcopy(chip.MIXED_SIGNAL)
    preset["mismatch"] = {key: strength for key in preset["mismatch"]}
    return preset


def with_weight_step_mismatch(weights, preset):
    """Carried weights with each synapse's weight step mismatched (its level times the synapse's gain), the
    synapses numbered over the whole network: inputs, then recurrent neurons, then readouts."""
    n_rec, n_in = np.shape(weights["in_rec"])
    n_out = np.shape(weights["rec_out"])[0]
    n = n_in + n_rec + n_out
    gains = chip.synapse_gains(preset, n, n)  # target x source
    inputs, recurrent, readouts = slice(0, n_in), slice(n_in, n_in + n_rec), slice(n_in + n_rec, n)
    return {"in_rec": weights["in_rec"] * gains[recurrent, inputs],
            "rec_rec": weights["rec_rec"] * gains[recurrent, recurrent],
            "rec_out": weights["rec_out"] * gains[readouts, recurrent]}


def plot(path, points, float_point, mixed_signal_bits):
    fig, axes = plotting.plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)

    def error(p):
        a = p["test_accuracy"]
        return 100 * np.sqrt(a * (1 - a) / p["test_trials"])

    for ax in axes:
        a = 100 * float_point["test_accuracy"]
        ax.axhline(a, color="k", lw=1, ls="--", label=f"float ({a:.1f} %)")
        ax.axhline(50, color="0.7", lw=0.8)
    for mode, color, label in (("chip", "tab:red", "trained on chip"), ("carried", "tab:blue", "float-trained, carried")):
        bit_points = sorted((p for p in points if p["mode"] == mode and not p["mismatch"] and "chip" not in p),
                            key=lambda p: p["bits"])
        if bit_points:
            axes[0].errorbar([p["bits"] for p in bit_points], [100 * p["test_accuracy"] for p in bit_points],
                             yerr=[error(p) for p in bit_points], marker="o", color=color, label=label, capsize=3)
        reckon = [p for p in points if p["mode"] == mode and p.get("chip") == "reckon"]
        for p in reckon:
            axes[0].errorbar([p["bits"]], [100 * p["test_accuracy"]], yerr=[error(p)], marker="*", ms=12,
                             color=color, ls="none", capsize=3, label=f"ReckOn chip, {label}")
        mismatch_points = sorted((p for p in points if p["mode"] == mode and "chip" not in p
                                  and (p["mismatch"] or p["bits"] == mixed_signal_bits)), key=lambda p: p["mismatch"])
        if mismatch_points:
            axes[1].errorbar([100 * p["mismatch"] for p in mismatch_points],
                             [100 * p["test_accuracy"] for p in mismatch_points],
                             yerr=[error(p) for p in mismatch_points], marker="o", color=color, label=label, capsize=3)
    axes[0].set_xlabel("weight bits")
    axes[0].set_ylabel("test accuracy (%)")
    axes[0].set_title("weight precision", fontsize=10)
    axes[1].set_xlabel(f"mismatch, % std (leak, threshold; carried: also weight step); {mixed_signal_bits}-bit weights")
    axes[1].set_title("device mismatch (MIXED_SIGNAL)", fontsize=10)
    for ax in axes:
        ax.legend(fontsize=7, loc="lower right")
    plotting.save(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bits", type=int, nargs="*", default=[4, 6, 8, 16])
    parser.add_argument("--mismatch", type=float, nargs="*", default=[0.1, 0.2],
                        help="relative standard deviations of the mismatch (0 is the bit-width point at the preset's bits)")
    parser.add_argument("--modes", nargs="*", choices=["carried", "chip"], default=["carried", "chip"])
    parser.add_argument("--no-reckon", dest="reckon", action="store_false", help="leave out the ReckOn points")
    parser.add_argument("--iterations", type=int, default=120, help="training batches at most (default 120)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eta", type=float, default=5e-3, help="Adam's learning rate")
    parser.add_argument("--validate-every", type=int, default=10)
    parser.add_argument("--stop-accuracy", type=float, default=0.96)
    parser.add_argument("--test-trials", type=int, default=1024)
    parser.add_argument("--t-ref", type=float, default=5.0,
                        help="refractory period of the e-prop network's neurons (ms; ReckOn has none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="20 iterations, 64 test trials, bits 4 and 16, mismatch 0.1: a few minutes")
    parser.add_argument("--output", default=None, help="folder for results (default results/chip_precision)")
    args = parser.parse_args()
    if args.quick:
        args.iterations, args.test_trials, args.bits, args.mismatch = 20, 64, [4, 16], [0.1]
    args.output = args.output or os.path.join("results", "chip_precision" + ("_quick" if args.quick else ""))
    os.makedirs(args.output, exist_ok=True)
    study = Study(args)
    mixed_signal_bits = chip.MIXED_SIGNAL["weight_bits"]

    report(f"cue accumulation against weight precision and mismatch, seed {args.seed}, "
           f"{args.test_trials} test trials, at most {args.iterations} training iterations, t_ref {args.t_ref:g} ms")
    float_point, float_weights = study.trained_float()
    points = []

    def finished(point):
        points.append(point)
        save_json({"seed": args.seed, "test_trials": args.test_trials, "iterations": args.iterations,
                   "t_ref": args.t_ref,
                   "points": [{k: v for k, v in p.items() if k != "correct"} for p in points]},
                  os.path.join(args.output, "results.json"))
        plot(os.path.join(args.output, "chip_precision.png"), points, float_point, mixed_signal_bits)

    finished(float_point)
    mismatch_bits = [mixed_signal_bits] if args.mismatch else []
    for mode in args.modes:
        point_of = study.carried if mode == "carried" else study.on_chip
        for bits in sorted(set(args.bits) | set(mismatch_bits)):
            finished(point_of(float_weights, bits))
        if args.reckon:
            finished(study.reckon_carried(float_weights) if mode == "carried" else study.reckon_on_chip())
        for strength in args.mismatch:
            finished(point_of(float_weights, mixed_signal_bits, strength))

    report("")
    report(f"{'point':<28} {'test accuracy':>14}")
    for p in points:
        report(f"{p['name']:<28} {100 * p['test_accuracy']:>12.1f} %")
    report(f"results in {args.output}/: chip_precision.png, results.json, points/, float_weights.npz")


if __name__ == "__main__":
    main()
