"""e-prop at scale: a sparse recurrent network of Bellec et al.'s cue-accumulation neurons (half LIF, half
adaptive LIF with a 2-s adaptation; default 10,000 neurons, each with 1,000 recurrent inputs: 10 M recurrent
synapses, plus 40 inputs and 2 readouts onto every neuron) trained on cue accumulation (2,250-ms trials, the
long-memory task of Bellec et al. 2020) with learning on, in chiplearn's
models and in NEST's own eprop_*_bsshslm_2020 models, each in a fresh process, with the same connections,
weights and input spikes (NEST draws both from the same seed).

Prints, per run: the time to build the network, the wall time per training iteration (a batch of trials)
after a first one, the memory per synapse (resident memory added by the connections, divided by their
number), the peak resident memory (also per synapse: what training holds, e.g. spikes kept for gradients)
and the recurrent neurons' mean rate; then the time ratio chiplearn / NEST.

    python benchmarks/eprop_scale.py                                # 10,000 neurons, 10 M synapses
    python benchmarks/eprop_scale.py --neurons 2000 --indegree 200  # a quick look
    python benchmarks/eprop_scale.py --runs chiplearn:1 chiplearn:2  # chiplearn with 1 and 2 threads only

On a NEST built with MPI, one run over several ranks (every rank builds its part; rank 0 prints the
slowest rank's time and the memory summed over the ranks):

    mpirun -np 2 python benchmarks/eprop_scale.py --family chiplearn --threads 1
"""

import argparse
import json
import os
import subprocess
import sys
import time

# the two families of e-prop models are named by the tests' comparison helper
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))

N_INPUTS = 40
N_OUTPUTS = 2


