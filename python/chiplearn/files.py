"""Atomic file output: a result is either complete on disk or not there at all, even if the run is killed.
Under MPI only rank 0 writes (the ranks hold the same gathered results: chiplearn.gather)."""

import functools
import json
import os
import tempfile
from contextlib import contextmanager

from .gather import is_root


def _on_root_only(save):
    @functools.wraps(save)
    def save_on_root(*args, **kwargs):
        if is_root():
            save(*args, **kwargs)
    return save_on_root


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success move it over ``path`` in one rename."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    stem, suffix = os.path.splitext(os.path.basename(path))
    handle, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix, dir=folder)
    os.close(handle)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates the file private; give it the usual mode
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


@_on_root_only
def save_figure(figure, path, **savefig_kwargs):
    """Save a matplotlib figure atomically (the format follows the file name's suffix)."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, **savefig_kwargs)


@_on_root_only
def save_json(value, path):
    """Write ``value`` as indented JSON atomically."""
    with atomic_path(path) as temporary:
        with open(temporary, "w") as stream:
            json.dump(value, stream, indent=1)


@_on_root_only
def save_npz(path, **arrays):
    """Write numpy arrays to an .npz file atomically."""
    import numpy as np

    with atomic_path(path) as temporary:
        with open(temporary, "wb") as stream:
            np.savez(stream, **arrays)
