"""chiplearn: neuromorphic on-chip learning rules as a NEST extension module.

Load the module into the running NEST with :func:`install` before creating any node::

    import nest, chiplearn
    chiplearn.install()
    nest.Create("eprop_iaf_chiplearn", 100)

The NEST habit works too: put :func:`module_dir` on ``LD_LIBRARY_PATH`` before starting Python and
call ``nest.Install("chiplearn")``.
"""

import os

from . import _build_info

__all__ = ["MODELS", "NESTMismatchError", "install", "module_dir", "module_path"]

#: Node models registered by the module.
MODELS = ("eprop_iaf_chiplearn", "eprop_iaf_adapt_chiplearn", "eprop_readout_chiplearn", "ebn_iaf_chiplearn",
          "eventprop_readout_chiplearn", "reckon_chip_chiplearn", "eventprop_iaf_chiplearn")


class NESTMismatchError(RuntimeError):
    """The imported NEST is not the NEST that chiplearn's module was compiled against."""


def module_dir():
    """Folder of the compiled NEST module ``chiplearn.so`` (for ``LD_LIBRARY_PATH``)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib")


def module_path():
    """Absolute path of the compiled NEST module ``chiplearn.so``."""
    return os.path.join(module_dir(), "chiplearn.so")


def _describe(version, have_mpi):
    return f"NEST {version} ({'with' if have_mpi else 'without'} MPI)"


def check_nest(nest):
    """Raise NESTMismatchError unless ``nest`` is the NEST release and flavour the module was built for.

    A module compiled against other NEST headers would crash or misbehave inside the kernel, so this is
    checked before NEST ever opens the file.
    """
    built = (_build_info.NEST_VERSION, _build_info.NEST_HAVE_MPI)
    running = (nest.__version__, bool(nest.build_info["have_mpi"]))
    if built != running:
        raise NESTMismatchError(
            f"chiplearn's NEST module was built against {_describe(*built)}, but the imported NEST is "
            f"{_describe(*running)}. Rebuild chiplearn against the NEST you use: in the chiplearn source "
            "folder run `pip install --no-build-isolation --force-reinstall --no-deps .` in this environment "
            "(see README.md, 'Running on a cluster (MPI)')."
        )


def install():
    """Load chiplearn's models into the running NEST kernel.

    Call it before creating nodes, and again after ``nest.ResetKernel()`` (which unloads modules);
    calling it while the module is loaded does nothing.
    """
    import nest

    if MODELS[0] in nest.node_models:
        return
    check_nest(nest)
    path = module_path()
    if not os.path.isfile(path):
        raise FileNotFoundError(f"chiplearn's NEST module is missing at {path}; reinstall chiplearn")
    nest.Install(path)
