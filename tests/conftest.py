import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # makes tests/reference importable as `reference`


@pytest.fixture
def nest_kernel():
    """A fresh NEST kernel with chiplearn installed, quiet, 1 thread."""
    import nest

    import chiplearn

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    chiplearn.install()
    return nest
