"""The fuzz suite of chiplearn's models: seeded cases (tests/fuzz/cases.py) run by worker processes
(tests/fuzz/worker.py), each case in a fresh NEST kernel. A case that kills its worker is a crash, one that
takes longer than --timeout a hang; both are reported with their reproducer and the worker is restarted.
Counts crashes, hangs, silent non-finite results (NaN in a recording or a weight after an accepted
simulation), refusals that changed something (by the module's models, and separately by NEST's own code)
and unexpected errors. Exits 1 if any of the module's own counts is not zero.

    python tests/fuzz/run.py --cases 20000 --workers 2        # the long run (see benchmarks/RESULTS.md)
    python tests/fuzz/run.py --seed 3 --first 1234 --cases 1  # one reproducer
"""

import argparse
import json
import os
import select
import subprocess
import sys
import time

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")


class Worker:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.case = None
        self.started = 0.0

    def give(self, seed, index):
        self.case = (seed, index)
        self.started = time.monotonic()
        self.process.stdin.write(f"{seed} {index}\n")
        self.process.stdin.flush()

    def stop(self):
        self.process.kill()
        self.process.wait()


def run(seed, first, n_cases, n_workers, timeout, progress=False):
    """Runs the cases first .. first + n_cases - 1 of seed; returns (totals, failures)."""
    totals = {"cases": 0, "refused": 0, "accepted": 0, "crashes": 0, "hangs": 0, "nonfinite": 0,
              "half_applied": 0, "half_applied_nest": 0, "unexpected": 0, "unexpected_nest": 0}
    failures = []
    pending = list(range(first, first + n_cases))[::-1]
    workers = [Worker() for _ in range(min(n_workers, n_cases))]
    for worker in workers:
        worker.give(seed, pending.pop())
    busy = list(workers)
    while busy:
        ready, _, _ = select.select([w.process.stdout for w in busy], [], [], 1.0)
        for worker in list(busy):
            finished = None
            if worker.process.stdout in ready:
                line = worker.process.stdout.readline()
                if line:
                    finished = json.loads(line)
                else:  # the worker died: the case crashed it
                    code = worker.process.wait()
                    finished = {"seed": seed, "index": worker.case[1], "crash": code}
            elif time.monotonic() - worker.started > timeout:
                worker.stop()
                finished = {"seed": seed, "index": worker.case[1], "hang": timeout}
            if finished is None:
                continue
            totals["cases"] += 1
            for key in ("refused", "accepted"):
                totals[key] += finished.get(key, 0)
            for key in ("nonfinite", "half_applied", "half_applied_nest", "unexpected", "unexpected_nest"):
                totals[key] += len(finished.get(key, []))
            totals["crashes"] += "crash" in finished
            totals["hangs"] += "hang" in finished
            if any(finished.get(key) for key in ("crash", "hang", "nonfinite", "half_applied", "unexpected")):
                failures.append(finished)
            if progress and totals["cases"] % 500 == 0:
                print(f"{totals['cases']} cases: {totals}", flush=True)
            if "crash" in finished or "hang" in finished:
                busy.remove(worker)
                worker = Worker()
                busy.append(worker)
            if pending:
                worker.give(seed, pending.pop())
            else:
                busy.remove(worker)
                worker.stop()
    return totals, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="index of the first case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a case may take before it is a hang")
    parser.add_argument("--failures", default="fuzz_failures.json", help="where the failing cases are written")
    args = parser.parse_args()
    started = time.time()
    totals, failures = run(args.seed, args.first, args.cases, args.workers, args.timeout, progress=True)
    print(json.dumps(totals))
    print(f"{time.time() - started:.0f} s; {len(failures)} failing cases"
          + (f", written to {args.failures} (rerun one with --seed {args.seed} --first INDEX --cases 1)" if failures else ""))
    if failures:
        with open(args.failures, "w") as stream:
            json.dump(failures, stream, indent=1)
    own = ("crashes", "hangs", "nonfinite", "half_applied", "unexpected")
    sys.exit(1 if any(totals[key] for key in own) else 0)


if __name__ == "__main__":
    main()
