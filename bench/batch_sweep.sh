#!/usr/bin/env bash
# How the batch size, the decoding workers and libtorch's threads trade off on this machine:
# images/s of `whatcar batch` for each setting, on the same images in one run.
#   bench/batch_sweep.sh [MODEL] [N_IMAGES=500]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-$root/models/whatcar-cars.pt}"
n="${2:-500}"
images="${WHATCAR_BENCH_IMAGES:-$root/../shared/data/stanford-cars/images}"
list=$(mktemp)
trap 'rm -f "$list" "$list.all"' EXIT
find "$images" -name "*.jpg" | sort >"$list.all"
head -n "$n" "$list.all" >"$list"

rate() {  # rate ARGS...: images/s of one batch run
  local start end
  start=$(date +%s.%N)
  "$root/build/whatcar" batch -q -m "$model" --files-from "$list" "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v n="$(wc -l <"$list")" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", n / (b - a) }'
}

printf '%-40s %10s\n' "setting ($(wc -l <"$list") images, $(nproc) cores)" "images/s"
for b in 1 4 8 16 32; do printf '%-40s %10s\n' "batch $b, 1 worker, $(nproc) threads" "$(rate -b "$b" -j 1)"; done
printf '%-40s %10s\n' "batch 8, 2 workers, $(nproc) threads" "$(rate -b 8 -j 2)"
printf '%-40s %10s\n' "batch 8, 1 worker, 1 thread" "$(rate -b 8 -j 1 -t 1)"
