"""Time per training iteration of cue accumulation in chip mode (ReckOn: one reckon_chip_chiplearn node,
learning on chip) against float mode (the tutorial's 100-LIF e-prop network, Adam, random feedback), in one
process on the same batches of 32 trials of 2250 ms: the tutorial's two paths of
pynest_scripts/cue_accumulation.py. Prints both and the ratio chip / float (goal: <= 1.5).

    python benchmarks/reckon_chip_training.py [--iterations 5] [--batch-size 32] [--threads 1]
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pynest_scripts"))
from cue_accumulation import chip_network, network_config  # noqa: E402

from chiplearn.eprop import EpropNetwork, bellec_initial_weights  # noqa: E402
from chiplearn.tasks import EvidenceAccumulation  # noqa: E402


def seconds_per_iteration(network, batches):
    """Wall time between the responses of consecutive training batches (the first one, which builds NEST's
    connection tables, is left out)."""
    stamps = [time.perf_counter()]
    for _ in network.stream((spikes, targets, True) for spikes, targets in batches):
        stamps.append(time.perf_counter())
    return float(np.mean(np.diff(stamps)[1:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    task = EvidenceAccumulation()
    rng = np.random.default_rng(args.seed)
    batches = []
    for _ in range(args.iterations + 1):
        spikes, labels = task.trials(rng, args.batch_size)
        batches.append((spikes, task.one_hot(labels)))
    config = network_config("lif", args.batch_size, 5e-3, "random", args.threads, args.seed, task)
    float_seconds = seconds_per_iteration(EpropNetwork(config, bellec_initial_weights(rng, config)), batches)
    chip_seconds = seconds_per_iteration(chip_network(task, args.threads, args.seed, rng), batches)
    print(f"batch {args.batch_size}, {args.iterations} iterations timed, {args.threads} thread(s)")
    print(f"float mode (100 LIF, e-prop, Adam):  {float_seconds:.3f} s per iteration")
    print(f"chip mode (ReckOn, on-chip learning): {chip_seconds:.3f} s per iteration")
    print(f"ratio chip / float: {chip_seconds / float_seconds:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
