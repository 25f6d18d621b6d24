#!/usr/bin/env bash
# Peak memory (max RSS) of `whatcar batch` as the number of inputs grows: with bounded queues
# it should stay flat. Inputs repeat the shared images to reach each count.
#   bench/batch_memory.sh [MODEL] [COUNTS="100 1000 10000"]
set -euo pipefail
source "$(dirname "$0")/common.sh"
counts="${2:-100 1000 10000}"

printf '%-12s %14s %12s\n' "inputs" "max RSS (MB)" "images/s"
for n in $counts; do
  image_list "$n"
  stats=$( { /usr/bin/time -f "%M %e" "$root/build/whatcar" batch -q -m "$model" --files-from "$list" >/dev/null; } 2>&1 )
  read -r kb seconds <<<"$stats"
  printf '%-12s %14.1f %12.1f\n' "$n" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
    "$(awk -v n="$n" -v s="$seconds" 'BEGIN { print n / s }')"
done
