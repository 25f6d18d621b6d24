#!/usr/bin/env bash
# Two detector files against each other: the forward passes alone (bench/forward_ceiling: the
# detector and the classifier, one photo at a time, on ready-made tensors of the canvases each
# detector gives the first IMAGES shared photos), rounds interleaved, on one thread (a `batch`
# worker) and on every core (`classify`); prints each round and the medians in images/s.
#   bench/detector_forward.sh OTHER_DETECTOR [ROUNDS=5] [IMAGES=20] [MODEL]
# The bundled detector (or $WHATCAR_BENCH_DETECTOR) is "this"; OTHER_DETECTOR is the reference,
# e.g. `git show HEAD~1:models/whatcar-detector.pt > /tmp/before.pt`. Needs scripts/build.
set -euo pipefail
other=${1:?usage: bench/detector_forward.sh OTHER_DETECTOR [ROUNDS] [IMAGES] [MODEL]}
rounds=${2:-5}
count=${3:-20}
set -- "${4:-}"
source "$(dirname "$0")/common.sh"
image_list "$count"
log=$(mktemp)
for threads in 1 "$(nproc)"; do
  for round in $(seq "$rounds"); do
    for side in this other; do
      file=$detector
      [ "$side" = other ] && file=$other
      echo "$side-$threads $("$root/build/bench/forward_ceiling" "$model" 1 "$count" "$threads" "$file" "$list")" | tee -a "$log"
    done
  done
  this=$(case_median "$log" "this-$threads")
  before=$(case_median "$log" "other-$threads")
  printf '%s thread(s): this %s, other %s images/s: %.2fx\n' "$threads" "$this" "$before" "$(ratio "$this" "$before")"
done
rm -f "$log"
