"""Independent numpy re-implementation of the e-prop neuron dynamics: the oracle of the neuron tests.

Written from the equations of Bellec et al. (2020, Methods) and the model documentation, without using
chiplearn's C++ core. Arrays are indexed by simulation step k = 0, 1, ...; ``v[k]`` is the state after
step k (NEST's multimeter stamps it (k + 1) h); ``z_in[k]`` is the summed weight of the spikes arriving
in step k; ``i_in[k]`` the current in effect during step k (I_e plus the synaptic current that arrived
in the previous step). Potentials are relative to E_L.
"""

import numpy as np


def propagators(h, tau_m, C_m, regular_spike_arrival=True):
    """(P_v, P_i, P_z) of the exact integration of dv/dt = -v / tau_m + I / C_m over a step h."""
    leak = -np.expm1(-h / tau_m)  # 1 - exp(-h / tau_m)
    return 1.0 - leak, tau_m / C_m * leak, (1.0 if regular_spike_arrival else leak)


def simulate_lif(i_in, z_in, *, h, tau_m, C_m, V_th, V_min=-np.inf, t_ref=0.0, regular_spike_arrival=True,
                 adapt_beta=0.0, adapt_tau=None):
    """LIF (adapt_tau None) or ALIF neuron with reset by subtraction of V_th; returns v, a, z per step.

    Refractoriness: after a spike in step k no spike is emitted before step k + round(t_ref / h);
    the membrane keeps integrating meanwhile.
    """
    P_v, P_i, P_z = propagators(h, tau_m, C_m, regular_spike_arrival)
    P_a = np.exp(-h / adapt_tau) if adapt_tau is not None else 0.0
    refractory_steps = int(round(t_ref / h))
    n = len(i_in)
    v_out, a_out, z_out = np.zeros(n), np.zeros(n), np.zeros(n)
    v = a = z = 0.0
    last_spike = None
    for k in range(n):
        v = max(P_i * i_in[k] + P_z * z_in[k] + P_v * v - V_th * z, V_min)
        a = P_a * a + z if adapt_tau is not None else 0.0
        threshold = V_th + adapt_beta * a
        free = last_spike is None or k - last_spike >= max(refractory_steps, 1)
        z = 1.0 if (v >= threshold and free) else 0.0
        if z:
            last_spike = k
        v_out[k], a_out[k], z_out[k] = v, a, z
    return v_out, a_out, z_out


def simulate_readout(i_in, z_in, *, h, tau_m, C_m, V_min=-np.inf, regular_spike_arrival=True):
    """Leaky integrator: v[k] = max(P_v v[k-1] + P_i i_in[k] + P_z z_in[k], V_min)."""
    P_v, P_i, P_z = propagators(h, tau_m, C_m, regular_spike_arrival)
    v = 0.0
    out = np.zeros(len(i_in))
    for k in range(len(i_in)):
        v = max(P_i * i_in[k] + P_z * z_in[k] + P_v * v, V_min)
        out[k] = v
    return out


def simulate_lif_reset_to_value(i_in, z_in, *, h, tau_m, C_m, V_th, V_reset, V_min=-np.inf, t_ref=0.0,
                                regular_spike_arrival=True):
    """LIF that jumps to V_reset in the step of its spike (the neuron of spike-coding networks): per step
    v = max(P_i i_in + P_z z_in + P_v v, V_min); a spike if v >= V_th outside refractoriness, then v = V_reset.
    Returns v and z per step."""
    P_v, P_i, P_z = propagators(h, tau_m, C_m, regular_spike_arrival)
    refractory_steps = int(round(t_ref / h))
    v_out, z_out = np.zeros(len(i_in)), np.zeros(len(i_in))
    v, last_spike = 0.0, None
    for k in range(len(i_in)):
        v = max(P_i * i_in[k] + P_z * z_in[k] + P_v * v, V_min)
        if v >= V_th and (last_spike is None or k - last_spike >= max(refractory_steps, 1)):
            v, last_spike, z_out[k] = V_reset, k, 1.0
        v_out[k] = v
    return v_out, z_out
