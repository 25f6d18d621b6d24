#!/usr/bin/env bash
# What each start-up option of the build buys (docs/startup.md): wall time of `whatcar --help`
# (exec + loading libtorch) and of one small photo, for build/whatcar against the same sources
# built with one option off, interleaved ROUNDS times; the table shows medians and ratios.
#   -DWHATCAR_SHIM_UNUSED_LIBS=OFF  build-noshim/      (empty shims for unused libraries)
#   -DWHATCAR_MIMALLOC=OFF          build-nomimalloc/  (glibc's malloc instead of mimalloc)
# The variant builds are made, or brought up to date, here.
#   bench/startup.sh [MODEL] [ROUNDS=9]
# Needs a built tree (scripts/build) and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-9}"
variants=(noshim nomimalloc)
declare -A option=([noshim]=WHATCAR_SHIM_UNUSED_LIBS [nomimalloc]=WHATCAR_MIMALLOC)
for v in "${variants[@]}"; do
  [ -f "$root/build-$v/CMakeCache.txt" ] ||
    cmake -S "$root" -B "$root/build-$v" -DCMAKE_BUILD_TYPE=Release -D"${option[$v]}"=OFF \
      -DWHATCAR_BUILD_TESTS=OFF >/dev/null
  cmake --build "$root/build-$v" -j"$(nproc)" >/dev/null  # brought up to date with the sources
done
photo=$(sed -n 1p "$list.all")

for _ in $(seq "$rounds"); do
  for build in build "${variants[@]/#/build-}"; do
    echo "$build.help $(ms "$root/$build/whatcar" --help)" >>"$times"
    echo "$build.photo $(ms "$root/$build/whatcar" -m "$model" "$photo")" >>"$times"
  done
done

printf '%-24s %10s %14s %8s %14s %8s\n' "case (median of $rounds)" "build ms" "no shims ms" "ratio" \
  "no mimalloc ms" "ratio"
for c in help photo; do
  b=$(case_median "$times" "build.$c")
  row=$(printf '%-24s %10s' "$([ $c = help ] && echo "whatcar --help" || echo "whatcar $(basename "$photo")")" "$b")
  for v in "${variants[@]}"; do
    n=$(case_median "$times" "build-$v.$c")
    row+=$(printf ' %14s %8.2f' "$n" "$(ratio "$b" "$n")")
  done
  echo "$row"
done
row=$(printf '%-24s %10s' "shared objects loaded" "$(ldd "$root/build/whatcar" | wc -l)")
for v in "${variants[@]}"; do row+=$(printf ' %14s %8s' "$(ldd "$root/build-$v/whatcar" | wc -l)" ""); done
echo "$row"
