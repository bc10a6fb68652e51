#!/usr/bin/env bash
# An MPI environment for chiplearn, from nothing on a Debian machine: Debian's OpenMPI and NEST's build
# dependencies, NEST 3.10 compiled with MPI from its source distribution, chiplearn built against it, and
# the MPI tests. NEST's build takes 20-50 minutes on 2 cores; the environment is kept and reused (NEST is
# not rebuilt when the NEST there already has MPI), in ~/.cache/chiplearn/mpi-venv unless
# CHIPLEARN_MPI_VENV names another folder. The environment is complete when its file
# .chiplearn-mpi-complete exists: a full run removes it as it starts and writes it (atomically) only once
# NEST with MPI is installed and chiplearn built against it loads into that NEST. So a folder without it is
# being built, or a run did not finish. Runs on the same environment take turns: each holds the file
# <environment>.lock while it changes or uses the environment.
#
#     tools/mpi_environment.sh                 # install, build what is missing, run the MPI tests
#     tools/mpi_environment.sh --tests-only    # in the existing environment: rebuild chiplearn from this
#                                              # checkout (no apt, no NEST build) and run the MPI tests
#     tools/mpi_environment.sh --status        # say whether the environment is complete (exit 0), being
#                                              # built or broken (exit 3), or absent (exit 4)
set -euo pipefail
cd "$(dirname "$0")/.."
environment="${CHIPLEARN_MPI_VENV:-$HOME/.cache/chiplearn/mpi-venv}"
tests_only=false
case "${1:-}" in
  --tests-only) tests_only=true ;;
  --status | "") ;;
  *) echo "usage: $0 [--tests-only | --status]" >&2; exit 2 ;;
esac
complete_mark="$environment/.chiplearn-mpi-complete"

# Says which case the environment is in; returns 0 when it is complete, 3 when it is being built or broken,
# 4 when it is absent.
environment_status() {
  if [[ -f $complete_mark ]]; then
    echo "the MPI environment in $environment is complete: $(<"$complete_mark")"
  elif [[ -d $environment ]]; then
    echo "the MPI environment in $environment is being built or broken (no $(basename "$complete_mark")):" \
      "when no build is running, finish it with $0 (it reuses what is built)"
    return 3
  else
    echo "there is no MPI environment in $environment: build it with $0 (20-50 minutes)"
    return 4
  fi
}
if [[ ${1:-} == --status ]]; then
  environment_status
  exit
fi

# One run at a time changes the environment: a second run (another checkout's, or .ci/run's --tests-only
# during a full build) waits for the first instead of installing into the same folder at once.
lock="$environment.lock"
mkdir -p "$(dirname "$environment")"
exec {lock_fd}>>"$lock"
if ! flock -n "$lock_fd"; then
  echo "waiting for another run of $(basename "$0") on $environment to finish (it holds $lock)" >&2
  flock "$lock_fd"
fi

# True when the NEST importable by the environment's Python was built with MPI. The settings are read into
# a variable first: with pipefail, `locate_nest.py | grep -q` can fail although grep matched, when grep
# exits at the match and the writer gets SIGPIPE.
nest_has_mpi() {
  local settings
  settings=$(python tools/locate_nest.py 2>/dev/null) || return 1
  [[ $settings == *'NEST_HAVE_MPI "1"'* ]]
}

if $tests_only; then
  environment_status >&2 || exit
  . "$environment/bin/activate"
else
  packages=(libopenmpi-dev openmpi-bin libgsl-dev libltdl-dev libboost-dev cmake g++ python3-venv python3-dev)
  missing=()
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ((${#missing[@]})); then
    as_root=()
    [[ $(id -u) -eq 0 ]] || as_root=(sudo)
    "${as_root[@]}" apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi

  rm -f "$complete_mark"  # until this run has finished building, the environment is not complete
  [[ -x "$environment/bin/python" ]] || python3 -m venv "$environment"
  . "$environment/bin/activate"
  pip install --upgrade pip
  # chiplearn's build requirements (pyproject.toml) but NEST, its run-time dependencies, pytest, and mpi4py
  # compiled against the same OpenMPI as NEST (chiplearn.gather exchanges results between ranks with it)
  pip install scikit-build-core pybind11 boost-headers numpy matplotlib tqdm pytest
  pip install --no-binary mpi4py mpi4py

  if nest_has_mpi; then
    echo "reusing the NEST with MPI in $environment"
  else
    echo "building NEST 3.10 with MPI (20-50 minutes)"
    time pip install --no-binary nest-simulator "nest-simulator==3.10.0" --config-settings=cmake.define.with-mpi=ON
  fi
fi
nest_has_mpi || { echo "the NEST in $environment has no MPI" >&2; exit 1; }

# a build folder of its own, so that a build against the PyPI wheel in the same checkout stays valid
pip install --no-build-isolation --no-deps --config-settings=build-dir='build/mpi-{wheel_tag}' .

if ! $tests_only; then
  python -c "import nest, chiplearn; chiplearn.install()"
  echo "NEST $(python -c 'import importlib.metadata as m; print(m.version("nest-simulator"))') with MPI and chiplearn" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo '(not a git checkout)'), built $(date -u +%FT%TZ)" \
    >"$complete_mark.partial"
  mv -f "$complete_mark.partial" "$complete_mark"
  echo "the MPI environment in $environment is complete"
fi

python -m pytest -q tests/test_mpi.py tests/test_gather.py