def rss_mb():
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(family, args):
    """Builds the network of `family` in this process and trains it; returns its figures (on rank 0 those
    of all ranks: the slowest rank's times, memory summed)."""
    import resource

    import nest
    import numpy as np

    from chiplearn import gather
    from chiplearn.kernel import receptor, reset_kernel
    from chiplearn.tasks import EvidenceAccumulation
    from eprop_families import FAMILIES

    names = FAMILIES[family]
    task = EvidenceAccumulation()
    reset_kernel(args.threads, args.seed, task.steps, task.recall_steps, True)
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "t_ref": 5.0, "tau_m": 20.0, "c_reg": 300.0,
              "f_target": 10.0, "regular_spike_arrival": True, "surrogate_gradient_height": 0.5,
              "surrogate_gradient_width": 0.6}
    readout = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": 20.0, "loss": "cross_entropy",
               "regular_spike_arrival": False}
    tau_m_readout = {"tau_m_readout": readout["tau_m"]}  # chiplearn's neurons take it, NEST's synapses
    optimizer = {"type": "adam", "batch_size": args.batch_size, "eta": 5e-3, "epsilon": 1e-8}

    began = time.perf_counter()
    generators = nest.Create("spike_generator", N_INPUTS)
    inputs = nest.Create("parrot_neuron", N_INPUTS)
    if family == "chiplearn":
        neuron.update(tau_m_readout)
    adaptive = {**neuron, "adapt_tau": 2000.0, "adapt_beta": 1.7 * (1.0 - np.exp(-1.0 / 2000.0)) / (1.0 - np.exp(-1.0 / 20.0))}
    recurrent = (nest.Create(names["lif"], args.neurons // 2, neuron)
                 + nest.Create(names["alif"], args.neurons - args.neurons // 2, adaptive))
    readouts = nest.Create(names["readout"], N_OUTPUTS, readout)
    targets = nest.Create("step_rate_generator", N_OUTPUTS)
    nest.SetDefaults(names["synapse"], {"optimizer": optimizer, "average_gradient": True})
    plastic = {"synapse_model": names["synapse"], "delay": 1.0, **(tau_m_readout if family == "nest" else {})}
    memory_nodes = rss_mb()
    nest.Connect(generators, inputs, "one_to_one", {"synapse_model": "static_synapse", "delay": 1.0})
    nest.Connect(inputs, recurrent, "all_to_all",
                 {**plastic, "weight": nest.random.normal(0.0, 1.0 / np.sqrt(N_INPUTS))})
    nest.Connect(recurrent, recurrent, {"rule": "fixed_indegree", "indegree": args.indegree, "allow_autapses": False},
                 {**plastic, "weight": nest.random.normal(0.0, 1.0 / np.sqrt(args.indegree))})
    limit = np.sqrt(3.0 / ((args.neurons + N_OUTPUTS) / 2.0))
    nest.Connect(recurrent, readouts, "all_to_all", {**plastic, "weight": nest.random.uniform(-limit, limit)})
    nest.Connect(readouts, recurrent, "all_to_all",
                 {"synapse_model": names["feedback"], "delay": 1.0, "weight": nest.random.normal(0.0, 1.0)})
    nest.Connect(targets, readouts, "one_to_one",
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0,
                  "receptor_type": receptor(names["readout"], "target_signal")})
    nest.Connect(readouts, readouts, {"rule": "all_to_all", "allow_autapses": False},
                 {"synapse_model": "rate_connection_delayed", "delay": 1.0, "weight": 1.0,
                  "receptor_type": receptor(names["readout"], "readout_signal")})
    spikes = nest.Create("spike_recorder")
    nest.Connect(recurrent, spikes)
    nest.Prepare()  # NEST sorts and finalises the connections here: part of their memory
    nest.Cleanup()
    memory_connections = rss_mb() - memory_nodes
    build_seconds = time.perf_counter() - began

    rng = np.random.default_rng(args.seed)
    batch_steps = args.batch_size * task.steps
    seconds = []
    for iteration in range(args.iterations + 1):  # the first iteration is not timed: buffers grow in it
        trial_spikes, labels = task.trials(rng, args.batch_size)
        start = iteration * batch_steps
        trial, step, channel = np.nonzero(trial_spikes)
        times = start + trial * task.steps + step + 1.0
        generators.set([{"spike_times": np.sort(times[channel == i])} for i in range(N_INPUTS)])
        target_values = np.zeros((N_OUTPUTS, args.batch_size))
        target_values[labels, np.arange(args.batch_size)] = 1.0
        targets.set([{"amplitude_times": start + np.arange(args.batch_size) * task.steps + 4.0,
                      "amplitude_values": target_values[k]} for k in range(N_OUTPUTS)])
        iteration_began = time.perf_counter()
        nest.Simulate(float(batch_steps))
        if iteration > 0:
            seconds.append(time.perf_counter() - iteration_began)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ranks = gather.allgather({"seconds": seconds, "connections_mb": memory_connections, "peak_mb": peak_mb,
                              "spikes": int(spikes.get("n_events")), "synapses": nest.num_connections})
    simulated_s = (args.iterations + 1) * batch_steps / 1000.0
    return {
        "family": family, "processes": len(ranks), "threads": args.threads,
        "seconds": [max(rank["seconds"][i] for rank in ranks) for i in range(args.iterations)],
        "build_seconds": build_seconds,
        "synapses": sum(rank["synapses"] for rank in ranks),  # each rank counts the connections it holds
        "connections_mb": sum(rank["connections_mb"] for rank in ranks),
        "peak_mb": sum(rank["peak_mb"] for rank in ranks),
        "rate_hz": sum(rank["spikes"] for rank in ranks) / args.neurons / simulated_s,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neurons", type=int, default=10000, help="recurrent LIF neurons")
    parser.add_argument("--indegree", type=int, default=1000, help="recurrent synapses onto each neuron")
    parser.add_argument("--batch-size", type=int, default=1, help="trials per iteration")
    parser.add_argument("--iterations", type=int, default=1, help="timed iterations (after an untimed first)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", nargs="+", default=["chiplearn:1", "chiplearn:2", "nest:1"],
                        help="family:threads of each run, each in its own process")
    parser.add_argument("--family", choices=["chiplearn", "nest"],
                        help="one run in this process (for mpirun); its figures as JSON on the last line")
    parser.add_argument("--threads", type=int, default=1, help="threads of the --family run")
    args = parser.parse_args()
    if args.family:
        from chiplearn import gather

        result = run(args.family, args)
        gather.report(json.dumps(result))
        return

    print(f"e-prop at scale: {args.neurons} neurons (half LIF, half ALIF), indegree {args.indegree}, {N_INPUTS} inputs, "
          f"{N_OUTPUTS} readouts; cue accumulation, batch {args.batch_size}, {args.iterations} timed iterations")
    print(f"{'family':>10} {'threads':>7} {'synapses':>11} {'build s':>8} {'s/iteration':>12} "
          f"{'bytes/synapse':>14} {'peak MB':>8} {'peak B/syn':>10} {'rate Hz':>8}")
    results = {}
    for run_spec in args.runs:
        family, threads = run_spec.split(":")
        options = ["--neurons", args.neurons, "--indegree", args.indegree, "--batch-size", args.batch_size,
                   "--iterations", args.iterations, "--seed", args.seed, "--family", family, "--threads", threads]
        output = subprocess.run([sys.executable, __file__, *map(str, options)], capture_output=True, text=True,
                                check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results[run_spec] = result
        per_iteration = sum(result["seconds"]) / len(result["seconds"])
        print(f"{family:>10} {threads:>7} {result['synapses']:>11,} {result['build_seconds']:>8.1f} "
              f"{per_iteration:>12.2f} {result['connections_mb'] * 2**20 / result['synapses']:>14.1f} "
              f"{result['peak_mb']:>8.0f} {result['peak_mb'] * 2**20 / result['synapses']:>10.0f} "
              f"{result['rate_hz']:>8.2f}", flush=True)
    for threads in sorted({spec.split(":")[1] for spec in results}):
        ours, nest_run = results.get(f"chiplearn:{threads}"), results.get(f"nest:{threads}")
        if ours and nest_run:
            ratio = sum(ours["seconds"]) / sum(nest_run["seconds"])
            print(f"time ratio chiplearn / NEST with {threads} thread(s): {ratio:.3f}")


if __name__ == "__main__":
    main()
