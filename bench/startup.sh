#!/usr/bin/env bash
# What the unused-library shims (cmake/shim_unused_libs.sh, docs/startup.md) buy: wall time
# of `whatcar --help` (exec + loading libtorch) and of one small photo, for build/whatcar
# against the same sources built with -DWHATCAR_SHIM_UNUSED_LIBS=OFF (into build-noshim/, made
# here when missing), interleaved ROUNDS times; the table shows medians and the ratio.
#   bench/startup.sh [MODEL] [ROUNDS=9]
# Needs a built tree (scripts/build) and ../shared.
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-9}"
noshim="$root/build-noshim"
if [ ! -x "$noshim/whatcar" ]; then
  cmake -S "$root" -B "$noshim" -DCMAKE_BUILD_TYPE=Release -DWHATCAR_SHIM_UNUSED_LIBS=OFF \
    -DWHATCAR_BUILD_TESTS=OFF >/dev/null
  cmake --build "$noshim" --target whatcar -j"$(nproc)" >/dev/null
fi
photo=$(sed -n 1p "$list.all")
times=$(mktemp)
trap 'rm -f "$list" "$list.all" "$times"' EXIT

for _ in $(seq "$rounds"); do
  echo "shim_help $(ms "$root/build/whatcar" --help)" >>"$times"
  echo "noshim_help $(ms "$noshim/whatcar" --help)" >>"$times"
  echo "shim_photo $(ms "$root/build/whatcar" -m "$model" "$photo")" >>"$times"
  echo "noshim_photo $(ms "$noshim/whatcar" -m "$model" "$photo")" >>"$times"
done

printf '%-28s %12s %12s %8s\n' "case (median of $rounds)" "shims ms" "no shims ms" "ratio"
for c in help photo; do
  s=$(case_median "$times" "shim_$c")
  n=$(case_median "$times" "noshim_$c")
  printf '%-28s %12s %12s %8.2f\n' "$([ $c = help ] && echo "whatcar --help" || echo "whatcar $(basename "$photo")")" \
    "$s" "$n" "$(ratio "$s" "$n")"
done
printf '%-28s %12s %12s\n' "shared objects loaded" "$(ldd "$root/build/whatcar" | wc -l)" "$(ldd "$noshim/whatcar" | wc -l)"
