"""A small recurrent network of chiplearn's e-prop neurons, simulated in NEST (no learning).

40 inputs with random spike trains drive 50 LIF (eprop_iaf_chiplearn) and 50 adaptive LIF
(eprop_iaf_adapt_chiplearn) neurons, connected all to all, which feed 2 leaky readouts
(eprop_readout_chiplearn). The script prints the firing rates and saves a figure of the input and
recurrent spikes, membrane potentials, adaptive thresholds and readout signals.

    python pynest_scripts/network_demo.py [--duration MS] [--seed N] [--threads N] [--output PNG]
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import nest
import numpy as np

import chiplearn
from chiplearn.files import save_figure


def build_and_run(duration, seed, threads):
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    chiplearn.install()
    nest.set(resolution=1.0, local_num_threads=threads, rng_seed=seed)
    rng = np.random.default_rng(seed)

    n_in, n_lif, n_alif, n_out = 40, 50, 50, 2
    inputs = nest.Create("spike_generator", n_in)
    rate_per_ms = 0.02  # 20 Hz
    for generator in inputs:
        steps = np.flatnonzero(rng.random(int(duration) - 1) < rate_per_ms) + 1
        generator.spike_times = steps.astype(float).tolist()
    neuron_params = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": 0.6, "tau_m": 20.0, "t_ref": 2.0}
    lif = nest.Create("eprop_iaf_chiplearn", n_lif, params=neuron_params)
    alif = nest.Create("eprop_iaf_adapt_chiplearn", n_alif, params={**neuron_params, "adapt_beta": 0.07, "adapt_tau": 500.0})
    recurrent = lif + alif
    readouts = nest.Create("eprop_readout_chiplearn", n_out, params={"C_m": 1.0, "tau_m": 20.0})

    n_rec = n_lif + n_alif
    w_in = rng.normal(0.0, 1.0, (n_rec, n_in)) / np.sqrt(n_in)
    w_rec = rng.normal(0.0, 1.0, (n_rec, n_rec)) / np.sqrt(n_rec)
    np.fill_diagonal(w_rec, 0.0)
    w_out = rng.normal(0.0, 1.0, (n_out, n_rec)) / np.sqrt(n_rec)
    nest.Connect(inputs, recurrent, "all_to_all", {"weight": w_in, "delay": 1.0})
    nest.Connect(recurrent, recurrent, "all_to_all", {"weight": w_rec, "delay": 1.0})
    nest.Connect(recurrent, readouts, "all_to_all", {"weight": w_out, "delay": 1.0})

    input_spikes = nest.Create("spike_recorder")
    recurrent_spikes = nest.Create("spike_recorder")
    nest.Connect(inputs, input_spikes)
    nest.Connect(recurrent, recurrent_spikes)
    membrane = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    threshold = nest.Create("multimeter", params={"record_from": ["V_th_adapt"], "interval": 1.0})
    readout = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    nest.Connect(membrane, lif[:3] + alif[:3])
    nest.Connect(threshold, alif[:3])
    nest.Connect(readout, readouts)

    nest.Simulate(duration)
    return {
        "inputs": inputs, "lif": lif, "alif": alif, "readouts": readouts,
        "input_spikes": input_spikes.events, "recurrent_spikes": recurrent_spikes.events,
        "membrane": membrane.events, "threshold": threshold.events, "readout": readout.events,
    }


def traces(events, value):
    """{sender: (times, values)} of a multimeter's events."""
    result = {}
    for sender in np.unique(events["senders"]):
        mask = events["senders"] == sender
        order = np.argsort(events["times"][mask])
        result[int(sender)] = (events["times"][mask][order], events[value][mask][order])
    return result


def plot(run, duration, output):
    fig, axes = plt.subplots(5, 1, figsize=(9, 10), sharex=True, gridspec_kw={"height_ratios": [2, 3, 2, 2, 2]})
    spikes = run["input_spikes"]
    axes[0].plot(spikes["times"], spikes["senders"], "|", ms=3, color="0.3")
    axes[0].set_ylabel("input")
    spikes = run["recurrent_spikes"]
    first = min(run["lif"].global_id)
    is_lif = np.isin(spikes["senders"], run["lif"].tolist())
    axes[1].plot(spikes["times"][is_lif], spikes["senders"][is_lif] - first, "|", ms=2, color="tab:blue", label="LIF")
    axes[1].plot(spikes["times"][~is_lif], spikes["senders"][~is_lif] - first, "|", ms=2, color="tab:orange", label="ALIF")
    axes[1].set_ylabel("recurrent")
    axes[1].legend(loc="upper right", fontsize=8)
    for sender, (t, v) in traces(run["membrane"], "V_m").items():
        axes[2 if sender in run["lif"].tolist() else 3].plot(t, v, lw=0.8)
    for sender, (t, v) in traces(run["threshold"], "V_th_adapt").items():
        axes[3].plot(t, v, lw=0.8, ls="--", color="k")
    axes[2].set_ylabel("LIF V_m")
    axes[3].set_ylabel("ALIF V_m,\nthreshold")
    for sender, (t, v) in traces(run["readout"], "V_m").items():
        axes[4].plot(t, v, lw=1.0, label=f"readout {sender}")
    axes[4].set_ylabel("readout")
    axes[4].set_xlabel("time (ms)")
    axes[4].set_xlim(0, duration)
    fig.suptitle("chiplearn e-prop neurons in NEST (no learning)")
    fig.tight_layout()
    save_figure(fig, output, dpi=120)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time in ms (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default="results/network_demo.png")
    args = parser.parse_args()

    run = build_and_run(args.duration, args.seed, args.threads)
    seconds = args.duration / 1000.0
    for name in ("lif", "alif"):
        count = np.isin(run["recurrent_spikes"]["senders"], run[name].tolist()).sum()
        print(f"{name.upper():>5}: {count / len(run[name]) / seconds:6.1f} spikes/s per neuron")
    plot(run, args.duration, args.output)
    print(f"figure saved to {args.output}")


if __name__ == "__main__":
    main()
