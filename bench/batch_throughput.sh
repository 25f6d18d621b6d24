#!/usr/bin/env bash
# Batch throughput of whatcar (detect, crop, classify) against (a) the Python reference doing
# the same job (torch + PIL + DataLoader, the same two models, same 2-core budget) and (b) the
# forward-only ceiling of both networks. whatcar and Python are timed as
# whole processes, start-up included (what a user waits for); the ceiling is the forward pass
# alone after warm-up, so whatcar/forward is a conservative figure. The three run one after another
# in each round, so that each round's ratios compare like with like on a machine whose speed
# drifts; the summary is the median over rounds.
# PRECISION runs whatcar and the ceiling with --precision (the Python reference stays fp32, the
# way it is written).
#   bench/batch_throughput.sh [MODEL] [N_IMAGES=1000] [BATCH=4] [ROUNDS=3] [PRECISION=fp32]
# Needs a built tree (scripts/build), python3-torch and python3-pil, and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
n="${2:-1000}"
batch="${3:-4}"
rounds="${4:-3}"
precision="${5:-fp32}"
image_list "$n"
count=$(wc -l <"$list")

printf '%-6s %14s %14s %14s %16s %16s\n' "round" "whatcar img/s" "python img/s" "forward img/s" \
  "whatcar/python" "whatcar/forward"
results=()
for r in $(seq "$rounds"); do
  ours=$(rate "$count" "$root/build/whatcar" batch -q --precision "$precision" -m "$model" --detector "$detector" -b "$batch" --files-from "$list")
  python=$(rate "$count" /usr/bin/python3 "$root/bench/python_reference.py" "$model" "$list" "$batch" "$detector")
  ceiling=$("$root/build/bench/forward_ceiling" --precision "$precision" "$model" "$batch" "$count" 0 "$detector" "$list")
  line=$(awk -v o="$ours" -v p="$python" -v c="$ceiling" 'BEGIN { printf "%.1f %.1f %.1f %.2f %.2f", o, p, c, o / p, o / c }')
  results+=("$line")
  read -r o p c rp rc <<<"$line"
  printf '%-6s %14s %14s %14s %16s %16s\n' "$r" "$o" "$p" "$c" "$rp" "$rc"
done
col() { printf '%s\n' "${results[@]}" | awk -v k="$1" '{ print $k }' | median; }
printf '%-6s %14s %14s %14s %16s %16s\n' "median" "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)"
echo "($count images from ${images}, batch $batch, $precision, $(nproc) cores, $rounds rounds)"
