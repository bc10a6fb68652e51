"""Time of one ReckOn testbench sample (2,250 ticks) in chiplearn's core against the chip's RTL under
Verilator, on the committed RTL samples (tests/data/reckon/), and whether the core agrees bit for bit.

    python benchmarks/reckon_sample_speed.py                       # RTL time as recorded in the npz files
    python benchmarks/reckon_sample_speed.py --simulator /tmp/build-reckon/obj_dir/Vreckon_sim \\
        --data reckon/src/data                                     # runs the RTL again in this run
"""

import argparse
import pathlib
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from chiplearn import chip  # noqa: E402
from tests.test_reckon_core import preset_from_dump  # noqa: E402
from tools.reckon_rtl import make_dumps  # noqa: E402


def core_seconds(d, repeats):
    label = int(d["label"]) if d["learn"] else -1
    best, agrees = float("inf"), True
    for _ in range(repeats):
        net = chip.reckon_network(preset_from_dump(d), d["w_inp"], d["w_rec"], d["w_out"])
        start = time.perf_counter()
        out = net.run_sample(d["events"].astype(np.int64), len(d["u"]), label, int(d["target_start"]))
        best = min(best, time.perf_counter() - start)
        agrees &= all(np.array_equal(out[k], d[k].astype(np.int64)) for k in ("u", "ti", "tr", "to", "o", "z"))
        if d["learn"]:
            agrees &= all(np.array_equal(getattr(net, k), d[f"{k}_after"].astype(np.int64))
                          for k in ("w_inp", "w_rec", "w_out"))
    return best, agrees


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--simulator", help="obj_dir/Vreckon_sim (tools/reckon_rtl/build.sh) to time the RTL again")
    parser.add_argument("--data", help="the release's src/data folder (with --simulator)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'sample':26s} {'RTL s':>8s} {'core ms':>8s} {'ratio':>7s}  bit-exact")
    for name in make_dumps.CASES:
        path = ROOT / "tests" / "data" / "reckon" / f"{name}.npz"
        if args.simulator:
            with tempfile.TemporaryDirectory() as tmp:
                make_dumps.run_case(name, pathlib.Path(args.simulator), pathlib.Path(args.data), pathlib.Path(tmp))
                with np.load(pathlib.Path(tmp) / f"{name}.npz") as f:
                    rtl = float(f["rtl_seconds"])
        with np.load(path) as f:
            d = {k: f[k] for k in f.files}
        if not args.simulator:
            rtl = float(d["rtl_seconds"])
        seconds, agrees = core_seconds(d, args.repeats)
        print(f"{name:26s} {rtl:8.2f} {1e3 * seconds:8.1f} {rtl / seconds:6.0f}x  {'yes' if agrees else 'NO'}")


if __name__ == "__main__":
    main()
