#!/usr/bin/env bash
# An MPI environment for chiplearn, from nothing on a Debian machine: Debian's OpenMPI and NEST's build
# dependencies, NEST 3.10 compiled with MPI from its source distribution, chiplearn built against it, and
# the MPI tests. NEST's build takes 20-50 minutes on 2 cores; the environment is kept and reused, in
# ~/.cache/chiplearn/mpi-venv unless a folder is given as the first argument.
#
#     tools/mpi_environment.sh [ENVIRONMENT_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
environment="${1:-$HOME/.cache/chiplearn/mpi-venv}"

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
pip install scikit-build-core pybind11 boost-headers numpy

if ! python tools/locate_nest.py 2>/dev/null | grep -q 'NEST_HAVE_MPI "1"'; then
  echo "building NEST 3.10 with MPI (20-50 minutes)"
  pip install --no-binary nest-simulator "nest-simulator==3.10.0" --config-settings=cmake.define.with-mpi=ON
fi
python tools/locate_nest.py | grep -q 'NEST_HAVE_MPI "1"' || { echo "the NEST in $environment has no MPI" >&2; exit 1; }

pip install --no-build-isolation '.[test]'
python -m pytest tests/test_mpi.py
