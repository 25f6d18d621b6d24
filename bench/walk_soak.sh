#!/usr/bin/env bash
# Soak: `whatcar batch DIR` over a tree of many small files (hard links to a few shared photos,
# 1,000 to a folder), reporting max RSS and files/s as the walk grows: memory must stay flat and
# nothing may slow down with the size of the tree. The tree costs inodes, not disk.
#   bench/walk_soak.sh [MODEL] [COUNTS="1000 10000 100000"] [WHATCAR ARGS...]
# With the fixture model (tests/fixtures/tiny_model.pt) the network costs almost nothing and the
# figure is the walk, the reads and the decoding; with the bundled model it is the whole job.
set -euo pipefail
source "$(dirname "$0")/common.sh"
counts="${2:-1000 10000 100000}"
shift $(($# < 2 ? $# : 2))
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(--no-detect)

tree=$(mktemp -d -p "$(dirname "$images")")  # hard links need the same file system
trap 'rm -rf "$tree" "$list" "$list.all" "$times"' EXIT
mapfile -t sources < <(head -n 8 "$list.all")
made=0
grow() {  # grow N: the tree holds N files
  while [ "$made" -lt "$1" ]; do
    local dir="$tree/$((made / 1000))"
    mkdir -p "$dir"
    ln "${sources[made % ${#sources[@]}]}" "$dir/$made.${sources[made % ${#sources[@]}]##*.}"
    made=$((made + 1))
  done
}

printf '%-10s %14s %10s\n' "files" "max RSS (MB)" "files/s"
for n in $counts; do
  grow "$n"
  stats=$( { /usr/bin/time -f "%M %e" "$root/build/whatcar" batch -q -m "$model" "${extra[@]}" "$tree" | wc -l >"$tree.lines"; } 2>&1 )
  read -r kb seconds <<<"$stats"
  [ "$(cat "$tree.lines")" = "$n" ] || { echo "bench: expected $n records, got $(cat "$tree.lines")" >&2; exit 1; }
  printf '%-10s %14.1f %10.1f\n' "$n" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
    "$(awk -v n="$n" -v s="$seconds" 'BEGIN { print n / s }')"
done
rm -f "$tree.lines"
