#!/usr/bin/env bash
# This tree against another checkout (an earlier commit, say), each with its own bundled model:
# `whatcar --help`, one photo, and `whatcar batch` over N photos, interleaved ROUNDS times;
# medians and ratios (this tree / the other). For changes that should not move speed.
#   git worktree add /tmp/before REV && (cd /tmp/before && scripts/build)
#   bench/compare_builds.sh /tmp/before [ROUNDS=7] [N=300]
# Needs both trees built and the true-colour copies (training/prepare_data.py).
set -euo pipefail
other=$(cd "$1" && pwd)
source "$(dirname "$0")/common.sh" ""
rounds="${2:-7}"
n="${3:-300}"
image_list "$n"
photo=$(sed -n 1p "$list")
declare -A tree=([this]="$root" [other]="$other")
for _ in $(seq "$rounds"); do
  for t in this other; do
    bin="${tree[$t]}/build/whatcar"
    m="${tree[$t]}/models/whatcar-cars.pt"
    echo "$t.help $(ms "$bin" --help)" >>"$times"
    echo "$t.photo $(ms "$bin" -m "$m" "$photo")" >>"$times"
    echo "$t.batch $(rate "$n" "$bin" batch -q -m "$m" --files-from "$list")" >>"$times"
  done
done
printf '%-30s %10s %10s %8s\n' "case (median of $rounds)" "this" "other" "ratio"
for c in help photo batch; do
  a=$(case_median "$times" "this.$c")
  b=$(case_median "$times" "other.$c")
  case $c in
    help) label="whatcar --help (ms)" ;;
    photo) label="whatcar $(basename "$photo") (ms)" ;;
    batch) label="batch of $n (images/s)" ;;
  esac
  printf '%-30s %10s %10s %8.2f\n' "$label" "$a" "$b" "$(ratio "$a" "$b")"
done
