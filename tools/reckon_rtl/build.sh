#!/bin/bash
# Builds the ReckOn RTL harness (sim.cpp) with Verilator.  Usage: build.sh RECKON_CHECKOUT [BUILD_DIR]
# RECKON_CHECKOUT is a snapshot of the public repository ChFrenkel/ReckOn (its src/ holds the Verilog).
# Needs Debian's verilator (apt-get install verilator; 5.006 here). About 45 s on 2 cores.
set -euo pipefail
src=$(cd "$1" && pwd)/src
out=${2:-build-reckon}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out" && cd "$out"
verilator --cc --exe --build -j 2 -O3 --x-assign 0 --x-initial 0 --no-timing -Wno-fatal -Wno-lint -Wno-style \
  --top-module reckon "$src/reckon.v" "$src/srnn.v" "$src/spi_slave.v" "$src"/lfsr/*.v "$here/sim.cpp" \
  -CFLAGS "-O2" -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1" -o Vreckon_sim
echo "built $(pwd)/obj_dir/Vreckon_sim; run it with --data $1/src/data"
