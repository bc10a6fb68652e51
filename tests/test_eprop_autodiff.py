"""With no recurrent weights and symmetric feedback, e-prop's gradient equals backpropagation through
time with the same pseudo-derivative (Bellec et al. 2020): chiplearn's NEST models against PyTorch autograd.

A NEST network of inputs -> LIF neurons -> readouts (mean-squared error, feedback weights equal to the
readout weights) runs one trial; the weight change of gradient descent at the first spike of the next trial
is -eta times the e-prop gradient. PyTorch re-simulates the trial with the same weights and input spikes, on
NEST's time grid (recorded signals are compared first), and differentiates the loss. As in e-prop's
derivation and the original code, the reset does not carry gradient (it is detached).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the autodiff oracle (pip install '.[test]')")

T = 400          # steps of an update interval (one trial)
SHIFT_REC, SHIFT_OUT = 2, 3
ETA = 1.0
N_IN, N_REC, N_OUT = 12, 8, 2
V_TH, TAU_M, TAU_OUT = 0.3, 20.0, 15.0
HEIGHT, WIDTH = 0.4, 0.3


class SpikeFunction(torch.autograd.Function):
    """Heaviside forward, NEST's piecewise-linear pseudo-derivative backward."""

    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return (v >= V_TH).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * HEIGHT * torch.clamp(1.0 - torch.abs(v - V_TH) / WIDTH, min=0.0)


def run_nest(rng):
    import nest

    import chiplearn

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    nest.set(resolution=1.0, eprop_update_interval=float(T), eprop_learning_window=float(T),
             eprop_reset_neurons_on_update=True)
    generators = nest.Create("spike_generator", N_IN)
    inputs = nest.Create("parrot_neuron", N_IN)
    neurons = nest.Create("eprop_iaf_chiplearn", N_REC, {
        "C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "V_th": V_TH, "tau_m": TAU_M, "t_ref": 0.0, "c_reg": 0.0,
        "regular_spike_arrival": True, "tau_m_readout": TAU_OUT, "surrogate_gradient_height": HEIGHT,
        "surrogate_gradient_width": WIDTH})
    readouts = nest.Create("eprop_readout_chiplearn", N_OUT, {
        "C_m": 1.0, "E_L": 0.0, "V_m": 0.0, "tau_m": TAU_OUT, "loss": "mean_squared_error",
        "regular_spike_arrival": False})
    targets = nest.Create("step_rate_generator", N_OUT)
    w_in = rng.normal(0.0, 0.6, (N_REC, N_IN))
    w_out = rng.normal(0.0, 1.0, (N_OUT, N_REC))
    nest.SetDefaults("eprop_synapse_chiplearn", {"optimizer": {"type": "gradient_descent", "eta": ETA}})
    plastic = {"synapse_model": "eprop_synapse_chiplearn", "delay": 1.0}
    nest.Connect(generators, inputs, "one_to_one", {"delay": 1.0})
    nest.Connect(inputs, neurons, "all_to_all", {**plastic, "weight": w_in})
    nest.Connect(neurons, readouts, "all_to_all", {**plastic, "weight": w_out})
    nest.Connect(readouts, neurons, "all_to_all", {"synapse_model": "eprop_learning_signal_connection_chiplearn",
                                                  "delay": 1.0, "weight": w_out.T})
    nest.Connect(targets, readouts, "one_to_one", {"synapse_model": "rate_connection_delayed", "delay": 1.0,
                                                  "receptor_type": 2})
    targets.set([{"amplitude_times": [4.0], "amplitude_values": [value]} for value in (0.8, -0.4)])
    # trial 0: random input; trial 1: every input and (strongly driven) neuron spikes early, applying the update
    for i, generator in enumerate(generators):
        times = np.flatnonzero(rng.random(T) < 0.03) + 1.0
        generator.spike_times = np.concatenate([times[times > 2.0], [T + 10.0 + i % 3]])
    recorder = nest.Create("spike_recorder")
    nest.Connect(inputs + neurons, recorder)
    multimeter = nest.Create("multimeter", {"interval": 1.0, "record_from": ["readout_signal", "target_signal"]})
    nest.Connect(multimeter, readouts)
    nest.Simulate(T + 5.0)
    neurons.set(I_e=1000.0)  # forces spikes in trial 1 so that every readout synapse applies its gradient
    nest.Simulate(30.0)

    def weights(pre, post):
        table = nest.GetConnections(pre, post).get(["source", "target", "weight"])
        matrix = np.full((len(post), len(pre)), np.nan)
        matrix[np.asarray(table["target"]) - post[0].global_id, np.asarray(table["source"]) - pre[0].global_id] = \
            table["weight"]
        return matrix

    events = recorder.events
    mm = multimeter.events
    return {
        "w_in": w_in, "w_out": w_out,
        "dw_in": weights(inputs, neurons) - w_in, "dw_out": weights(neurons, readouts) - w_out,
        "input_spikes": (np.asarray(events["senders"]) - inputs[0].global_id, np.asarray(events["times"])),
        "readout": {name: np.asarray(mm[name]) for name in ("times", "senders", "readout_signal", "target_signal")},
        "first_readout": readouts[0].global_id,
    }


