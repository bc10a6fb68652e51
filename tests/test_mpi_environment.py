"""tools/mpi_environment.sh marks its environment complete only once NEST with MPI is installed and chiplearn
built against it loads, and its --tests-only and --status (by which .ci/run decides) go by that mark.

The script runs here against a scratch environment whose python, pip and dpkg are stubs that log their calls
and play NEST's build (a file in the environment says that "its NEST has MPI"), so nothing is installed or
built."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "tools", "mpi_environment.sh")
MARK = ".chiplearn-mpi-complete"

# the environment's stub python: tools/locate_nest.py reports MPI once the stub pip has "built" NEST; the check
# that chiplearn loads fails while the file chiplearn_fails_to_load exists
PYTHON = """\
#!/usr/bin/env bash
here="$(dirname "$0")/.."
echo "python $*" >>"$here/calls"
case "$1" in
  tools/locate_nest.py) [[ -f $here/nest_has_mpi ]] && echo '#define NEST_HAVE_MPI "1"' || echo '#define NEST_HAVE_MPI "0"' ;;
  -c) if [[ $2 == *chiplearn.install* ]]; then [[ ! -f $here/chiplearn_fails_to_load ]]; else echo 3.10.0; fi ;;
esac
"""
PIP = """\
#!/usr/bin/env bash
here="$(dirname "$0")/.."
echo "pip $*" >>"$here/calls"
[[ $* == *nest-simulator* ]] && touch "$here/nest_has_mpi"
exit 0
"""


def write_stub(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


@pytest.fixture
def scratch(tmp_path):
    """(environment folder, run) where run(*arguments) runs the script with the stubs and returns its result, and
    run.start(*arguments) starts it in the background."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    write_stub(stubs / "dpkg", "#!/bin/sh\nexit 0\n")  # every Debian package present: no apt
    environment = tmp_path / "mpi-venv"

    def make_environment():  # what `python3 -m venv` leaves: a python and an activate script
        (environment / "bin").mkdir(parents=True)
        write_stub(environment / "bin" / "python", PYTHON)
        write_stub(environment / "bin" / "pip", PIP)
        (environment / "bin" / "activate").write_text(f'export PATH="{environment}/bin:$PATH"\n')

    env = {**os.environ, "CHIPLEARN_MPI_VENV": str(environment), "PATH": f"{stubs}:{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)

    def run(*arguments):
        return subprocess.run(["bash", SCRIPT, *arguments], env=env, capture_output=True, text=True, cwd=tmp_path)

    def start(*arguments):  # the script in the background, its stderr in tmp_path/stderr
        with open(tmp_path / "stderr", "w") as stderr:
            return subprocess.Popen(["bash", SCRIPT, *arguments], env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                    cwd=tmp_path)

    run.make_environment = make_environment
    run.start = start
    return environment, run


def calls(environment):
    path = environment / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_absent_environment_is_said_and_refused(scratch):
    environment, run = scratch
    status = run("--status")
    assert status.returncode == 4 and "there is no MPI environment" in status.stdout
    tests = run("--tests-only")
    assert tests.returncode == 4 and "there is no MPI environment" in tests.stderr


def test_environment_is_complete_only_after_nest_and_chiplearn_are_built(scratch):
    environment, run = scratch
    run.make_environment()  # as a run that is still building NEST leaves it
    status = run("--status")
    assert status.returncode == 3 and "is being built or broken" in status.stdout
    tests = run("--tests-only")
    assert tests.returncode == 3 and "is being built or broken" in tests.stderr
    assert not any("pytest" in call for call in calls(environment)), "no tests in an incomplete environment"

    full = run()
    assert full.returncode == 0, full.stderr
    made = calls(environment)
    assert any("nest-simulator" in call for call in made)
    mark_at = made.index('python -c import nest, chiplearn; chiplearn.install()')
    assert any(call.startswith("pip install --no-build-isolation") for call in made[:mark_at])
    assert "pytest" in made[-1]
    mark = (environment / MARK).read_text()
    assert mark.startswith("NEST 3.10.0 with MPI and chiplearn ")
    status = run("--status")
    assert status.returncode == 0 and "is complete: NEST 3.10.0 with MPI" in status.stdout

    (environment / "calls").unlink()
    tests = run("--tests-only")
    assert tests.returncode == 0, tests.stderr
    assert not any("nest-simulator" in call for call in calls(environment))
    assert "pytest" in calls(environment)[-1]


def test_a_run_that_fails_leaves_the_environment_incomplete(scratch):
    environment, run = scratch
    run.make_environment()
    assert run().returncode == 0
    (environment / "chiplearn_fails_to_load").touch()
    (environment / "calls").unlink()
    failed = run()
    assert failed.returncode != 0
    assert not any("nest-simulator" in call for call in calls(environment)), "the NEST with MPI is reused"
    assert not (environment / MARK).exists() and not (environment / f"{MARK}.partial").exists()
    assert run("--status").returncode == 3

    (environment / "chiplearn_fails_to_load").unlink()
    assert run().returncode == 0  # the rerun reuses NEST and marks the environment complete
    assert run("--status").returncode == 0


def test_a_second_run_waits_for_the_first(scratch):
    """While another run holds the environment's lock, --tests-only says it waits and does nothing (no pip, no
    pytest) until the lock is released; then it runs."""
    import fcntl
    import time

    environment, run = scratch
    run.make_environment()
    assert run().returncode == 0
    (environment / "calls").unlink()
    with open(f"{environment}.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = run.start("--tests-only")
        deadline = time.monotonic() + 30
        while "waiting for another run" not in (environment.parent / "stderr").read_text():
            assert second.poll() is None and time.monotonic() < deadline, "the second run neither waited nor said so"
            time.sleep(0.1)
        time.sleep(1)
        assert second.poll() is None and calls(environment) == [], "the second run went on while the lock was held"
    assert second.wait(timeout=60) == 0
    assert "pytest" in calls(environment)[-1]
