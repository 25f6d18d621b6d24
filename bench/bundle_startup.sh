#!/usr/bin/env bash
# Start-up of the unpacked release bundle (scripts/bundle) against build/whatcar, the same binary
# loading Debian's installed libraries: `whatcar --help` and one small photo with the same model
# files, interleaved ROUNDS times after one unmeasured round (the page cache); medians and ratios.
#   bench/bundle_startup.sh [MODEL] [ROUNDS=9]
# Needs a built tree, dist/whatcar-*.tar.gz and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-9}"
tarball=$(ls "$root"/dist/whatcar-*-linux-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "bench: no dist/whatcar-*.tar.gz; run scripts/bundle" >&2; exit 1; }
unpacked=$(mktemp -d)
trap 'rm -rf "$list" "$list.all" "$times" "$unpacked"' EXIT
tar -C "$unpacked" -xzf "$tarball"
declare -A exe=([build]="$root/build/whatcar" [bundle]="$(echo "$unpacked"/whatcar-*/bin/whatcar)")
photo=$(sed -n 1p "$list.all")

for round in $(seq 0 "$rounds"); do
  for b in build bundle; do
    help=$(ms "${exe[$b]}" --help)
    one=$(ms "${exe[$b]}" -m "$model" --detector "$detector" "$photo")
    [ "$round" = 0 ] || printf '%s.help %s\n%s.photo %s\n' "$b" "$help" "$b" "$one" >>"$times"
  done
done

printf '%-24s %10s %10s %8s\n' "case (median of $rounds)" "build ms" "bundle ms" "ratio"
for c in help photo; do
  b=$(case_median "$times" "build.$c")
  u=$(case_median "$times" "bundle.$c")
  printf '%-24s %10s %10s %8.2f\n' "$([ $c = help ] && echo "whatcar --help" || echo "whatcar $(basename "$photo")")" \
    "$b" "$u" "$(ratio "$u" "$b")"
done
printf '%-24s %10s %10s\n' "shared objects loaded" "$(ldd "${exe[build]}" | wc -l)" "$(ldd "${exe[bundle]}" | wc -l)"
