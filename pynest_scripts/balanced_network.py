"""Efficient balanced network in NEST: a random network of LIF neurons learns, with Büchel et al.'s discrete
rule (ISCAS 2021), the tightly balanced regime of a spike-coding network.

The paper's experiment: 20 neurons encode a 2-D smoothed white-noise signal through a random decoder; the
recurrent weights start random (N(0, 30^2) on a grid of step 2) and learn for 50 iterations of 1 s with a
fresh signal each. Per iteration the script prints the distance to the optimal weights (scale-invariant),
the reconstruction error of the decoded signal, the mean rate, the membrane-potential variance and the
share of spikes that fall in the same step as another. Every 10 iterations it validates on 10 fixed signals
with learning off. At the end it compares the initial, the optimal and the learned network (learning off)
on the validation signals and draws the paper's Figure 1: reconstruction, raster and weights of each, and
the learning curves. Results, weights and a checkpoint go to --output; killed, it resumes.

With --chip mixed_signal the weights are 6-bit counters with mismatched steps, and leak and threshold are
mismatched (chiplearn.chip.MIXED_SIGNAL); the distance is then to this circuit's own optimum (the optimal
weights scaled by each target's leak factor, on each synapse's grid) and results.json has the distance to
the nominal optimum beside it. Several --mismatch levels train one network each (in subfolders, each with
its checkpoint) and add a table and a figure of distance and reconstruction error against mismatch.

    python pynest_scripts/balanced_network.py                        # the paper's network (about 30 s)
    python pynest_scripts/balanced_network.py --chip mixed_signal    # 6-bit counters, 10 % mismatch
    python pynest_scripts/balanced_network.py --chip mixed_signal --mismatch 0 0.1 0.2 0.3 0.5   # where it breaks
    python pynest_scripts/balanced_network.py --neurons 1000 --inputs 20 --threads 2   # the scaled network
"""

import argparse
import copy
import os
import time

import nest
import numpy as np
from tqdm import tqdm

import chiplearn
from chiplearn import chip, ebn, plotting
from chiplearn.files import save_json, save_npz
from chiplearn.training import Checkpoint, Log

VALIDATION_SIGNALS = 10
#: A frozen network (validation) is stopped once it fires at a rate that delivers this many synaptic events
#: per second: a run-away, whose trial would take hours in a large network (1,000 neurons: above 100 Hz).
#: 20 neurons never reach it. Training trials always run to the end: learning stops run-aways.
RUN_AWAY_EVENTS_PER_SECOND = 1e8


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neurons", type=int, default=20)
    parser.add_argument("--inputs", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42, help="network seed (decoder, initial weights)")
    parser.add_argument("--signal-seed", type=int, default=1, help="seed of the training signals and the noise")
    parser.add_argument("--resolution", type=float, default=0.1, help="simulation step [ms]")
    parser.add_argument("--chip", choices=["none", "mixed_signal"], default="none")
    parser.add_argument("--mismatch", type=float, nargs="+", default=None,
                        help="with --chip mixed_signal: relative std of leak, threshold and weight step (default: "
                             "the preset's); several levels train one network each and compare them")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=None, help="default: results/balanced_network_<setting>")
    args = parser.parse_args()
    if args.mismatch is not None and args.chip == "none":
        parser.error("--mismatch needs --chip mixed_signal")
    if args.mismatch is not None and min(args.mismatch) < 0:
        parser.error(f"--mismatch must be >= 0, got {min(args.mismatch):g}")
    return args


def setting_name(args, mismatch):
    """The setting's name; mismatch: None (the preset's), a level, or the list of a sweep."""
    name = f"n{args.neurons}_x{args.inputs}_seed{args.seed}"
    if args.chip != "none":
        name += f"_{args.chip}"
        if mismatch is not None:
            name += "_mismatch" + "-".join(f"{level:g}" for level in np.atleast_1d(mismatch))
    return name


