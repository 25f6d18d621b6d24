#!/usr/bin/env bash
# Batch throughput of whatcar against (a) the Python reference (torch + PIL + DataLoader, same
# model, same 2-core budget) and (b) the forward-only ceiling, measured in the same run.
#   bench/batch_throughput.sh [MODEL] [N_IMAGES=1000] [BATCH=4]
# Needs a built tree (scripts/build), python3-torch and python3-pil, and ../shared images.
set -euo pipefail
source "$(dirname "$0")/common.sh"
n="${2:-1000}"
batch="${3:-4}"
image_list "$n"
count=$(wc -l <"$list")

start=$(date +%s.%N)
"$root/build/whatcar" batch -q -m "$model" -b "$batch" --files-from "$list" >/dev/null
ours=$(awk -v n="$count" -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print n / (b - a) }')
python=$(/usr/bin/python3 "$root/bench/python_reference.py" "$model" "$list" "$batch")
ceiling=$("$root/build/bench/forward_ceiling" "$model" "$batch" "$count")

printf '%-42s %10s\n' "on $count images, batch $batch" "images/s"
printf '%-42s %10.1f\n' "whatcar batch" "$ours" "python reference (torch+PIL+DataLoader)" "$python" \
  "forward only (ceiling)" "$ceiling"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
printf '%-42s %10.2f\n' "whatcar / python" "$(ratio "$ours" "$python")" "whatcar / ceiling" "$(ratio "$ours" "$ceiling")"
