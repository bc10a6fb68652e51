"""The ReckOn release's own experiment in chiplearn's chip mode: its cue-accumulation samples (50 train +
50 test per epoch), its initial weights and its configuration (chiplearn.chip.RECKON), trained on chip
in every tick of the target window; the chip's inference (the output that led in most ticks of the last
150 ms) per sample. Prints train and test accuracy per epoch and the time per sample.

    python benchmarks/reckon_release_experiment.py --data reckon/src/data [--epochs 10] [--nest]

With --nest the same experiment also runs through NEST (one reckon_chip_chiplearn node fed by spike
generators, chiplearn.chip_network.ReckonChipNetwork, each phase one batch of samples) beside the core, and
prints whether its inferences and accuracies equal the core's in every epoch.

The release's data (src/data of ChFrenkel/ReckOn) is not shipped with chiplearn; --data names a copy.
"""

import argparse
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from chiplearn import chip  # noqa: E402
from tools.reckon_rtl.make_dumps import read_samples  # noqa: E402

TICKS, TARGET_START, LAST_LEARNING_TICK = 2250, 2100, 2248  # the testbench's protocol (tools/reckon_rtl/README.md)


def sample_arrays(events):
    label = next(b for a, b in events if a == -2)
    return np.array([(b, a) for a, b in events if a >= 0], dtype=np.int64), label


def run_phase(net, samples, learn):
    """Runs the samples in order, learning or not; returns the inferences."""
    net.set_do_eprop(0b111 if learn else 0)
    inferences = []
    for events in samples:
        ev, label = sample_arrays(events)
        out = net.run_sample(ev, TICKS, label if learn else -1, TARGET_START, LAST_LEARNING_TICK + 1, TARGET_START,
                             record=False)
        inferences.append(out["inference"])
    return inferences


def initial_network(data):
    w = [np.loadtxt(data / f"init_rand_weights_{k}_cueAcc.dat", dtype=np.int64) for k in ("inp", "rec", "out")]
    return chip.reckon_network(chip.RECKON, w[0].reshape(40, 100), w[1].reshape(100, 100), w[2].reshape(100, 2))


def nest_network(data):
    """The release's chip as a NEST node: samples of 2250 ticks, learning in ticks 2100-2248, votes from 2100."""
    import nest

    from chiplearn.chip_network import ReckonChipNetwork
    from chiplearn.kernel import reset_kernel

    reset_kernel(1, 1, TICKS, TICKS - TARGET_START, True)
    w = [np.loadtxt(data / f"init_rand_weights_{k}_cueAcc.dat", dtype=np.int64) for k in ("inp", "rec", "out")]
    return ReckonChipNetwork(nest, chip.RECKON, w[0].reshape(40, 100), w[1].reshape(100, 100), w[2].reshape(100, 2),
                             sample_ticks=TICKS, target_start=TARGET_START, target_end=LAST_LEARNING_TICK + 1,
                             inference_start=TARGET_START)


def nest_phase(network, samples, learn):
    """The samples as one batch through the NEST node; returns the inferences."""
    spikes = np.zeros((len(samples), TICKS, 40), dtype=bool)
    labels = []
    for k, events in enumerate(samples):
        ev, label = sample_arrays(events)
        ev = ev[ev[:, 0] < TICKS]
        spikes[k, ev[:, 0], ev[:, 1]] = True
        labels.append(label)
    response = next(network.stream([(spikes, np.eye(2)[labels], learn)]))
    return list(response["inference"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the release's src/data folder")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--nest", action="store_true", help="also through the NEST model, compared with the core")
    args = parser.parse_args()
    data = pathlib.Path(args.data)
    train, test = (read_samples(data / f"dataset_cueAcc_{k}.dat") for k in ("train", "test"))
    labels = [[sample_arrays(s)[1] for s in phase] for phase in (train, test)]
    net = initial_network(data)
    in_nest = nest_network(data) if args.nest else None
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        got_train = run_phase(net, train, True)
        got_test = run_phase(net, test, False)
        seconds = time.perf_counter() - start
        acc = [np.mean(np.array(g) == np.array(l)) for g, l in zip((got_train, got_test), labels)]
        line = (f"epoch {epoch:2d}: train {100 * acc[0]:5.1f} %  test {100 * acc[1]:5.1f} %  "
                f"({1e3 * seconds / (len(train) + len(test)):.1f} ms per sample)")
        if in_nest is not None:
            start = time.perf_counter()
            same = nest_phase(in_nest, train, True) == got_train and nest_phase(in_nest, test, False) == got_test
            seconds = time.perf_counter() - start
            line += (f"; NEST: {'the same inferences' if same else 'OTHER INFERENCES'} "
                     f"({1e3 * seconds / (len(train) + len(test)):.1f} ms per sample)")
        print(line, flush=True)
    if in_nest is not None:
        same = all(np.array_equal(in_nest.weights()[key], getattr(net, key).ravel()) for key in ("w_inp", "w_rec", "w_out"))
        print(f"weights after {args.epochs} epochs: NEST {'equals' if same else 'DIFFERS FROM'} the core")


if __name__ == "__main__":
    main()
