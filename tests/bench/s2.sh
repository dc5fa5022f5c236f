#!/usr/bin/env bash
# make bench, S2 part: Security 2's cost per frame beside S0's, a SPAN's
# set-up, an X25519 exchange, and S2's state in the slave
# (tests/bench/s2bench.c). Pinned to CPU 0 when taskset exists. Figures
# only, no pass/fail. BENCH_S2_FRAMES (20000) frames per figure.
set -eu
cd "$(dirname "$0")/../.."
bin=${BUILD:-build}/hd-s2bench
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
echo "# S2 (tests/bench/s2.sh, $(nproc) cores, $(uname -m))"
"${pin[@]}" "$bin"