def build(args, mismatch, task, rng):
    """The network to train, its decoder, its initial weights and its optimal weights: continuous (those of
    the optimal network) and as near as its weight grid reaches (the reference of the distance), and the
    optimal resets. On a chip, these are the optima of its mismatched circuit."""
    D = ebn.decoder(task, rng)
    W_initial = ebn.initial_weights(task, rng)
    if args.chip == "none":
        optimal = ebn.optimal_weights(task, D)
        return (ebn.EbnNetwork(task, D, W_initial), D, W_initial, optimal, ebn.discretize(optimal, task.granularity),
                ebn.optimal_resets(task, D))
    preset = copy.deepcopy(chip.MIXED_SIGNAL)
    if mismatch is not None:
        preset["mismatch"] = {key: mismatch for key in preset["mismatch"]}
    Wmin, Wmax = chip.weight_range(preset, task.granularity)
    tau_m_gain, threshold_gain = chip.neuron_gains(preset, task.n_neurons)
    step_gain = chip.synapse_gains(preset, task.n_neurons, task.n_neurons)
    # the counters start at the initial levels; each synapse's levels are its own steps
    W_initial = np.clip(W_initial, Wmin, Wmax) * step_gain
    lowest, highest = Wmin * step_gain, Wmax * step_gain
    optimal = np.clip(ebn.optimal_weights(task, D, tau_m_gain), lowest, highest)
    on_grid = np.clip(ebn.discretize(optimal / step_gain, task.granularity) * step_gain, lowest, highest)
    network = ebn.EbnNetwork(task, D, W_initial, synapse={"Wmin": Wmin, "Wmax": Wmax},
                             neuron={"noise_std": preset["noise_std"]}, step_gain=step_gain,
                             tau_m_gain=tau_m_gain, threshold_gain=threshold_gain)
    return network, D, W_initial, optimal, on_grid, ebn.optimal_resets(task, D, threshold_gain)


def off_diagonal(W):
    W = W.copy()
    np.fill_diagonal(W, 0.0)
    return W


def evaluate(network, signals):
    """Learning off: mean reconstruction error, rate and variance over the signals, how many trials ran away
    (stopped early, see RUN_AWAY_EVENTS_PER_SECOND), and the last trial."""
    learning = network.learning
    network.learning = False
    max_rate = RUN_AWAY_EVENTS_PER_SECOND / network.task.n_neurons**2
    trials = [network.run(signal, max_rate=max_rate) for signal in signals]
    network.learning = learning
    return {"reconstruction_error": float(np.mean([t.reconstruction_error for t in trials])),
            "reconstruction_error_per_signal": [t.reconstruction_error for t in trials],
            "rate": float(np.mean([t.rate for t in trials])),
            "membrane_variance": float(np.mean([t.membrane_variance for t in trials])),
            "ran_away": sum(t.ran_away for t in trials)}, trials[-1]


