"""Cue accumulation with e-prop in NEST: a recurrent network learns which side showed more cues.

The evidence-accumulation task of Bellec et al. (2020): 7 cues of 100 ms on the left or right, a delay,
then a 150 ms recall period in which two readouts must answer (cross-entropy over a softmax). Two networks:

  --model lif   100 LIF neurons with a 2 s membrane time constant: the long leak of the ReckOn chip
                (Frenkel & Indiveri 2022) keeps the evidence without adaptation
  --model alif  50 LIF + 50 adaptive LIF neurons (adaptation 2 s), Bellec et al.'s network

  --chip reckon  the ReckOn chip (40-100-2, tau about 2 s, chiplearn.chip.RECKON) in chip mode: one
                reckon_chip_chiplearn node learning on chip in every tick of the recall window, from weights
                drawn as the chip's release draws them; its answer is the chip's inference per trial

The script trains with e-prop (Adam, batches, symmetric or random feedback; the learning rate constant or
decaying in steps: --lr-decay, --lr-decay-every), validates every few
iterations, stops early once the validation accuracy reaches --stop-accuracy, tests on fresh trials with
learning frozen, prints the test
accuracy, and saves the trained weights, the learning curve and a figure in --output. Killed, it resumes
from its checkpoint when started again with the same --output.

    python pynest_scripts/cue_accumulation.py [--model lif|alif] [--iterations N] [--batch-size N]
        [--eta X] [--lr-decay F --lr-decay-every N] [--feedback random|symmetric] [--seed N] [--threads N] [--quick]

On a NEST built with MPI it runs unchanged on several processes, and gives the result of --threads with as
many threads (the results are gathered on every rank; rank 0 prints and writes the files):

    mpirun -np 2 python pynest_scripts/cue_accumulation.py --quick
"""

import argparse
import os
import time

import numpy as np

from chiplearn import chip, plotting
from chiplearn.chip_network import ReckonChipNetwork, initial_weights
from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup, bellec_initial_weights
from chiplearn.losses import cross_entropy, decisions
from chiplearn.files import save_json, save_npz
from chiplearn.gather import report
from chiplearn.kernel import reset_kernel
from chiplearn.tasks import EvidenceAccumulation
from chiplearn.training import Checkpoint, Evaluation, test, train


def network_config(model, batch_size, eta, feedback, threads, seed, task):
    # parameters of TU Graz's and NEST's evidence-accumulation tutorials
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 5.0, "tau_m": 20.0,
              "c_reg": 300.0, "f_target": 10.0, "regular_spike_arrival": True, "tau_m_readout": 20.0,
              "surrogate_gradient_function": "piecewise_linear",
              "surrogate_gradient_height": 0.3 / 0.6, "surrogate_gradient_width": 0.6}
    if model == "lif":
        groups = [RecurrentGroup("eprop_iaf_chiplearn", 100, {**neuron, "tau_m": 2000.0})]
    else:
        adapt_tau = 2000.0
        # Bellec's beta 1.7 for an adaptation that jumps by (1 - P_a) / (1 - P_v) per spike
        beta = 1.7 * (1.0 - np.exp(-1.0 / adapt_tau)) / (1.0 - np.exp(-1.0 / neuron["tau_m"]))
        groups = [RecurrentGroup("eprop_iaf_chiplearn", 50, neuron),
                  RecurrentGroup("eprop_iaf_adapt_chiplearn", 50, {**neuron, "adapt_tau": adapt_tau, "adapt_beta": beta})]
    return EpropConfig(
        n_inputs=task.n_inputs, groups=groups, n_outputs=2,
        readout_params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy",
                        "regular_spike_arrival": False},
        trial_steps=task.steps, learning_window_steps=task.recall_steps, batch_size=batch_size,
        optimizer={"type": "adam", "eta": eta, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8,
                   "batch_size": batch_size, "Wmin": -100.0, "Wmax": 100.0},
        feedback=feedback, threads=threads, seed=seed)


