"""Independent numpy re-implementation of an efficient balanced network with Büchel et al.'s learning rule,
written from the equations (research note chip.md §3 and the model documentation), not from the C++.

Time grid of step h; in step t every neuron integrates exactly
    V <- E_L + (V - E_L) e^{-h/tau_m} + R (1 - e^{-h/tau_m}) (I_e + noise_t) + P_vi I_syn,
    I_syn <- I_syn e^{-h/tau_syn} + (weights of the spikes arriving in step t),
with P_vi the response of V over one step to a unit synaptic current decaying with tau_syn; every neuron
with V >= V_th spikes and is reset. A spike of step t arrives in step t + 1 (delay of one step). When it is
delivered, the synapse k -> n compares 2 V_n + omega with the dead zone, V_n being n's potential at the end
of step t before any reset; the autapse k -> k compares 2 V_k (after the reset) + V_reset + V_th and moves
k's E_L and V_reset.
"""

import numpy as np


def exp_current_response(h, tau_m, tau_syn, C_m):
    """V(h) for V(0) = 0 under I(t) = e^{-t/tau_syn}: solution of dV/dt = -V/tau_m + I/C_m."""
    return (tau_m * tau_syn / (C_m * (tau_m - tau_syn))) * (np.exp(-h / tau_m) - np.exp(-h / tau_syn))


def simulate(*, W, step_gain, I_e, V_th, E_L, V_reset, tau_m, C_m, tau_syn, h, steps, noise, rule):
    """Runs the network for `steps` steps. `noise[t, n]`: the noise current of neuron n in step t (pA).
    `rule`: dict with learning, discrete (bool), granularity, margin, omega_per_weight, eta, reset_step,
    Wmin, Wmax. Returns spikes as (step, neuron) pairs, the weights after each step, E_L after the run."""
    n = len(I_e)
    W = W.astype(float).copy()
    E_L = np.asarray(E_L, dtype=float).copy()
    V_reset = np.asarray(V_reset, dtype=float).copy()
    V = E_L.copy()
    I_syn = np.zeros(n)
    decay_v = np.exp(-h / tau_m)
    gain_i = tau_m / C_m * (1.0 - decay_v)
    decay_i = np.exp(-h / tau_syn)
    response = exp_current_response(h, tau_m, tau_syn, C_m)
    dead_zone = rule["granularity"] / 2.0 + rule["margin"]
    arriving = np.zeros(n)  # summed weights of the spikes of the last step
    spikes = []
    weights = []
    for t in range(steps):
        V = E_L + (V - E_L) * decay_v + gain_i * (I_e + noise[t]) + response * I_syn
        I_syn = I_syn * decay_i + arriving
        fired = np.flatnonzero(V >= V_th)
        V_before_reset = V.copy()
        V[fired] = V_reset[fired]
        arriving = W[:, fired].sum(axis=1)  # transmitted with the weights before learning
        spikes.extend((t, k) for k in fired)
        if rule["learning"]:
            for k in fired:
                x = 2.0 * V_before_reset + rule["omega_per_weight"] * W[:, k]
                lowest, highest = rule["Wmin"] * step_gain[:, k], rule["Wmax"] * step_gain[:, k]
                others = np.arange(n) != k
                if rule["discrete"]:
                    step = rule["granularity"] * step_gain[:, k]
                    up = (x < -dead_zone) & (W[:, k] + step <= highest) & others
                    down = (x > dead_zone) & (W[:, k] - step >= lowest) & others
                    W[up, k] += step[up]
                    W[down, k] -= step[down]
                else:
                    W[others, k] = np.clip(W[others, k] - rule["eta"] * x[others], lowest[others], highest[others])
                x_self = 2.0 * V[k] + V_reset[k] + V_th[k]
                shift = rule["reset_step"] * (float(x_self < -dead_zone) - float(x_self > dead_zone))
                E_L[k] += shift
                V_reset[k] += shift
        weights.append(W.copy())
    return spikes, np.array(weights), E_L
