#!/usr/bin/env bash
# An MPI environment for chiplearn, from nothing on a Debian machine: Debian's OpenMPI and NEST's build
# dependencies, NEST 3.10 compiled with MPI from its source distribution, chiplearn built against it, and
# the MPI tests. NEST's build takes 20-50 minutes on 2 cores; the environment is kept and reused (NEST is
# not rebuilt when the NEST there already has MPI), in ~/.cache/chiplearn/mpi-venv unless
# CHIPLEARN_MPI_VENV names another folder.
#
#     tools/mpi_environment.sh                 # install, build what is missing, run the MPI tests
#     tools/mpi_environment.sh --tests-only    # in the existing environment: rebuild chiplearn from this
#                                              # checkout (no apt, no NEST build) and run the MPI tests
set -euo pipefail
cd "$(dirname "$0")/.."
environment="${CHIPLEARN_MPI_VENV:-$HOME/.cache/chiplearn/mpi-venv}"
tests_only=false
case "${1:-}" in
  --tests-only) tests_only=true ;;
  "") ;;
  *) echo "usage: $0 [--tests-only]" >&2; exit 2 ;;
esac

# True when the NEST importable by the environment's Python was built with MPI. The settings are read into
# a variable first: with pipefail, `locate_nest.py | grep -q` can fail although grep matched, when grep
# exits at the match and the writer gets SIGPIPE.
nest_has_mpi() {
  local settings
  settings=$(python tools/locate_nest.py 2>/dev/null) || return 1
  [[ $settings == *'NEST_HAVE_MPI "1"'* ]]
}

if $tests_only; then
  [[ -x "$environment/bin/python" ]] || { echo "no MPI environment in $environment: run $0 first" >&2; exit 1; }
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

python -m pytest -q tests/test_mpi.py tests/test_gather.py
