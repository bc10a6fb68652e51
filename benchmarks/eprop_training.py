"""Training speed and memory of e-prop on the cue-accumulation network (40 inputs, 50 LIF + 50 ALIF, 2
readouts with cross-entropy, Adam, batch 32, trials of 2250 ms): chiplearn's models beside NEST's
eprop_*_bsshslm_2020 models, each in a fresh process, with the same weights and input spikes.

Prints, per family, the wall time per training iteration (one batch), the resident memory after the first,
the middle and the last iteration (flat memory: the last two agree) and its peak, then the ratio
chiplearn / NEST (goal: <= 0.1). Both families run in the kernel of chiplearn.kernel.reset_kernel.

    python benchmarks/eprop_training.py [--iterations 5] [--batch-size 32] [--threads 1]
    python benchmarks/eprop_training.py --iterations 100      # memory over a 100-iteration run
    python benchmarks/eprop_training.py --family chiplearn --iterations 300   # one family, JSON per iteration
"""

import argparse
import json
import os
import subprocess
import sys
import time

# the two families of e-prop models are built by the tests' comparison helper
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))


def rss_mb():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_family(family, iterations, batch_size, threads, seed):
    import resource

    import nest
    import numpy as np

    from chiplearn.kernel import reset_kernel
    from eprop_families import build
    from chiplearn.tasks import EvidenceAccumulation

    task = EvidenceAccumulation()
    reset_kernel(threads, seed, task.steps, task.recall_steps, True)
    rng = np.random.default_rng(seed)
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 5.0, "tau_m": 20.0, "c_reg": 300.0,
              "f_target": 10.0, "regular_spike_arrival": True, "surrogate_gradient_height": 0.5,
              "surrogate_gradient_width": 0.6}
    beta = 1.7 * (1.0 - np.exp(-1.0 / 2000.0)) / (1.0 - np.exp(-1.0 / 20.0))
    groups = [("lif", 50, neuron), ("alif", 50, {**neuron, "adapt_tau": 2000.0, "adapt_beta": beta})]
    readout = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy",
               "regular_spike_arrival": False}
    w_rec = rng.standard_normal((100, 100)) / 10.0
    np.fill_diagonal(w_rec, 0.0)
    weights = {"in_rec": rng.standard_normal((100, 40)) / np.sqrt(40), "rec_rec": w_rec,
               "rec_out": rng.uniform(-0.17, 0.17, (2, 100)), "out_rec": rng.standard_normal((100, 2))}
    optimizer = {"type": "adam", "batch_size": batch_size, "eta": 5e-3, "epsilon": 1e-8}
    network = build(nest, family, 40, groups, 2, readout, weights, optimizer, True, record_readouts=False)

    batch_steps = batch_size * task.steps
    seconds, memory = [], []
    for iteration in range(iterations):
        spikes, labels = task.trials(rng, batch_size)
        start = iteration * batch_steps
        trial, step, neuron_index = np.nonzero(spikes)
        times = start + trial * task.steps + step + 1.0
        network["generators"].set([{"spike_times": np.sort(times[neuron_index == i])} for i in range(40)])
        targets = np.zeros((2, batch_size))
        targets[labels, np.arange(batch_size)] = 1.0
        network["targets"].set([{"amplitude_times": start + np.arange(batch_size) * task.steps + 4.0,
                                 "amplitude_values": targets[k]} for k in range(2)])
        began = time.perf_counter()
        nest.Simulate(float(batch_steps))
        seconds.append(time.perf_counter() - began)
        memory.append(rss_mb())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rss_mb": memory, "peak_mb": peak}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--family", choices=["chiplearn", "nest"],
                        help="run only this family, in this process, and print its time and resident memory "
                             "per iteration as JSON")
    args = parser.parse_args()
    if args.family:  # one family, result as JSON on the last line (also how main() runs each family)
        print(json.dumps(run_family(args.family, args.iterations, args.batch_size, args.threads, args.seed)))
        return

    print(f"cue accumulation 40-100-2, batch {args.batch_size}, {args.iterations} iterations, "
          f"{args.threads} thread(s)")
    results = {}
    for family in ("chiplearn", "nest"):
        command = [sys.executable, __file__, "--family", family] + [
            f"--{key.replace('_', '-')}={value}" for key, value in vars(args).items() if key != "family"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results[family] = result
        per_iteration = sum(result["seconds"]) / len(result["seconds"])
        half = args.iterations // 2
        print(f"{family:>10}: {per_iteration:7.3f} s per iteration; memory after iteration 1: "
              f"{result['rss_mb'][0]:.0f} MB, after {max(half, 1)}: {result['rss_mb'][max(half, 1) - 1]:.0f} MB, "
              f"after {args.iterations}: {result['rss_mb'][-1]:.0f} MB, peak {result['peak_mb']:.0f} MB")
    ratio = (sum(results["chiplearn"]["seconds"]) / sum(results["nest"]["seconds"]))
    print(f"time ratio chiplearn / NEST: {ratio:.3f}  (goal <= 0.1: {'met' if ratio <= 0.1 else 'not met'})")


if __name__ == "__main__":
    main()
