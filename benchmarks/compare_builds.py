"""Time of two builds of chiplearn side by side, run interleaved in one session: the check that a change of
the code leaves the speed alone (or by how much it changes it).

The old build is a checkout of an earlier commit (its own benchmark scripts are run) and its package
installed into a folder of its own; the new build is the package of this environment with this checkout's
scripts. Per round, each build runs the e-prop training benchmark (chiplearn's family only) and the neuron
benchmark (which also times NEST's eprop_iaf_bsshslm_2020 in the same process, so that each build's time can
be read against NEST's too). Prints per round and the medians, and the ratios new / old.

    git worktree add /tmp/chiplearn-old <commit>
    pip install --no-deps --no-build-isolation --target /tmp/chiplearn-old-package /tmp/chiplearn-old
    python benchmarks/compare_builds.py --old-checkout /tmp/chiplearn-old --old-package /tmp/chiplearn-old-package
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(script, arguments, package=None):
    environment = dict(os.environ)
    if package:
        environment["PYTHONPATH"] = package + os.pathsep + environment.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, script, *arguments], capture_output=True, text=True, check=True,
                            env=environment)
    return result.stdout


def training_seconds(checkout, package, iterations):
    output = run(os.path.join(checkout, "eprop_training.py"),
                 ["--family", "chiplearn", "--iterations", str(iterations)], package)
    seconds = json.loads(output.strip().splitlines()[-1])["seconds"]
    return statistics.median(seconds[1:])  # the first iteration includes building the network


def neuron_seconds(checkout, package, threads):
    output = run(os.path.join(checkout, "neuron_simulation.py"), ["--threads", str(threads)], package)
    times = dict(re.findall(r"^\s*(\S+): +([\d.]+) s", output, flags=re.M))
    return float(times["eprop_iaf_chiplearn"]), float(times["eprop_iaf_bsshslm_2020"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old-checkout", required=True, help="checkout of the old commit")
    parser.add_argument("--old-package", required=True, help="folder with the old build's chiplearn package")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=15, help="training iterations per run")
    parser.add_argument("--threads", type=int, default=1, help="threads of the neuron benchmark")
    args = parser.parse_args()
    builds = {"old": (os.path.join(args.old_checkout, "benchmarks"), args.old_package), "new": (HERE, None)}
    results = {name: {"training": [], "neurons": [], "neurons_vs_nest": []} for name in builds}
    for round_number in range(1, args.rounds + 1):
        for name, (checkout, package) in builds.items():
            training = training_seconds(checkout, package, args.iterations)
            chiplearn_seconds, nest_seconds = neuron_seconds(checkout, package, args.threads)
            results[name]["training"].append(training)
            results[name]["neurons"].append(chiplearn_seconds)
            results[name]["neurons_vs_nest"].append(chiplearn_seconds / nest_seconds)
            print(f"round {round_number} {name}: training {training:.3f} s per iteration; neuron benchmark "
                  f"{chiplearn_seconds:.3f} s ({chiplearn_seconds / nest_seconds:.3f} of NEST's model)", flush=True)
    for key, label in (("training", "training, s per iteration"), ("neurons", "neuron benchmark, s"),
                       ("neurons_vs_nest", "neuron benchmark / NEST's model")):
        old, new = statistics.median(results["old"][key]), statistics.median(results["new"][key])
        print(f"median {label:32}: old {old:.3f}, new {new:.3f}, new / old {new / old:.3f}")


if __name__ == "__main__":
    main()
