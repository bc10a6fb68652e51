"""Pattern generation with e-prop in NEST: a recurrent LIF network learns to draw a sum of sines.

The supervised-regression tutorial of TU Graz and NEST (eprop_supervised_regression_sine-waves_bsshslm_2020):
100 inputs repeat one frozen Poisson pattern (5 % spike probability per step), 100 LIF neurons and one
readout learn, by gradient descent on the mean-squared error, to output a superposition of four sines
(periods 1000, 500, 333 and 200 ms) over 1000 ms. With the default seed the initial weights, input and
target are drawn exactly as in NEST's tutorial, so the losses compare one to one with NEST's
(101.96 in the first iteration).

The script prints the loss per iteration and saves the weights, the learning curve and a figure in
--output; killed, it resumes from its checkpoint.

    python pynest_scripts/pattern_generation.py [--iterations N] [--seed N] [--threads N]
"""

import argparse
import os
import time

import numpy as np

from chiplearn import plotting
from chiplearn.eprop import EpropConfig, EpropNetwork, RecurrentGroup
from chiplearn.losses import mean_squared_error
from chiplearn.files import save_json, save_npz
from chiplearn.gather import report
from chiplearn.tasks import superimposed_sines
from chiplearn.training import Checkpoint, Evaluation, test, train

STEPS = 1000
N_IN, N_REC, N_OUT = 100, 100, 1


def nest_tutorial_draws(seed):
    """Initial weights, input pattern and target in the order and types NEST's tutorial draws them."""
    legacy = np.random.RandomState(seed)
    f32 = np.float32
    weights = {
        "in_rec": np.array(legacy.randn(N_IN, N_REC).T / np.sqrt(N_IN), dtype=f32),
        "rec_rec": np.array(legacy.randn(N_REC, N_REC).T / np.sqrt(N_REC), dtype=f32),
        "rec_out": np.array(legacy.randn(N_REC, N_OUT).T / np.sqrt(N_REC), dtype=f32),
        "feedback": np.array(legacy.randn(N_REC, N_OUT) / np.sqrt(N_REC), dtype=f32),
    }
    np.fill_diagonal(weights["rec_rec"], 0.0)
    spikes = (legacy.rand(STEPS, N_IN) < 0.05)
    spikes[0, :] = False
    target = superimposed_sines(legacy, STEPS)
    return weights, spikes, target


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=os.path.join("results", "pattern_generation"))
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)

    V_th = 0.03
    neuron = {"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": V_th, "t_ref": 0.0, "tau_m": 30.0, "I_e": 0.0,
              "c_reg": 300.0, "f_target": 10.0, "regular_spike_arrival": False, "tau_m_readout": 30.0,
              "surrogate_gradient_function": "piecewise_linear",
              "surrogate_gradient_height": 0.3 / V_th, "surrogate_gradient_width": V_th}
    config = EpropConfig(
        n_inputs=N_IN, groups=[RecurrentGroup("eprop_iaf_chiplearn", N_REC, neuron)], n_outputs=N_OUT,
        readout_params={"C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "I_e": 0.0, "tau_m": 30.0,
                        "loss": "mean_squared_error", "regular_spike_arrival": False},
        trial_steps=STEPS, learning_window_steps=STEPS, batch_size=1,
        optimizer={"type": "gradient_descent", "eta": 1e-4, "batch_size": 1, "Wmin": -100.0, "Wmax": 100.0},
        feedback="random", average_gradient=False, threads=args.threads, seed=args.seed)
    weights, spikes, target = nest_tutorial_draws(args.seed)
    network = EpropNetwork(config, weights)
    rng = np.random.default_rng(args.seed)  # the task is frozen; the generator only feeds the checkpoint

    def make_batch(_rng):
        return spikes[None], target[None, :, None], None

    evaluation = Evaluation(loss=lambda response, _: mean_squared_error(
        response["readout_signal"], response["target_signal"], STEPS))
    checkpoint = Checkpoint(os.path.join(args.output, "checkpoint.npz"))
    started = time.time()
    log = train(network, make_batch, evaluation, iterations=args.iterations, rng=rng, checkpoint=checkpoint,
                progress=False, on_iteration=lambda i, loss: report(f"iteration {i + 1:4d}  loss {loss:10.4f}"))
    seconds = time.time() - started
    final_loss, _, last = test(network, make_batch, evaluation, n_batches=1, rng=rng, record_last=True)
    report(f"{len(log.loss)} iterations in {seconds:.0f} s (this run); loss first {log.loss[0]:.4f}, "
          f"last {log.loss[-1]:.4f}, after training with learning frozen {final_loss:.4f}")

    save_npz(os.path.join(args.output, "weights.npz"), **network.state())
    save_json({"seed": args.seed, "iterations": len(log.loss), "loss": log.loss, "final_loss_frozen": final_loss,
               "seconds_this_run": seconds}, os.path.join(args.output, "result.json"))

    fig, axes = plotting.plt.subplots(4, 1, figsize=(9, 10), gridspec_kw={"height_ratios": [2, 2, 2, 2]})
    recorded = last.get("spikes", {"senders": np.array([]), "times": np.array([])})
    is_input = recorded["senders"] < network.recurrent[0].global_id
    plotting.raster(axes[0], recorded["senders"][is_input], recorded["times"][is_input],
                    network.inputs[0].global_id, "input")
    plotting.raster(axes[1], recorded["senders"][~is_input], recorded["times"][~is_input],
                    network.recurrent[0].global_id, "recurrent", color="tab:blue")
    axes[2].plot(last["readout_signal"][0, :, 0], label="readout")
    axes[2].plot(last["target_signal"][0, :, 0], "--", label="target")
    axes[2].set_xlabel("time (ms)")
    axes[2].legend(loc="upper right", fontsize=8)
    for ax in axes[:3]:
        ax.set_xlim(0, STEPS)
    plotting.learning_curve(axes[3], log, accuracy=False)
    plotting.save(fig, os.path.join(args.output, "pattern_generation.png"))
    report(f"results in {args.output}/: pattern_generation.png, weights.npz, result.json, checkpoint.npz")


if __name__ == "__main__":
    main()
