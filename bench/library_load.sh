#!/usr/bin/env bash
# What one more shared library costs every start of whatcar: wall time of `whatcar --help` with
# each library given preloaded (LD_PRELOAD) against none, interleaved ROUNDS times; medians and
# ratios. Used to choose between libraries that do the same job (docs/architecture.md).
#   bench/library_load.sh ROUNDS LIBRARY...    e.g. bench/library_load.sh 21 libnettle.so.8 libcrypto.so.3
# Needs a built tree (scripts/build).
set -euo pipefail
source "$(dirname "$0")/common.sh" ""
rounds=$1
shift
for _ in $(seq "$rounds"); do
  echo "none $(ms "$root/build/whatcar" --help)" >>"$times"
  for lib in "$@"; do echo "$lib $(LD_PRELOAD=$lib ms "$root/build/whatcar" --help)" >>"$times"; done
done
base=$(case_median "$times" none)
printf '%-24s %10s %8s\n' "preloaded (median of $rounds)" "ms" "ratio"
printf '%-24s %10s %8s\n' "nothing" "$base" "1.00"
for lib in "$@"; do
  m=$(case_median "$times" "$lib")
  printf '%-24s %10s %8.3f\n' "$lib" "$m" "$(ratio "$m" "$base")"
done
