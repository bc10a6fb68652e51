"""Where a float-trained network loses accuracy when carried onto ReckOn: the cue-accumulation network of
pynest_scripts/chip_precision.py, tested on that study's test trials with one of the chip's differences at a
time in the float model, then all of them, beside the chip node itself.

    python benchmarks/reckon_carry_ablation.py --output DIR [--seed 1] [--test-trials 1024] [--t-ref 5]

DIR is a chip_precision.py output folder (the float network is trained there first if it is not yet; the
same --seed, --test-trials and --t-ref as that run). The differences (chiplearn.chip.carry_to_reckon says which it
leaves out):

  no refractoriness   t_ref = 0: the chip can fire in every tick
  ReckOn's weights    the 8-bit weights carry_to_reckon makes, back in mV: input and recurrent weights share
                      the chip's LSB (2^fp_loc / membrane_scale mV), the readout weights take 127 levels
  the chip's vote     the answer is the class whose readout is largest in most steps of the recall window,
                      not the one with the largest mean softmax

What the three together do not explain is the chip's own arithmetic: the leak floored or rounded
stochastically every tick (Q1.15) and the readout's Q1.7 leak. Every point is kept in DIR/points/ like the
study's; the table is printed at the end.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pynest_scripts"))

from chip_precision import Study  # noqa: E402

from chiplearn import chip  # noqa: E402
from chiplearn.gather import report  # noqa: E402
from chiplearn.losses import decisions  # noqa: E402


def votes(readout_signal, window):
    """Class per trial: the readout that is largest in most of the last `window` steps (ties: the lower)."""
    winners = np.argmax(readout_signal[:, -window:], axis=2)
    counts = np.stack([np.sum(winners == k, axis=1) for k in range(readout_signal.shape[2])], axis=1)
    return np.argmax(counts, axis=1)


def reckon_weights_in_mv(study, float_weights):
    """carry_to_reckon's 8-bit weights expressed in the float model's units."""
    config = study.config()
    carried = chip.carry_to_reckon(chip.RECKON, float_weights, config.groups[0].params, config.readout_params)
    registers = carried["preset"]["config"]
    mv_per_lsb = {key: 2 ** registers[f"fp_loc_{key}"] / carried["membrane_scale"] for key in ("winp", "wrec")}
    largest = float(np.max(np.abs(float_weights["rec_out"])))
    return {"in_rec": carried["w_inp"].T * mv_per_lsb["winp"], "rec_rec": carried["w_rec"].T * mv_per_lsb["wrec"],
            "rec_out": carried["w_out"].T * largest / 127.0, "feedback": float_weights["feedback"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, help="a chip_precision.py output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--test-trials", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--t-ref", type=float, default=5.0, help="the study's --t-ref (ms)")
    cli = parser.parse_args()
    # the study's training settings (chip_precision.py's defaults): they make its float network
    args = argparse.Namespace(output=cli.output, seed=cli.seed, test_trials=cli.test_trials, threads=cli.threads,
                              iterations=120, batch_size=32, eta=5e-3, validate_every=10, stop_accuracy=0.96,
                              t_ref=cli.t_ref)
    study = Study(args)
    float_point, float_weights = study.trained_float()
    reckon_weights = reckon_weights_in_mv(study, float_weights)

    def ablation(name, weights, refractory, decide):
        def compute():
            network = study.float_network(weights)
            if not refractory:
                network.recurrent.set({"t_ref": 0.0})
            return study.test_points(network, lambda record: study.float_evaluation(record, decide))

        return study.run(f"ablation_{name}", compute, mode="ablation")

    rows = [("float, as trained", float_point),
            ("no refractoriness", ablation("no_refractoriness", float_weights, False, decisions)),
            ("ReckOn's weights", ablation("reckon_weights", reckon_weights, True, decisions)),
            ("the chip's vote", ablation("vote", float_weights, True, votes)),
            ("all three", ablation("all_three", reckon_weights, False, votes)),
            ("the chip node (carried)", study.reckon_carried(float_weights))]
    reference = np.array(float_point["correct"])
    report("")
    report(f"{'point':<26} {'test accuracy':>14} {'float right, point wrong':>26} {'float wrong, point right':>26}")
    for label, point in rows:
        correct = np.array(point["correct"])
        report(f"{label:<26} {100 * point['test_accuracy']:>12.1f} % {np.sum(reference & ~correct):>26d} "
               f"{np.sum(~reference & correct):>26d}")


if __name__ == "__main__":
    main()
