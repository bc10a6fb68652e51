"""Losses and decisions of a task, computed from the readout and target signals recorded over a batch
(arrays trials x steps x readouts), for reporting: the models compute their own errors in C++."""

import numpy as np


def cross_entropy(readout_signal, target_signal, window):
    """Per trial: -sum_k y*_k log y_k, averaged over the last `window` steps."""
    y, y_star = readout_signal[:, -window:], target_signal[:, -window:]
    return -np.mean(np.sum(y_star * np.log(np.clip(y, 1e-12, None)), axis=2), axis=1)


def mean_squared_error(readout_signal, target_signal, window):
    """Per trial: 0.5 sum over the window's steps of the squared error, summed over readouts."""
    y, y_star = readout_signal[:, -window:], target_signal[:, -window:]
    return 0.5 * np.sum((y - y_star) ** 2, axis=(1, 2))


def decisions(readout_signal, window):
    """Class per trial: the readout with the largest mean signal over the last `window` steps."""
    return np.argmax(readout_signal[:, -window:].mean(axis=1), axis=1)
