#!/usr/bin/env bash
# Scripting with jq: how many photos per make, from whatcar's JSON lines.
#   examples/jq_pipeline.sh [FOLDER]   (default: 200 of the true-colour sample crops; needs jq)
set -euo pipefail
source "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "install jq first: apt-get install jq" >&2; exit 2; }
if [ $# -ge 1 ]; then
  "$WHATCAR" batch -q -k 1 "$1"
else
  find "$SAMPLES" -name '*.png' | sort | sed -n '1,200p' | "$WHATCAR" batch -q -k 1 -
fi | jq -r 'select(.cars | length > 0) | .cars[0].make.name' | sort | uniq -c | sort -rn | head -n 8
