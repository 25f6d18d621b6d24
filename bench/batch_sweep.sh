#!/usr/bin/env bash
# How the batch size, the workers and libtorch's threads trade off on this machine:
# images/s of `whatcar batch` for each setting, on the same images in one run.
#   bench/batch_sweep.sh [MODEL] [N_IMAGES=500]
set -euo pipefail
source "$(dirname "$0")/common.sh"
n="${2:-500}"
image_list "$n"

# sweep ARGS...: images/s of `whatcar batch` with these settings.
sweep() { rate "$(wc -l <"$list")" "$root/build/whatcar" batch -q -m "$model" --files-from "$list" "$@"; }

printf '%-40s %10s\n' "setting ($(wc -l <"$list") images, $(nproc) cores)" "images/s"
for b in 1 4 8 16; do printf '%-40s %10s\n' "batch $b, $(nproc) workers, 1 thread each" "$(sweep -b "$b")"; done
printf '%-40s %10s\n' "batch 4, 1 worker, $(nproc) threads" "$(sweep -b 4 -j 1)"
