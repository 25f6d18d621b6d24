#!/usr/bin/env bash
# Classify every image under a folder into a CSV file (written atomically).
#   examples/batch_to_csv.sh [FOLDER] [OUT.csv]   (default: 200 of the true-colour sample crops)
set -euo pipefail
source "$(dirname "$0")/common.sh"
out="${2:-results.csv}"
if [ $# -ge 1 ]; then
  "$WHATCAR" batch -k 1 "$1" -o "$out"
else
  find "$SAMPLES" -name '*.png' | sort | sed -n '1,200p' | "$WHATCAR" batch -k 1 - -o "$out"
fi
head -n 4 "$out"
