#!/usr/bin/env bash
# How the batch size, the decoding workers and libtorch's threads trade off on this machine:
# images/s of `whatcar batch` for each setting, on the same images in one run.
#   bench/batch_sweep.sh [MODEL] [N_IMAGES=500]
set -euo pipefail
source "$(dirname "$0")/common.sh"
n="${2:-500}"
image_list "$n"

# sweep ARGS...: images/s of `whatcar batch` with these settings.
sweep() { rate "$(wc -l <"$list")" "$root/build/whatcar" batch -q -m "$model" --files-from "$list" "$@"; }

printf '%-40s %10s\n' "setting ($(wc -l <"$list") images, $(nproc) cores)" "images/s"
for b in 1 4 8 16 32; do printf '%-40s %10s\n' "batch $b, 1 worker, $(nproc) threads" "$(sweep -b "$b" -j 1)"; done
printf '%-40s %10s\n' "batch 8, 2 workers, $(nproc) threads" "$(sweep -b 8 -j 2)"
printf '%-40s %10s\n' "batch 8, 1 worker, 1 thread" "$(sweep -b 8 -j 1 -t 1)"