def plot(path, test_response, log, task, network, model):
    fig, axes = plotting.plt.subplots(4, 1, figsize=(9, 10), gridspec_kw={"height_ratios": [2, 3, 2, 3]})
    spikes = test_response.get("spikes", {"senders": np.array([]), "times": np.array([])})
    trial = test_response["readout_signal"].shape[0] - 1  # the last trial of the batch
    t0 = trial * task.steps
    in_trial = (spikes["times"] >= t0) & (spikes["times"] < t0 + task.steps)
    senders, times = spikes["senders"][in_trial], spikes["times"][in_trial] - t0
    is_input = senders < network.recurrent[0].global_id
    plotting.raster(axes[0], senders[is_input], times[is_input], network.inputs[0].global_id, "input")
    axes[0].set_title("input: left cues, right cues, recall, noise (10 neurons each)", fontsize=9)
    plotting.raster(axes[1], senders[~is_input], times[~is_input], network.recurrent[0].global_id,
                    f"recurrent ({model.upper()})", color="tab:blue")
    readout = test_response["readout_signal"][trial]
    target = test_response["target_signal"][trial]
    for k, label in enumerate(("left", "right")):
        axes[2].plot(np.arange(task.steps), readout[:, k], label=f"readout {label}")
        axes[2].plot(np.arange(task.steps), target[:, k], ls="--", lw=0.8, color=f"C{k}")
    axes[2].axvspan(task.steps - task.recall_steps, task.steps, color="0.9", zorder=0)
    axes[2].set_ylabel("softmax output\n(recall window)")
    axes[2].set_xlabel("time in trial (ms)")
    axes[2].legend(loc="upper left", fontsize=8)
    for ax in axes[:2]:
        ax.set_xlim(0, task.steps)
    plotting.learning_curve(axes[3], log)
    plotting.save(fig, path)


def chip_network(task, threads, seed, rng):
    """ReckOn in NEST on the task's trials as its samples: learning in the recall window but its last tick (the
    testbench's 149 learning ticks), votes in the whole recall window."""
    import nest

    reset_kernel(threads, seed, task.steps, task.recall_steps, True)
    recall = task.steps - task.recall_steps
    return ReckonChipNetwork(nest, chip.RECKON, *initial_weights(rng, chip.RECKON), sample_ticks=task.steps,
                             target_start=recall, target_end=task.steps - 1, inference_start=recall)


