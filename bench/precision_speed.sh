#!/usr/bin/env bash
# whatcar --precision bf16 against fp32 (the default), interleaved in the same run: one photo in
# a cold process, `batch` over N photos with detection (the default job), and `batch --no-detect`
# (the classifier alone). Medians of ROUNDS and the ratio bf16 / fp32: under 1 for times, over 1
# for rates, is bf16 winning.
#   bench/precision_speed.sh [MODEL] [ROUNDS=5] [N=200]
# Needs a built tree (scripts/build) and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-5}"
n="${3:-200}"
image_list "$n"
photo=$(sed -n 1p "$list")
bin="$root/build/whatcar"
for _ in $(seq "$rounds"); do
  for p in fp32 bf16; do
    args=(-q --precision "$p" -m "$model" --detector "$detector")
    echo "$p.photo $(ms "$bin" "${args[@]}" "$photo")" >>"$times"
    echo "$p.batch $(rate "$n" "$bin" batch "${args[@]}" --files-from "$list")" >>"$times"
    echo "$p.crops $(rate "$n" "$bin" batch "${args[@]}" --no-detect --files-from "$list")" >>"$times"
  done
done
printf '%-48s %10s %10s %12s\n' "case (median of $rounds)" "fp32" "bf16" "bf16/fp32"
for c in "photo:one photo, cold process, with detection (ms)" "batch:batch with detection (images/s)" \
  "crops:batch --no-detect, the classifier alone (images/s)"; do
  a=$(case_median "$times" "fp32.${c%%:*}")
  b=$(case_median "$times" "bf16.${c%%:*}")
  printf '%-48s %10s %10s %12.2f\n' "${c#*:}" "$a" "$b" "$(ratio "$b" "$a")"
done
echo "($n images from $images, $(nproc) cores; CPU: $(grep -o -m1 -w 'avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ' || true))"