def bptt(nest_run):
    """Loss and gradients of the trial by autograd, on NEST's grid (t: the steps NEST's neurons update)."""
    dtype = torch.float64
    w_in = torch.tensor(nest_run["w_in"], dtype=dtype, requires_grad=True)
    w_out = torch.tensor(nest_run["w_out"], dtype=dtype, requires_grad=True)
    n_steps = T + SHIFT_OUT + 2
    x = torch.zeros(n_steps, N_IN, dtype=dtype)
    senders, stamps = nest_run["input_spikes"]
    is_input = senders < N_IN
    for sender, stamp in zip(senders[is_input], stamps[is_input]):
        if stamp < n_steps:  # a spike stamped s reaches the neurons in their step s
            x[int(stamp), int(sender)] = 1.0
    P_v, kappa = np.exp(-1.0 / TAU_M), np.exp(-1.0 / TAU_OUT)
    v = torch.zeros(N_REC, dtype=dtype)
    z = torch.zeros(N_REC, dtype=dtype)
    spikes = []
    for t in range(n_steps):
        if t == SHIFT_REC:  # interval start: reset
            v, z = torch.zeros_like(v), torch.zeros_like(z)
        v = P_v * v + x[t] @ w_in.T - V_TH * z.detach()
        z = SpikeFunction.apply(v)
        spikes.append(z)
    v_out = torch.zeros(N_OUT, dtype=dtype)
    readout_signal = {}
    for t in range(1, n_steps):
        previous = v_out
        if t == SHIFT_OUT:
            v_out = torch.zeros_like(v_out)
        v_out = kappa * v_out + (1.0 - kappa) * (spikes[t - 1] @ w_out.T)  # spikes reach the readout a step later
        readout_signal[t] = previous  # the readout signal of step t is V_m of step t - 1
    mm = nest_run["readout"]
    loss = 0.0
    checked = 0
    for t in range(SHIFT_OUT + 1, T + SHIFT_OUT + 1):  # readout steps whose errors belong to interval 0
        at = mm["times"] == t + 1  # the multimeter stamps step t with t + 1
        order = np.argsort(mm["senders"][at])
        recorded_y = mm["readout_signal"][at][order]
        target = torch.tensor(mm["target_signal"][at][order], dtype=dtype)
        np.testing.assert_allclose(readout_signal[t].detach().numpy(), recorded_y, rtol=1e-9, atol=1e-12)
        checked += 1
        loss = loss + 0.5 * torch.sum((readout_signal[t] - target) ** 2)
    assert checked == T
    loss.backward()
    return w_in.grad.numpy(), w_out.grad.numpy(), torch.stack(spikes).detach().numpy()


def test_eprop_equals_bptt_without_recurrence():
    nest_run = run_nest(np.random.default_rng(3))
    grad_in, grad_out, spikes = bptt(nest_run)
    assert spikes[:T].sum() > 3 * N_REC, "the neurons must spike in the trial"
    eprop_in, eprop_out = -nest_run["dw_in"] / ETA, -nest_run["dw_out"] / ETA
    assert np.all(np.isfinite(eprop_in)) and np.all(np.isfinite(eprop_out))
    assert np.max(np.abs(grad_in)) > 1e-3 and np.max(np.abs(grad_out)) > 1e-3
    np.testing.assert_allclose(eprop_out, grad_out, rtol=1e-6, atol=1e-9 * np.max(np.abs(grad_out)))
    np.testing.assert_allclose(eprop_in, grad_in, rtol=1e-6, atol=1e-9 * np.max(np.abs(grad_in)))
