"""Figures of the e-prop tutorials (matplotlib, written atomically)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .files import save_figure  # noqa: E402


def raster(ax, senders, times, first_id, label, color="0.2"):
    ax.plot(times, np.asarray(senders) - first_id, "|", ms=2.5, color=color)
    ax.set_ylabel(label)


def learning_curve(ax, log, accuracy=True):
    iterations = np.arange(1, len(log.loss) + 1)
    ax.plot(iterations, log.loss, color="tab:blue", lw=0.8, label="training loss")
    ax.set_xlabel("training iteration")
    ax.set_ylabel("loss")
    if log.validation_iteration:
        ax.plot(log.validation_iteration, log.validation_loss, "o-", ms=3, color="tab:cyan", label="validation loss")
    ax.legend(loc="upper left", fontsize=8)
    if accuracy and log.accuracy and log.accuracy[0] is not None:
        acc = ax.twinx()
        acc.plot(iterations, log.accuracy, color="tab:orange", lw=0.6, alpha=0.6, label="training accuracy")
        if log.validation_iteration:
            acc.plot(log.validation_iteration, log.validation_accuracy, "s-", ms=3, color="tab:red",
                     label="validation accuracy")
        acc.set_ylim(0.0, 1.02)
        acc.set_ylabel("accuracy")
        acc.legend(loc="upper right", fontsize=8)


def save(fig, path):
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)
