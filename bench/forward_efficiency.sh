#!/usr/bin/env bash
# The forward pass against the physical limit: the model's FLOPs per image (bench/model_flops.py)
# times the images/s of the forward pass alone (bench/forward_ceiling), divided by what this CPU
# sustains on a large fp32 matrix multiply (bench/matmul_peak), all in one run.
#   bench/forward_efficiency.sh [MODEL]
# Needs a built tree (scripts/build) and python3-torch.
set -euo pipefail
source "$(dirname "$0")/common.sh"
gflop=$(/usr/bin/python3 "$root/bench/model_flops.py" "$model")
peak=$("$root/build/bench/matmul_peak" 2048)
printf '%-40s %12s\n' "model forward, per image" "$gflop GFLOP"
printf '%-40s %12s\n' "fp32 matmul 2048x2048, $(nproc) cores" "$peak GFLOP/s"
for batch in 1 4; do
  per_s=$("$root/build/bench/forward_ceiling" "$model" "$batch" 400)
  achieved=$(awk -v r="$per_s" -v g="$gflop" 'BEGIN { printf "%.1f", r * g }')
  printf '%-40s %12s %16s\n' "forward, batch $batch: $per_s img/s" "$achieved GFLOP/s" \
    "$(awk -v a="$achieved" -v p="$peak" 'BEGIN { printf "%.1f%% of peak", 100 * a / p }')"
done