def figure(path, task, D, signal, responses, log, metrics):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 3, figsize=(11, 11), gridspec_kw={"height_ratios": [1, 1.2, 1.4, 1]})
    t = np.arange(task.steps) * task.resolution
    window = (t >= 500) & (t <= 800)
    limit = max(np.max(np.abs(W)) for _, W, _ in responses) or 1.0
    for column, (name, W, trial) in enumerate(responses):
        readout = ebn.decoded_signal(task, D, trial.spike_steps, trial.spike_neurons)
        target = signal / task.amplitude
        A, *_ = np.linalg.lstsq(readout, target, rcond=None)
        ax = axes[0, column]
        ax.plot(t[window], target[window], color="0.6", lw=1.5)
        ax.plot(t[window], (readout @ A)[window], lw=0.8)
        ax.set_title(f"{name}: error {trial.reconstruction_error:.2f}")
        ax.set_xlabel("time (ms)")
        ax = axes[1, column]
        ax.plot(trial.spike_steps * task.resolution, trial.spike_neurons, "|", ms=3, color="0.2")
        ax.set_title(f"{trial.rate:.1f} Hz")
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("neuron")
        ax = axes[2, column]
        image = ax.imshow(W, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title("recurrent weights")
    fig.colorbar(image, ax=axes[2, 2], shrink=0.8)
    iterations = np.arange(1, len(metrics["distance"]) + 1)
    axes[3, 0].plot(iterations, metrics["distance"])
    axes[3, 0].set_ylabel("distance to optimal weights")
    axes[3, 1].plot(iterations, log.loss, label="training")
    axes[3, 1].plot(log.validation_iteration, log.validation_loss, "o-", ms=3, label="validation")
    axes[3, 1].set_ylabel("reconstruction error")
    axes[3, 1].legend(fontsize=8)
    axes[3, 2].plot(iterations, metrics["rate"], label="rate (Hz)")
    axes[3, 2].plot(iterations, np.asarray(metrics["membrane_variance"]) * 10, label="V_m variance x 10")
    axes[3, 2].legend(fontsize=8)
    for ax in axes[3]:
        ax.set_xlabel("iteration")
    plotting.save(fig, path)


def train_and_compare(args, mismatch, output):
    """Trains one network (resuming from output's checkpoint), compares initial, optimal and learned network
    on the validation signals, writes results, weights and figure to output; returns the results."""
    os.makedirs(output, exist_ok=True)
    nest.ResetKernel()
    chiplearn.install()
    nest.set(resolution=args.resolution, local_num_threads=args.threads, rng_seed=args.signal_seed,
             print_time=False)
    task = ebn.EbnTask(n_neurons=args.neurons, n_inputs=args.inputs, resolution=args.resolution)
    network, D, W_initial, W_best, W_best_on_grid, resets_best = build(args, mismatch, task,
                                                                        np.random.default_rng(args.seed))
    W_nominal = ebn.discretize(ebn.optimal_weights(task, D), task.granularity)
    validation = [ebn.smoothed_white_noise(task, np.random.default_rng([args.seed, 1000 + k]))
                  for k in range(VALIDATION_SIGNALS)]

    rng = np.random.default_rng(args.signal_seed)
    checkpoint = Checkpoint(os.path.join(output, "checkpoint.npz"))
    log, first, metrics = Log(), 0, {key: [] for key in ("distance", "rate", "membrane_variance", "simultaneous")}
    if checkpoint.exists():
        log, first, metrics = checkpoint.load(network, rng)
        print(f"resuming after iteration {first} from {checkpoint.path}")

    started = time.time()
    progress = tqdm(range(first, args.iterations), initial=first, total=args.iterations, unit="it")
    for iteration in progress:
        if iteration % 10 == 0:
            scores, _ = evaluate(network, validation)
            log.validation_iteration.append(iteration)
            log.validation_loss.append(scores["reconstruction_error"])
        trial = network.run(ebn.smoothed_white_noise(task, rng))
        log.loss.append(trial.reconstruction_error)
        metrics["distance"].append(ebn.distance_to_optimal(off_diagonal(network.weights()), W_best_on_grid))
        metrics["rate"].append(trial.rate)
        metrics["membrane_variance"].append(trial.membrane_variance)
        metrics["simultaneous"].append(trial.simultaneous_spikes)
        progress.set_postfix(distance=f"{metrics['distance'][-1]:.3f}", error=f"{trial.reconstruction_error:.3f}",
                             rate=f"{trial.rate:.1f}Hz", var=f"{trial.membrane_variance:.3f}")
        checkpoint.save(network, rng, log, iteration + 1, metrics)
    training_seconds = time.time() - started

    learned = network.state()
    networks = {
        "initial": {"weights": W_initial, "resets": np.zeros(task.n_neurons)},
        "optimal": {"weights": W_best, "resets": resets_best},
        "learned": learned,
    }
    results, responses = {}, []
    for name, state in networks.items():
        network.load_state(state)
        scores, last = evaluate(network, validation)
        weights = off_diagonal(state["weights"])
        results[name] = dict(scores, distance=ebn.distance_to_optimal(weights, W_best_on_grid),
                             distance_to_nominal_optimum=ebn.distance_to_optimal(weights, W_nominal))
        responses.append((name, weights, last))
    network.load_state(learned)

    summary = {"setting": setting_name(args, mismatch), "command_arguments": vars(args), "mismatch": mismatch,
               "iterations": args.iterations, "training_seconds_this_run": training_seconds,
               "simulated_seconds_per_wall_second": None if training_seconds == 0 else
               (args.iterations - first) * task.duration / 1000.0 / training_seconds,
               "final_training_distance": metrics["distance"][-1] if metrics["distance"] else None,
               "mean_simultaneous_spike_share": float(np.mean(metrics["simultaneous"])) if metrics["simultaneous"]
               else None, "validation": results}
    save_json(summary, os.path.join(output, "results.json"))
    save_npz(os.path.join(output, "weights.npz"), decoder=D,
             **{f"{name}_{key}": value for name, state in networks.items() for key, value in state.items()})
    figure(os.path.join(output, "balanced_network.png"), task, D, validation[-1], responses, log, metrics)

    print(f"\n{setting_name(args, mismatch)}: {args.iterations} iterations, training {training_seconds:.0f} s this run")
    print(f"{'network':<10}{'distance':>10}{'error':>10}{'rate (Hz)':>11}{'V var':>11}{'ran away':>10}")
    for name, scores in results.items():
        print(f"{name:<10}{scores['distance']:>10.3f}{scores['reconstruction_error']:>10.3f}"
              f"{scores['rate']:>11.1f}{scores['membrane_variance']:>11.3f}"
              f"{scores['ran_away']:>7}/{VALIDATION_SIGNALS}")
    print(f"results, weights and figure in {output}/")
    return summary


def sweep_figure(path, levels, summaries):
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    learned = [summary["validation"]["learned"] for summary in summaries]
    optimal = [summary["validation"]["optimal"] for summary in summaries]
    left.plot(levels, [s["distance"] for s in learned], "o-", label="to this chip's optimum")
    left.plot(levels, [s["distance_to_nominal_optimum"] for s in learned], "s--", label="to the nominal optimum")
    left.set_ylabel("distance of the learned weights")
    left.legend(fontsize=8)
    right.plot(levels, [s["reconstruction_error"] for s in learned], "o-", label="learned")
    right.plot(levels, [s["reconstruction_error"] for s in optimal], "s--", label="optimal (of this chip)")
    right.set_ylabel("reconstruction error (validation)")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.set_xlabel("mismatch (relative std of leak, threshold, weight step)")
    plotting.save(fig, path)


def main():
    args = arguments()
    nest.set_verbosity("M_ERROR")
    output = args.output or os.path.join("results", "balanced_network_" + setting_name(args, args.mismatch))
    levels = args.mismatch or [None]
    if len(levels) == 1:
        train_and_compare(args, levels[0], output)
        return
    summaries = [train_and_compare(args, level, os.path.join(output, f"mismatch{level:g}")) for level in levels]
    save_json({f"{level:g}": summary for level, summary in zip(levels, summaries)}, os.path.join(output, "sweep.json"))
    sweep_figure(os.path.join(output, "mismatch_sweep.png"), levels, summaries)
    print(f"\nmismatch sweep ({args.iterations} iterations each), validation of the learned network")
    print(f"{'mismatch':>9}{'distance':>10}{'to nominal':>12}{'error':>8}{'optimal error':>15}{'rate (Hz)':>11}")
    for level, summary in zip(levels, summaries):
        learned, optimal = summary["validation"]["learned"], summary["validation"]["optimal"]
        print(f"{level:>9g}{learned['distance']:>10.3f}{learned['distance_to_nominal_optimum']:>12.3f}"
              f"{learned['reconstruction_error']:>8.3f}{optimal['reconstruction_error']:>15.3f}{learned['rate']:>11.1f}")
    print(f"sweep results and figure in {output}/")


if __name__ == "__main__":
    main()
