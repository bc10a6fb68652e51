"""chiplearn.install(): loading, reloading after ResetKernel, refusing a NEST it was not built for, and
the NEST habit nest.Install("chiplearn") with LD_LIBRARY_PATH."""

import os
import subprocess
import sys

import pytest

import chiplearn
from chiplearn import _build_info


def chiplearn_models(nest):
    return sorted(m for m in nest.node_models if m.endswith("_chiplearn"))


def test_install_twice_and_after_reset(nest_kernel):
    nest = nest_kernel
    assert chiplearn_models(nest) == sorted(chiplearn.MODELS)
    chiplearn.install()  # already loaded: nothing happens
    assert chiplearn_models(nest) == sorted(chiplearn.MODELS)
    nest.Create("eprop_iaf_chiplearn")
    nest.ResetKernel()
    assert chiplearn_models(nest) == []  # ResetKernel unloads modules
    chiplearn.install()
    assert chiplearn_models(nest) == sorted(chiplearn.MODELS)
    nest.Create("eprop_readout_chiplearn")
    nest.Simulate(5.0)


@pytest.mark.parametrize(
    "attribute, value, expected",
    [("NEST_VERSION", "3.9.0", "NEST 3.9.0"), ("NEST_HAVE_MPI", not _build_info.NEST_HAVE_MPI, "MPI")],
)
def test_refuses_other_nest(monkeypatch, attribute, value, expected):
    import nest

    nest.ResetKernel()
    monkeypatch.setattr(_build_info, attribute, value)
    with pytest.raises(chiplearn.NESTMismatchError) as error:
        chiplearn.install()
    message = str(error.value)
    assert expected in message
    assert f"NEST {nest.__version__}" in message
    assert "pip install" in message
    assert chiplearn_models(nest) == [], "nothing may be loaded after a refusal"


def test_install_after_create_is_a_nest_error():
    import nest

    nest.ResetKernel()
    nest.Create("iaf_psc_alpha")
    with pytest.raises(nest.NESTError, match="ResetKernel"):
        chiplearn.install()


def test_nest_install_by_name_with_ld_library_path(tmp_path):
    script = (
        "import nest\n"
        "nest.Install('chiplearn')\n"
        "n = nest.Create('eprop_iaf_chiplearn', params={'I_e': 1000.0})\n"
        "nest.Simulate(20.0)\n"
        "print('spikes', n.get('t_spike') > 0)\n"
    )
    env = dict(os.environ, LD_LIBRARY_PATH=chiplearn.module_dir())
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "spikes True" in result.stdout
