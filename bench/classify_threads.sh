#!/usr/bin/env bash
# How many libtorch threads `whatcar classify` should use by default: wall time of a whole
# `whatcar -t T PHOTO...` process for 1 and for 10 shared photos, with 1 thread and with every
# core, interleaved ROUNDS times; the table shows medians and the ratio.
#   bench/classify_threads.sh [MODEL] [ROUNDS=7]
# Needs a built tree (scripts/build) and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-7}"
cores=$(nproc)
image_list 10
mapfile -t ten <"$list"

for _ in $(seq "$rounds"); do
  for t in 1 "$cores"; do
    echo "one_$t $(ms "$root/build/whatcar" -m "$model" -t "$t" "${ten[0]}")" >>"$times"
    echo "ten_$t $(ms "$root/build/whatcar" -m "$model" -t "$t" "${ten[@]}")" >>"$times"
  done
done

printf '%-24s %12s %12s %8s\n' "case (median of $rounds)" "-t 1 ms" "-t $cores ms" "ratio"
for c in one ten; do
  a=$(case_median "$times" "${c}_1")
  b=$(case_median "$times" "${c}_$cores")
  printf '%-24s %12s %12s %8.2f\n' "$([ $c = one ] && echo "1 photo" || echo "10 photos")" "$a" "$b" "$(ratio "$a" "$b")"
done
