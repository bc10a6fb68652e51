"""A bounded slice of the fuzz suite (tests/fuzz/run.py; the long run is documented in README.md): seeded
cases of Create, SetStatus, SetDefaults, CopyModel, Connect, conn.set and Simulate on chiplearn's models, each
in a fresh kernel in worker processes. None may crash or hang a worker, leave a refused setting half
applied in the module's models, end a simulation with an unexpected error from the module, or produce a
NaN (or an unexplained inf) in a recording or a weight."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fuzz"))

from run import run  # noqa: E402


def test_fuzz_slice_finds_nothing():
    totals, failures = run(seed=7, first=0, n_cases=1500, n_workers=2, timeout=60.0)
    assert totals["cases"] == 1500
    # the cases exercise both sides: many refusals, and many accepted operations and simulations
    assert totals["refused"] > 3000 and totals["accepted"] > 5000
    for key in ("crashes", "hangs", "nonfinite", "half_applied", "unexpected"):
        assert totals[key] == 0, (key, failures[:3])
