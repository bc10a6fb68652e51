"""Independent numpy implementation of EventProp for outputs with exponential synaptic currents: the oracle
of the EventProp tests.

Written from the equations of Wunderlich & Pehle (2021, Tables 1 and 2, eq. 11) in NEST's units, without
using chiplearn's C++ core: dv/dt = -v / tau_m + i / C_m, di/dt = -i / tau_s, an input spike of weight w
(pA) makes i jump by w when it arrives (at the end of the grid step for an on-grid input, NEST's iaf_psc_exp
order), a LIF neuron that reaches V_th at the end of a step or of a piece between inputs is reset to 0 at
its crossing (as in iaf_psc_exp_ps). Potentials are relative to E_L; times in
ms from the trial start; the step k spans (k h, (k + 1) h].

The crossing time is found by plain bisection and the maximum by golden-section search (the core uses
Newton and a closed-form stationary point); the adjoint is integrated backwards over the grid with the
per-step propagators of the research note (the core jumps from event to event); and the gradients are also
given by the direct sensitivity dv(t)/dw (implicit function theorem at the first spike), which needs no
adjoint at all.
"""

import numpy as np


def solution(v0, i0, t, *, tau_m, tau_s, C_m):
    """v(t), i(t) from (v0, i0) with no input: v = v0 e^{-t/tau_m} + i0 psp(t)."""
    return v0 * np.exp(-t / tau_m) + i0 * psp(t, tau_m=tau_m, tau_s=tau_s, C_m=C_m), i0 * np.exp(-t / tau_s)


def psp(t, *, tau_m, tau_s, C_m):
    """v(t) after a current jump of 1 pA at 0 from rest: tau_m tau_s / (C_m (tau_m - tau_s)) (e^{-t/tau_m} - e^{-t/tau_s})."""
    t = np.asarray(t, dtype=float)
    return np.where(t > 0, tau_m * tau_s / (C_m * (tau_m - tau_s)) * (np.exp(-t / tau_m) - np.exp(-t / tau_s)), 0.0)


def bisect_crossing(v, i, dt, V_th, membrane):
    """The time in (0, dt] at which v, starting below V_th, reaches it (plain bisection)."""
    lo, hi = 0.0, dt
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if solution(v, i, mid, **membrane)[0] < V_th:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def forward(weights, arrival_steps, *, h, n_steps, tau_m, tau_s, C_m, V_th, spiking, arrival_times=None):
    """One trial of one neuron. weights[j], arrival_steps[j]: input spike j arrives at the end of that step; or,
    with arrival_times, at that time [ms from the trial start] (off-grid: the current jumps there).

    Between inputs v and i evolve in closed form. A spiking neuron fires when v >= V_th at the end of a piece
    (between two input times or a step's end), at the crossing inside the piece, where v is reset to 0 and the
    piece goes on. Returns a dict: v, i per step (after the step), the steps with spikes, all spike times and
    slopes (tau_m dv/dt at the crossing), and the observation: first_spike_time and slope for a spiking neuron;
    t_max, v_max for a leaky one.
    """
    membrane = dict(tau_m=tau_m, tau_s=tau_s, C_m=C_m)
    weights = np.asarray(weights, dtype=float)
    if arrival_times is None:
        arrival_times = (np.asarray(arrival_steps, dtype=float) + 1) * h
    arrival_times = np.asarray(arrival_times, dtype=float)
    order = np.argsort(arrival_times, kind="stable")
    arrival_times, weights = arrival_times[order], weights[order]
    state = dict(v=0.0, i=0.0)
    vs, iis, spike_steps, spike_times, slopes = np.zeros(n_steps), np.zeros(n_steps), [], [], []
    out = dict(t_max=0.0, v_max=0.0)

    def piece(k, t, dt):
        v, i = state["v"], state["i"]
        v_new, i_new = solution(v, i, dt, **membrane)
        while spiking and v_new >= V_th:
            tc = bisect_crossing(v, i, dt, V_th, membrane)
            v_c, i_c = solution(v, i, tc, **membrane)
            spike_times.append(t + tc)
            slopes.append(tau_m * (-v_c / tau_m + i_c / C_m))
            spike_steps.append(k)
            v, i, t, dt = 0.0, i_c, t + tc, dt - tc
            v_new, i_new = solution(v, i, dt, **membrane)
        if not spiking:
            # v is unimodal inside a piece (one stationary point at most): golden-section search
            lo, hi = 0.0, dt
            g = (np.sqrt(5) - 1) / 2
            for _ in range(200):
                a, b = hi - g * (hi - lo), lo + g * (hi - lo)
                if solution(v, i, a, **membrane)[0] > solution(v, i, b, **membrane)[0]:
                    hi = b
                else:
                    lo = a
            for tp in (0.5 * (lo + hi), dt):
                v_t = solution(v, i, tp, **membrane)[0]
                if v_t > out["v_max"]:
                    out["v_max"], out["t_max"] = v_t, t + tp
        state["v"], state["i"] = v_new, i_new

    j = 0
    for k in range(n_steps):
        t, end = k * h, (k + 1) * h
        while j < len(arrival_times) and arrival_times[j] <= end + 1e-9 * h:
            if arrival_times[j] > t:
                piece(k, t, arrival_times[j] - t)
                t = arrival_times[j]
            state["i"] += weights[j]
            j += 1
        if t < end - 1e-9 * h:
            piece(k, t, end - t)
        vs[k], iis[k] = state["v"], state["i"]
    out.update(v=vs, i=iis, spikes=np.unique(spike_steps).astype(int), spike_times=np.array(spike_times),
               slopes=np.array(slopes),
               first_spike_time=spike_times[0] if spike_times else np.nan, slope=slopes[0] if slopes else np.nan)
    return out


