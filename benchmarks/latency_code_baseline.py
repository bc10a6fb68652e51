"""What a plain linear classifier reaches on MNIST's latency code: the sanity baseline for the EventProp
readout (a readout-only spiking network sees the same first-spike times and nothing else).

Each pixel's feature is its earliness (t_max - t) / (t_max - t_min) under chiplearn.datasets'
latency code, 0 for a pixel that never spikes; a softmax regression (784 x 10 weights and 10 biases,
cross-entropy, minibatch gradient descent, shuffled by the seed) trains on the 60,000 training images
and is tested on the 10,000 test images after every epoch. Run for the grids of 1 ms and 0.1 ms (the
code has 20 and 200 time levels over t_max = 20 ms) and, for comparison, on the pixels themselves.

    python benchmarks/latency_code_baseline.py [--epochs 5] [--batch-size 100] [--eta 0.1] [--seed 1]
"""

import argparse
import platform
import time

import numpy as np

from chiplearn.datasets import latency_spike_times, load_mnist


def earliness(images, t_max, resolution):
    times = latency_spike_times(images, t_max, resolution)
    t_min = resolution  # the code's default
    return np.where(np.isfinite(times), (t_max - times) / (t_max - t_min), 0.0)


def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def train_softmax_regression(x_train, y_train, x_test, y_test, epochs, batch_size, eta, seed):
    rng = np.random.default_rng(seed)
    weights = np.zeros((x_train.shape[1], 10))
    bias = np.zeros(10)
    one_hot = np.eye(10)[y_train]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            error = softmax(x_train[batch] @ weights + bias) - one_hot[batch]  # d(cross-entropy)/d(logits)
            weights -= eta * x_train[batch].T @ error / len(batch)
            bias -= eta * error.mean(axis=0)
        train_accuracy = np.mean(np.argmax(x_train @ weights + bias, axis=1) == y_train)
        test_accuracy = np.mean(np.argmax(x_test @ weights + bias, axis=1) == y_test)
        yield epoch, train_accuracy, test_accuracy


def cpu_name():
    try:
        with open("/proc/cpuinfo") as stream:
            return next(line.split(":", 1)[1].strip() for line in stream if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--eta", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--t-max", type=float, default=20.0)
    arguments = parser.parse_args()

    print(f"machine: {cpu_name()}; softmax regression on the latency code, t_max = {arguments.t_max} ms, "
          f"{arguments.epochs} epochs, batch {arguments.batch_size}, eta {arguments.eta}, seed {arguments.seed}")
    x_train, y_train, x_test, y_test = load_mnist()
    feature_sets = {"pixel / 255 (no spike code)": lambda images: images}
    for resolution in (1.0, 0.1):
        feature_sets[f"latency code, grid {resolution} ms"] = (
            lambda images, resolution=resolution: earliness(images, arguments.t_max, resolution))
    for name, features in feature_sets.items():
        started = time.perf_counter()
        for epoch, train_accuracy, test_accuracy in train_softmax_regression(
            features(x_train), y_train, features(x_test), y_test, arguments.epochs, arguments.batch_size,
            arguments.eta, arguments.seed,
        ):
            print(f"{name}  epoch {epoch}: train {100 * train_accuracy:.2f} %  test {100 * test_accuracy:.2f} %")
        print(f"{name}: final test accuracy {100 * test_accuracy:.2f} % ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
