"""Simulation speed of a 1,000-neuron recurrent network of eprop_iaf_chiplearn (learning off) beside the
same network of NEST's own eprop_iaf_bsshslm_2020, in one run.

Both networks get identical parameters, connectivity, weights and input spikes; the script prints the
wall time of nest.Simulate for each, the ratio chiplearn / NEST (goal: <= 1.0) and both spike counts.

    python benchmarks/neuron_simulation.py [--neurons 1000] [--duration 20000] [--threads 1] [--repeats 3]
"""

import argparse
import platform
import time

import nest
import numpy as np

import chiplearn


def build(model, n_neurons, n_inputs, p_connect, duration, seed, threads):
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    nest.set(resolution=1.0, local_num_threads=threads, rng_seed=seed)
    if model.endswith("bsshslm_2020"):
        # no learning here: keep NEST's model from resetting its membranes every update interval
        nest.set(eprop_reset_neurons_on_update=False, eprop_update_interval=duration + 1.0,
                 eprop_learning_window=duration + 1.0)
    rng = np.random.default_rng(seed)
    params = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "tau_m": 20.0, "t_ref": 2.0}
    neurons = nest.Create(model, n_neurons, params=params)
    inputs = nest.Create("spike_generator", n_inputs)
    for generator in inputs:
        generator.spike_times = (np.flatnonzero(rng.random(int(duration) - 1) < 0.01) + 1.0).tolist()  # 10 Hz
    w_in = rng.normal(0.0, 1.0, (n_neurons, n_inputs)) * (rng.random((n_neurons, n_inputs)) < p_connect)
    w_rec = rng.normal(0.0, 1.0, (n_neurons, n_neurons)) * (rng.random((n_neurons, n_neurons)) < p_connect)
    np.fill_diagonal(w_rec, 0.0)
    for weights, sources in ((w_in * 0.3, inputs), (w_rec * 0.05, neurons)):
        post, pre = np.nonzero(weights)
        nest.Connect(np.array(sources.tolist())[pre], np.array(neurons.tolist())[post], "one_to_one",
                     {"synapse_model": "static_synapse", "weight": weights[post, pre], "delay": np.ones(post.size)})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    return recorder


def time_model(model, args):
    recorder = build(model, args.neurons, args.inputs, args.p_connect, args.duration, args.seed, args.threads)
    nest.Simulate(1.0)  # prepare connections and buffers outside the timed part
    start = time.perf_counter()
    nest.Simulate(args.duration - 1.0)
    elapsed = time.perf_counter() - start
    return elapsed, recorder.n_events


def cpu_name():
    try:
        with open("/proc/cpuinfo") as stream:
            return next(line.split(":", 1)[1].strip() for line in stream if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--inputs", type=int, default=200)
    parser.add_argument("--p-connect", type=float, default=0.1)
    parser.add_argument("--duration", type=float, default=20000.0, help="ms of model time")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs per model")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"machine: {cpu_name()}, {platform.system()}; NEST {nest.__version__}, "
          f"{args.threads} thread(s)")
    print(f"network: {args.neurons} neurons, {args.inputs} inputs, p={args.p_connect}, {args.duration:.0f} ms, h=1 ms")
    results = {}
    for model in ("eprop_iaf_chiplearn", "eprop_iaf_bsshslm_2020"):
        runs = [time_model(model, args) for _ in range(args.repeats)]
        best = min(seconds for seconds, _ in runs)
        results[model] = best
        print(f"{model:>24}: {best:7.3f} s (best of {args.repeats}), {runs[0][1]} spikes")
    ratio = results["eprop_iaf_chiplearn"] / results["eprop_iaf_bsshslm_2020"]
    print(f"ratio chiplearn / NEST: {ratio:.3f}  (goal <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'})")


if __name__ == "__main__":
    main()