def plot_chip(path, test_response, log, task):
    fig, axes = plotting.plt.subplots(3, 1, figsize=(9, 8), gridspec_kw={"height_ratios": [2, 2, 3]})
    trial = len(test_response["inference"]) - 1  # the last trial of the batch
    ticks, channels = np.nonzero(test_response["input_spikes"][trial])
    axes[0].scatter(ticks, channels, s=1, color="k")
    axes[0].set_ylabel("input channel")
    axes[0].set_title("input: left cues, right cues, recall, noise (10 channels each)", fontsize=9)
    v_out = test_response["V_out"][trial]
    for k, label in enumerate(("left", "right")):
        axes[1].plot(np.arange(task.steps - 1), v_out[:-1, k], label=f"output {label}")
    axes[1].axvspan(task.steps - task.recall_steps, task.steps, color="0.9", zorder=0)
    axes[1].set_ylabel("output membrane (LSB)")
    axes[1].set_xlabel(f"tick (ms) in trial; label {test_response['labels'][trial]}, "
                       f"chip's inference {test_response['inference'][trial]}")
    axes[1].legend(loc="upper left", fontsize=8)
    for ax in axes[:2]:
        ax.set_xlim(0, task.steps)
    plotting.learning_curve(axes[2], log)
    plotting.save(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["lif", "alif"], default="lif")
    parser.add_argument("--chip", choices=["reckon"], default=None,
                        help="train the ReckOn chip in chip mode instead (--model, --eta, --lr-decay and --feedback do not apply)")
    parser.add_argument("--iterations", type=int, default=1000, help="training batches at most (default 1000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eta", type=float, default=5e-3, help="Adam's learning rate (at the start, with --lr-decay)")
    parser.add_argument("--lr-decay", type=float, default=1.0,
                        help="learning-rate factor every --lr-decay-every iterations, 0 < factor <= 1 (default 1: "
                             "a constant learning rate)")
    parser.add_argument("--lr-decay-every", type=int, default=100, help="iterations per learning-rate step (default 100)")
    parser.add_argument("--feedback", choices=["random", "symmetric"], default="random",
                        help="learning-signal weights: fixed random ones (default, as NEST's tutorial) or the "
                             "readout weights, updated every batch (as Bellec et al.'s tutorial and the ReckOn chip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--validate-every", type=int, default=10)
    parser.add_argument("--stop-accuracy", type=float, default=0.96,
                        help="stop once the mean accuracy of the last 3 validations (128 trials each) reaches it "
                             "(default 0.96)")
    parser.add_argument("--test-trials", type=int, default=512)
    parser.add_argument("--quick", action="store_true", help="30 iterations, 64 test trials: runs in about a minute")
    parser.add_argument("--output", default=None, help="folder for results (default results/cue_accumulation_MODEL)")
    args = parser.parse_args()
    if not 0.0 < args.lr_decay <= 1.0:
        parser.error(f"--lr-decay must be in (0, 1], got {args.lr_decay}")
    if args.lr_decay_every < 1:
        parser.error(f"--lr-decay-every must be >= 1, got {args.lr_decay_every}")
    if args.quick:
        args.iterations, args.test_trials = 30, 64
    name = args.chip or args.model
    output = args.output or os.path.join("results", f"cue_accumulation_{name}{'_quick' if args.quick else ''}")
    os.makedirs(output, exist_ok=True)

    task = EvidenceAccumulation()
    rng = np.random.default_rng(args.seed)
    if args.chip:
        network = chip_network(task, args.threads, args.seed, rng)
    else:
        config = network_config(args.model, args.batch_size, args.eta, args.feedback, args.threads, args.seed, task)
        network = EpropNetwork(config, bellec_initial_weights(rng, config))

    def make_batch(rng):
        spikes, labels = task.trials(rng, args.batch_size)
        return spikes, task.one_hot(labels), labels

    if args.chip:
        evaluation = Evaluation(loss=lambda response, labels: network.loss(response),
                                correct=lambda response, labels: response["inference"] == labels)
    else:
        evaluation = Evaluation(
            loss=lambda response, labels: cross_entropy(response["readout_signal"], response["target_signal"],
                                                        task.recall_steps),
            correct=lambda response, labels: decisions(response["readout_signal"], task.recall_steps) == labels)

    checkpoint = Checkpoint(os.path.join(output, "checkpoint.npz"))
    what = "ReckOn in chip mode" if args.chip else (
        f"{args.model.upper()} network, {args.feedback} feedback, Adam {args.eta:g}"
        + (f" x {args.lr_decay:g} every {args.lr_decay_every} iterations" if args.lr_decay != 1.0 else ""))
    report(f"cue accumulation, {what}, batch {args.batch_size}, seed {args.seed}"
          + (" (resuming)" if checkpoint.exists() else ""))
    started = time.time()
    log = train(network, make_batch, evaluation, iterations=args.iterations, rng=rng,
                validate_every=args.validate_every, validation_batches=max(1, 128 // args.batch_size),
                checkpoint=checkpoint, stop_accuracy=args.stop_accuracy,
                learning_rate=None if args.chip else
                lambda iteration: args.eta * args.lr_decay ** (iteration // args.lr_decay_every))
    training_seconds = time.time() - started

    n_batches = -(-args.test_trials // args.batch_size)
    test_loss, test_accuracy, last = test(network, make_batch, evaluation, n_batches=n_batches, rng=rng,
                                          record_last=True)
    n_test = n_batches * args.batch_size
    report(f"trained {len(log.loss)} iterations in {training_seconds:.0f} s (this run)")
    report(f"test accuracy on {n_test} fresh trials: {100 * test_accuracy:.1f} %  (loss {test_loss:.3f})")

    save_npz(os.path.join(output, "weights.npz"), **network.state())
    save_json({"model": name, "feedback": "symmetric (on chip)" if args.chip else args.feedback, "seed": args.seed, "batch_size": args.batch_size,
               **({} if args.chip else {"eta": args.eta, "lr_decay": args.lr_decay, "lr_decay_every": args.lr_decay_every}),
               "iterations": len(log.loss), "test_trials": n_test, "test_accuracy": test_accuracy,
               "test_loss": test_loss, "training_seconds_this_run": training_seconds, "log": log.__dict__},
              os.path.join(output, "result.json"))
    if args.chip:
        plot_chip(os.path.join(output, "cue_accumulation.png"), last, log, task)
    else:
        plot(os.path.join(output, "cue_accumulation.png"), last, log, task, network, args.model)
    report(f"results in {output}/: cue_accumulation.png, weights.npz, result.json, checkpoint.npz")


if __name__ == "__main__":
    main()