def softmax(logits):
    e = np.exp(logits - np.max(logits))
    return e / e.sum()


def first_spike_loss(times, target, *, tau_0, tau_1, alpha):
    """Loss and dL/dt_k of the first-spike cross-entropy, -log softmax_target(-t / tau_0) + alpha (e^{t_target/tau_1} - 1)."""
    times = np.asarray(times, dtype=float)
    p = softmax(-times / tau_0)
    loss = -np.log(p[target]) + alpha * (np.exp(times[target] / tau_1) - 1.0)
    onehot = np.eye(len(times))[target]
    # dL/dz = p - onehot with z = -t / tau_0
    dl_dt = -(p - onehot) / tau_0 + onehot * alpha / tau_1 * np.exp(times[target] / tau_1)
    return loss, dl_dt, p


def max_voltage_loss(v_max, target):
    p = softmax(np.asarray(v_max, dtype=float))
    return -np.log(p[target]), p - np.eye(len(v_max))[target], p


def adjoint_gradient(jump_time, jump, arrival_times, *, h, tau_m, tau_s, C_m):
    """dL/dw = -tau_s tau_m / C_m sum_i lambda_I(t_i), integrating the adjoint backwards over the grid.

    One jump of lambda_V at jump_time (off the grid); arrivals on grid points. From the jump down to the
    grid point below it a partial step, then whole steps of h with the exact reverse propagators
    lambda_V <- P22 lambda_V, lambda_I <- P11 lambda_I + tau_m / (tau_m - tau_s) (P22 - P11) lambda_V.
    """

    def step(lv, li, d):
        P22, P11 = np.exp(-d / tau_m), np.exp(-d / tau_s)
        return P22 * lv, P11 * li + tau_m / (tau_m - tau_s) * (P22 - P11) * lv

    arrival_steps = np.rint(np.asarray(arrival_times) / h).astype(int)
    n = int(np.floor(jump_time / h + 1e-12))
    lv, li = step(jump, 0.0, jump_time - n * h)
    total = 0.0
    for k in range(n, -1, -1):  # lambda at the grid point k h
        total += li * np.count_nonzero(arrival_steps == k) if k * h < jump_time else 0.0
        lv, li = step(lv, li, h)
    return -tau_s * tau_m / C_m * total


def direct_gradient_first_spike(dl_dt, first_spike_time, slope, arrival_times, *, tau_m, tau_s, C_m, slope_floor):
    """dL/dw = dL/dt* dt*/dw, dt*/dw = -(dv/dw)(t*) / (dv/dt)(t*), dv/dt floored at slope_floor / tau_m."""
    dv_dw = psp(first_spike_time - np.asarray(arrival_times), tau_m=tau_m, tau_s=tau_s, C_m=C_m).sum()
    return -dl_dt * dv_dw * tau_m / max(slope, slope_floor)


def direct_gradient_max_voltage(dl_dv, t_max, arrival_times, *, tau_m, tau_s, C_m):
    """dL/dw = dL/dv_max dv(t_max)/dw (t_max held: the derivative of a maximum)."""
    return dl_dv * psp(t_max - np.asarray(arrival_times), tau_m=tau_m, tau_s=tau_s, C_m=C_m).sum()
