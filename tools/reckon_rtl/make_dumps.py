"""Runs ReckOn's RTL (through the Verilator harness beside this file) on the cases below and stores what it
did as test data: tests/data/reckon/<case>.npz. See README.md for the commands.

Each npz holds the configuration (JSON, the chip's register names), the neuron word (alpha_lsb,
threshold), the initial weights, the sample's input events, its label and target-window start, and per
dumped tick: membranes u, traces ti/tr/to, output membranes o, spikes z; with learning on, the weights
after the sample (w_inp_after, w_rec_after, w_out_after). The files of the release's protocol (--release,
--epochs) hold its samples' events and labels, the chip's inference for each sample (one row per epoch), and
the initial weights and those at the end.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from tests.reference.reckon import TESTBENCH, TESTBENCH_ALPHA_LSB, TESTBENCH_THRESHOLD  # noqa: E402

# configuration key -> SPI register address (the release's spi_slave.v address map)
ADDRESS = dict(
    rst_mode=8, do_eprop=9, fp_loc_winp=12, fp_loc_wrec=13, fp_loc_wout=14, fp_loc_tinp=15, fp_loc_trec=16,
    fp_loc_tout=17, learn_sig_scale=18, regul_mode=19, regul_w=20, en_stoch_round=21, no_out_act=27,
    force_traces=33, kappa=69, lr_r_winp=79, lr_p_winp=80, lr_r_wrec=81, lr_p_wrec=82, lr_r_wout=83,
    lr_p_wout=84, seed_inp=85, seed_rec=86, seed_out=87, seed_strnd_neur=88, seed_strnd_oneur=89,
    seed_strnd_tinp=90, seed_strnd_trec=91, seed_strnd_tout=92, num_inp_neur=94, num_rec_neur=95,
    num_out_neur=96, regul_f0=98, regul_k_inp_r=99, regul_k_inp_p=100, regul_k_rec_r=101, regul_k_rec_p=102,
    regul_k_mul=103,
)

# Our own settings, chosen to reach parts of the datapath the testbench leaves idle: fast leaks, reset to
# zero, other weight and trace shifts, a 5-level pseudo-derivative with negative levels, right shifts of
# the update probability, multiplicative regularization, leak factors >= 1 (growth, saturation), no
# stochastic rounding, no leak of the output neurons, no output activation.
OWN_FAST = dict(
    TESTBENCH, rst_mode=1, fp_loc_winp=4, fp_loc_wrec=4, fp_loc_wout=2, fp_loc_tinp=2, fp_loc_trec=5,
    fp_loc_tout=5, kappa=0x70, thr_h=(-200, 0, 150, 300), h=(-2, 0, 3, 7, 1), learn_sig_scale=7,
    lr_p_winp=12, lr_r_winp=1, lr_p_wrec=12, lr_r_wrec=2, lr_p_wout=15, lr_r_wout=0,
    regul_mode=0b011, regul_w=0b11, regul_f0=40, regul_k_mul=2, regul_k_inp_p=6, regul_k_rec_p=7,
    regul_k_rec_r=1, seed_inp=0x1ABCDE, seed_rec=0x0F00D5, seed_out=0x2BEEF, seed_strnd_neur=0x1234_5678,
)
OWN_GROWTH = dict(
    TESTBENCH, en_stoch_round=0, kappa=0x80, no_out_act=1, alpha_conf=0x5555_0000_FFFF_0000_0F0F_0F0F_AAAA_AAAA,
    fp_loc_winp=5, fp_loc_wrec=6, thr_h=(-32768, 100, 500, 2000), h=(1, 2, 4, -8, 15), lr_p_winp=10,
    lr_p_wrec=11, lr_p_wout=12, lr_r_wout=2, regul_mode=0b100, regul_w=0b01,
)

CASES = {
    # name: (configuration, alpha_lsb, threshold, data set, sample, learning)
    "testbench_test0_nolearn": (dict(TESTBENCH, do_eprop=0, force_traces=1), TESTBENCH_ALPHA_LSB,
                                TESTBENCH_THRESHOLD, "test", 0, False),
    "testbench_train0_learn": (TESTBENCH, TESTBENCH_ALPHA_LSB, TESTBENCH_THRESHOLD, "train", 0, True),
    "own_fast_leak_learn": (OWN_FAST, 0xE00, 300, "train", 1, True),
    "own_growth_learn": (OWN_GROWTH, 0x010, 900, "train", 2, True),
}


def register_writes(config):
    writes = []
    for key, value in config.items():
        if key == "thr_h":
            writes += [(70 + k, v & 0xFFFF) for k, v in enumerate(value)]
        elif key == "h":
            writes += [(74 + k, v & 0x1F) for k, v in enumerate(value)]
        elif key == "alpha_conf":
            writes += [(65 + k, (value >> (32 * k)) & 0xFFFFFFFF) for k in range(4)]
        else:
            writes.append((ADDRESS[key], value))
    return writes


def read_samples(path):
    """The release's data set: a sample count, then 'index, time' lines; (-2, label) starts the target
    window, (-1, end) ends a sample."""
    lines = [line for line in path.read_text().split("\n")[1:] if line.strip()]
    samples, events = [], []
    for line in lines:
        a, b = (int(x) for x in line.split(","))
        events.append((a, b))
        if a == -1:
            samples.append(events)
            events = []
    return samples


def parse_dump(path, n_rec):
    fields = {k: [] for k in ("u", "ti", "tr", "to", "o")}
    spikes = []
    for line in path.read_text().splitlines():
        parts = line.split("|")
        for part in parts[1:]:
            name, *values = part.split()
            if name == "z":
                row = np.zeros(n_rec, dtype=bool)
                row[[int(v) for v in values]] = True
                spikes.append(row)
            else:
                fields[name].append([int(v) for v in values])
    out = {"u": np.array(fields["u"], np.int16), "o": np.array(fields["o"], np.int16), "z": np.array(spikes)}
    for name in ("ti", "tr", "to"):
        out[name] = np.array(fields[name], np.uint16)
    return out


def run_case(name, simulator, data, out_dir):
    config, alpha_lsb, threshold, which, sample, learn = CASES[name]
    samples = read_samples(data / f"dataset_cueAcc_{which}.dat")
    events = samples[sample]
    label = next(b for a, b in events if a == -2)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        # the harness runs the first N samples of a set: give it one whose first sample is the chosen one
        for f in data.glob("init_rand_weights_*.dat"):
            (tmp / f.name).write_text(f.read_text())
        kept = "\n".join(f"{a}, {b}" for a, b in events)
        for other in ("train", "test"):
            (tmp / f"dataset_cueAcc_{other}.dat").write_text(f"1\n{kept}\n")
        args = [str(simulator), "--data", str(tmp), "--backdoor", "--dump", str(tmp / "dump.txt"), "--dump-traces",
                "--alpha-lsb", hex(alpha_lsb), "--threshold", str(threshold & 0xFFFF)]
        args += ["--train", "1", "--test", "0"] if learn else ["--train", "0", "--test", "1"]
        for address, value in register_writes(config):
            args += ["--set", f"{address}={value}"]
        if learn:
            args += ["--weights-out", str(tmp / "weights.txt")]
        start = time.perf_counter()
        subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        n_inp, n_rec, n_out = config["num_inp_neur"] + 1, config["num_rec_neur"] + 1, config["num_out_neur"] + 1
        result = parse_dump(tmp / "dump.txt", n_rec)
        w_inp, w_rec, w_out = (np.loadtxt(data / f"init_rand_weights_{k}_cueAcc.dat", dtype=np.int64).ravel()
                               for k in ("inp", "rec", "out"))
        result.update(
            config=json.dumps(config), alpha_lsb=alpha_lsb, threshold=threshold, label=label, learn=learn,
            target_start=2100, events=np.array([(b, a) for a, b in events if a >= 0], np.int16),
            w_inp=w_inp.reshape(n_inp, n_rec).astype(np.int8), w_rec=w_rec.reshape(n_rec, n_rec).astype(np.int8),
            w_out=w_out.reshape(n_rec, n_out).astype(np.int8), rtl_seconds=seconds,
            command=" ".join(a if not a.startswith(str(tmp)) else a.replace(str(tmp), "DATA") for a in args[1:]))
        if learn:
            w = np.loadtxt(tmp / "weights.txt", dtype=np.int64)
            result.update(w_inp_after=w[:n_inp * n_rec].reshape(n_inp, n_rec).astype(np.int8),
                          w_rec_after=w[n_inp * n_rec:n_inp * n_rec + n_rec * n_rec].reshape(n_rec, n_rec).astype(np.int8),
                          w_out_after=w[n_inp * n_rec + n_rec * n_rec:].reshape(n_rec, n_out).astype(np.int8))
    np.savez_compressed(out_dir / f"{name}.npz", **result)
    changed = int((result["w_inp_after"] != result["w_inp"]).sum() + (result["w_rec_after"] != result["w_rec"]).sum()
                  + (result["w_out_after"] != result["w_out"]).sum()) if learn else 0
    print(f"{name}: {len(result['u'])} ticks, {int(result['z'].sum())} spikes, {changed} weights changed, "
          f"RTL {seconds:.1f} s")


def run_release(n_samples, epochs, simulator, data, out_dir):
    """The release's protocol: its first n train samples (learning) then its first n test samples, or (epochs > 0)
    that many epochs of all 50 + 50; the chip's inference per sample (one row per epoch) and the weights at the
    end, stored with the samples and initial weights."""
    per_epoch = 50 if epochs else n_samples
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(simulator), "--data", str(data), "--backdoor"]
        args += ["--epochs", str(epochs)] if epochs else ["--train", str(n_samples), "--test", str(n_samples)]
        args += ["--weights-out", str(pathlib.Path(tmp) / "weights.txt")]
        start = time.perf_counter()
        log = subprocess.run(args, check=True, capture_output=True, text=True).stderr
        seconds = time.perf_counter() - start
        w = np.loadtxt(pathlib.Path(tmp) / "weights.txt", dtype=np.int64)
    inferences = {"TRAIN": [], "TEST": []}
    for line in log.splitlines():
        words = line.replace(":", " ").split()
        if words and words[0] in inferences and words[1] == "sample":
            inferences[words[0]].append(int(words[words.index("inference") + 1]))
    result = {"rtl_seconds": seconds, "command": " ".join(args[1:2] + ["RECKON/src/data"] + args[3:-1] + ["WEIGHTS"])}
    for phase, key in (("train", "TRAIN"), ("test", "TEST")):
        samples = read_samples(data / f"dataset_cueAcc_{phase}.dat")[:per_epoch]
        result[f"{phase}_labels"] = np.array([next(b for a, b in s if a == -2) for s in samples], np.int8)
        result[f"{phase}_inferences"] = np.array(inferences[key], np.int8).reshape(max(epochs, 1), per_epoch)
        for k, s in enumerate(samples):
            result[f"{phase}_events_{k}"] = np.array([(b, a) for a, b in s if a >= 0], np.int16)
    for k in ("inp", "rec", "out"):
        result[f"w_{k}"] = np.loadtxt(data / f"init_rand_weights_{k}_cueAcc.dat", dtype=np.int64).astype(np.int8)
    result.update(w_inp_after=w[:4000].astype(np.int8), w_rec_after=w[4000:14000].astype(np.int8),
                  w_out_after=w[14000:].astype(np.int8))
    name = f"release_epochs{epochs}" if epochs else f"release_train{n_samples}_test{n_samples}"
    np.savez_compressed(out_dir / f"{name}.npz", **result)
    accuracy = {phase: (result[f"{phase}_inferences"] == result[f"{phase}_labels"]).mean(axis=1).round(2).tolist()
                for phase in ("train", "test")}
    print(f"{name}: accuracy per epoch {accuracy}, RTL {seconds:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--simulator", required=True, help="obj_dir/Vreckon_sim built by build.sh")
    parser.add_argument("--data", required=True, help="the release's src/data folder")
    parser.add_argument("--out", default=str(HERE.parents[1] / "tests" / "data" / "reckon"))
    protocol = parser.add_mutually_exclusive_group()
    protocol.add_argument("--release", type=int, default=0,
                          help="instead: the release's protocol on its first N train, then N test samples")
    protocol.add_argument("--epochs", type=int, default=0,
                          help="instead: the release's whole protocol, N epochs of all 50 train then 50 test samples")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.release or args.epochs:
        run_release(args.release, args.epochs, pathlib.Path(args.simulator), pathlib.Path(args.data), out)
        return
    for name in args.cases:
        run_case(name, pathlib.Path(args.simulator), pathlib.Path(args.data), out)


if __name__ == "__main__":
    main()
