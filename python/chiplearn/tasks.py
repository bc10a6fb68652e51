"""Tasks of the e-prop tutorials, generated on the fly from a numpy random generator.

Each function returns per-trial input spikes (bool, trials x steps x inputs) and targets. Time is in
simulation steps of 1 ms.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class EvidenceAccumulation:
    """The evidence-accumulation (cue accumulation) task of Bellec et al. (2020), Fig. 3.

    An agent sees `n_cues` cues, each on the left or the right, then waits, then must report the side that
    had more cues. 40 inputs in 4 groups of 10: left cues, right cues, recall and background noise. A cue
    is `cue_steps` of 40 Hz Poisson spikes of its group after `spacing_steps` of silence; the noise group
    fires at 10 Hz throughout; the recall group fires during the last `recall_steps`, when the readouts
    must answer. In each trial one side is drawn to have a cue probability of 1 - p_minority, the other
    p_minority (TU Graz's and NEST's tutorials; Frenkel's ReckOn testbench uses the same layout).
    """

    n_inputs: int = 40
    n_cues: int = 7
    cue_steps: int = 100
    spacing_steps: int = 50
    delay_steps: int = 1050
    recall_steps: int = 150
    spike_probability: float = 0.04
    p_minority: float = 0.3

    @property
    def steps(self):
        return self.n_cues * (self.cue_steps + self.spacing_steps) + self.delay_steps + self.recall_steps

    def trials(self, rng, n_trials):
        """(spikes[n_trials, steps, n_inputs], labels[n_trials]): label 0 = left won, 1 = right won."""
        group = self.n_inputs // 4
        minority_left = rng.random(n_trials) < 0.5
        p_left = np.where(minority_left, self.p_minority, 1.0 - self.p_minority)
        cue_right = rng.random((n_trials, self.n_cues)) >= p_left[:, None]
        rates = np.zeros((n_trials, self.steps, self.n_inputs))
        for c in range(self.n_cues):
            start = c * (self.cue_steps + self.spacing_steps) + self.spacing_steps
            for trial in range(n_trials):
                first = group * int(cue_right[trial, c])
                rates[trial, start:start + self.cue_steps, first:first + group] = self.spike_probability
        rates[:, -self.recall_steps:, 2 * group:3 * group] = self.spike_probability
        rates[:, :, 3 * group:] = self.spike_probability / 4.0
        spikes = rng.random(rates.shape) < rates
        labels = (cue_right.sum(axis=1) > self.n_cues // 2).astype(int)
        return spikes, labels

    def one_hot(self, labels, n_classes=2):
        """Targets of the readouts per trial: 1 for the readout of the right answer."""
        targets = np.zeros((len(labels), n_classes))
        targets[np.arange(len(labels)), labels] = 1.0
        return targets


def superimposed_sines(rng, steps, periods=(1000, 500, 333, 200)):
    """Sum of sines with random amplitudes in [0.5, 2] and phases, starting at 0, scaled to max |y| = 1.

    The target of the pattern-generation tutorials of TU Graz and NEST.
    """
    amplitudes = rng.uniform(0.5, 2.0, len(periods))
    phases = rng.uniform(0.0, 2.0 * np.pi, len(periods))
    y = sum(a * np.sin(np.linspace(phi, phi + 2.0 * np.pi * (steps // period), steps))
            for a, phi, period in zip(amplitudes, phases, periods))
    y -= y[0]
    return y / max(np.abs(y).max(), 1e-6)


def frozen_poisson_input(rng, steps, n_inputs, rate_hz):
    """A fixed Poisson spike pattern (steps x inputs), the input of the pattern-generation task."""
    return rng.random((steps, n_inputs)) < rate_hz / 1000.0
