"""Simulation speed of the efficient balanced network (ebn_iaf_chiplearn with ebn_synapse_chiplearn, all to
all) beside the same network of NEST's own iaf_psc_exp with static_synapse, in one run, for 1 and 2 threads.

Every network gets the task of ``pynest_scripts/balanced_network.py`` (N neurons, Nx-dimensional smoothed
white-noise input, step 0.1 ms) with the optimal weights and resets of the theory: a balanced network,
firing as a trained one does. No input noise and no multimeter (iaf_psc_exp has neither). The script prints
the wall time per simulated second of nest.Simulate for chiplearn with learning on and off and for NEST's
model, the ratios chiplearn / NEST, and the spike counts (equal for learning off and NEST's model: the same
arithmetic).

    python benchmarks/balanced_network_speed.py [--neurons 1000] [--inputs 20] [--seconds 5] [--threads 1 2]
"""

import argparse
import time

import nest
import numpy as np

import chiplearn
from chiplearn import ebn
from neuron_simulation import cpu_name  # this script's folder is on the path when it runs


def build(kind, task, D, W, resets, signal, threads):
    """kind: 'learning', 'frozen' (chiplearn) or 'nest' (iaf_psc_exp, static_synapse). Returns the recorder."""
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    nest.set(resolution=task.resolution, local_num_threads=threads, rng_seed=1)
    model = "iaf_psc_exp" if kind == "nest" else "ebn_iaf_chiplearn"
    T = ebn.thresholds(task, D)
    neurons = nest.Create(model, task.n_neurons, params={"C_m": task.tau_m, "tau_m": task.tau_m, "t_ref": 0.0})
    neurons.set(E_L=resets.tolist(), V_reset=resets.tolist(), V_m=resets.tolist(), V_th=T.tolist())
    if kind == "nest":
        neurons.set(tau_syn_ex=task.tau_fast, tau_syn_in=task.tau_fast)
        synapse = {"synapse_model": "static_synapse"}
        W = W.copy()
        np.fill_diagonal(W, 0.0)  # chiplearn's autapses carry the self term, no current
    else:
        neurons.set(tau_syn=task.tau_fast, noise_std=0.0)
        synapse = {"synapse_model": "ebn_synapse_chiplearn"}
        nest.SetDefaults("ebn_synapse_chiplearn", {"learning": kind == "learning", "granularity": task.granularity,
                                                   "omega_per_weight": task.omega_per_weight})
    generators = nest.Create("step_current_generator", task.n_inputs)
    times = np.round(task.resolution * np.arange(1, signal.shape[0] + 1), 10).tolist()
    for generator, values in zip(generators, signal.T):
        generator.set(amplitude_times=times, amplitude_values=values.tolist())
    nest.Connect(generators, neurons, "all_to_all", {"weight": D.T * task.tau_m / 1000.0, "delay": task.resolution})
    nest.Connect(neurons, neurons, {"rule": "all_to_all", "allow_autapses": kind != "nest"},
                 dict(synapse, weight=W, delay=task.resolution))
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    return recorder


def seconds_per_simulated_second(kind, task, D, W, resets, signal, threads, seconds):
    recorder = build(kind, task, D, W, resets, signal, threads)
    nest.Simulate(task.resolution)  # prepare connections and buffers outside the timed part
    start = time.perf_counter()
    nest.Simulate(seconds * 1000.0 - task.resolution)
    return (time.perf_counter() - start) / seconds, recorder.n_events


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0, help="simulated time per measurement [s]")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    task = ebn.EbnTask(n_neurons=args.neurons, n_inputs=args.inputs, duration=args.seconds * 1000.0)
    rng = np.random.default_rng(args.seed)
    D = ebn.decoder(task, rng)
    W, resets = ebn.optimal_weights(task, D), ebn.optimal_resets(task, D)
    signal = ebn.smoothed_white_noise(task, rng)

    print(f"{args.neurons} neurons all to all ({args.neurons ** 2:,} synapses), {args.inputs} inputs, "
          f"{args.seconds:g} s simulated, step {task.resolution} ms; {cpu_name()}, NEST {nest.__version__}")
    print(f"{'threads':>7}{'model':>32}{'wall s / simulated s':>22}{'ratio to NEST':>15}{'spikes':>9}")
    for threads in args.threads:
        timings = {kind: seconds_per_simulated_second(kind, task, D, W, resets, signal, threads, args.seconds)
                   for kind in ("nest", "frozen", "learning")}
        reference = timings["nest"][0]
        names = {"nest": "iaf_psc_exp + static_synapse", "frozen": "chiplearn, learning off",
                 "learning": "chiplearn, learning on"}
        for kind, (wall, spikes) in timings.items():
            print(f"{threads:>7}{names[kind]:>32}{wall:>22.3f}{wall / reference:>15.2f}{spikes:>9}")


if __name__ == "__main__":
    main()
