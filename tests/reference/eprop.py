"""Independent numpy re-implementation of e-prop's learning rule in its forward-trace form (Bellec et al.
2020, Methods; as in the original TensorFlow code and NEST's eprop_*_bsshslm_2020 models): the oracle for
chiplearn's spike-driven gradients and optimizers."""

import numpy as np


def surrogate_gradient(shape, v, v_th, height, width, refractory=False):
    if refractory:
        return 0.0
    x = (v - v_th) / width
    return {
        "piecewise_linear": lambda: height * max(0.0, 1.0 - abs(x)),
        "exponential": lambda: height * np.exp(-abs(x)),
        "fast_sigmoid_derivative": lambda: height * (1.0 + abs(x)) ** -2,
        "arctan_derivative": lambda: height / (1.0 + x**2),
    }[shape]()


def forward_recurrent_gradient(spike_steps, psi, L, reg, *, P_v, P_z, kappa, adapt_beta=0.0, P_adapt=0.0):
    """Gradient of one synapse over an interval, walking the eligibility trace forward step by step."""
    z = np.zeros(len(psi))
    np.add.at(z, spike_steps, 1.0)
    z_bar = epsilon = e_bar = 0.0
    gradient = sum_e = 0.0
    for t in range(len(psi)):
        z_bar = P_v * z_bar + P_z * z[t]
        e = psi[t] * (z_bar - adapt_beta * epsilon)
        epsilon = P_adapt * epsilon + e
        e_bar = kappa * e_bar + (1.0 - kappa) * e
        gradient += L[t] * e_bar
        sum_e += e
    return gradient + reg * sum_e


def forward_readout_gradient(spike_steps, error, *, P_v, P_z):
    z = np.zeros(len(error))
    np.add.at(z, spike_steps, 1.0)
    z_bar = gradient = 0.0
    for t in range(len(error)):
        z_bar = P_v * z_bar + P_z * z[t]
        gradient += error[t] * z_bar
    return gradient


class Optimizer:
    """Gradient descent or Adam (TensorFlow/Keras form) over batches of update intervals.

    step(interval, gradient, weight) adds the gradient of an interval; when `interval` lies in a later
    batch, the completed batch's mean gradient is applied (Adam also steps through batches the synapse
    skipped, with zero gradient) and the weight is clipped to [Wmin, Wmax]. eta_by_batch maps a first
    batch to the learning rate from there on; batches with learning rate 0 change nothing.
    """

    def __init__(self, kind="gradient_descent", eta=1e-4, batch_size=1, Wmin=-100.0, Wmax=100.0,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-7, eta_by_batch=None):
        self.kind, self.batch_size = kind, batch_size
        self.eta_by_batch = {-(10**18): eta, **(eta_by_batch or {})}
        self.Wmin, self.Wmax = Wmin, Wmax
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.batch_gradient, self.open_batch, self.adam_steps, self.m, self.v = 0.0, 0, 0, 0.0, 0.0

    def eta(self, batch):
        return self.eta_by_batch[max(b for b in self.eta_by_batch if b <= batch)]

    def step(self, interval, gradient, weight):
        self.batch_gradient += gradient
        batch = interval // self.batch_size
        if batch <= self.open_batch:
            return weight
        g = self.batch_gradient / self.batch_size
        self.batch_gradient = 0.0
        for closed in range(self.open_batch, batch):
            eta = self.eta(closed)
            if eta != 0.0:
                if self.kind == "gradient_descent":
                    weight -= eta * g
                else:
                    self.adam_steps += 1
                    k = self.adam_steps
                    alpha = eta * np.sqrt(1 - self.beta_2**k) / (1 - self.beta_1**k)
                    self.m = self.beta_1 * self.m + (1 - self.beta_1) * g
                    self.v = self.beta_2 * self.v + (1 - self.beta_2) * g * g
                    weight -= alpha * self.m / (np.sqrt(self.v) + self.epsilon)
            g = 0.0
        self.open_batch = batch
        return float(np.clip(weight, self.Wmin, self.Wmax))
