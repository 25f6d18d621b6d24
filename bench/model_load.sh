#!/usr/bin/env bash
# What the lite interpreter buys a cold start (docs/startup.md): the first model load and the
# first forward pass of a fresh process, through torch::jit::load (which compiles the model's
# TorchScript source) and through the lite interpreter whatcar uses (which reads the saved
# bytecode), interleaved ROUNDS times; the table shows medians and the ratio.
#   bench/model_load.sh [MODEL] [ROUNDS=9]
# Needs a built tree (scripts/build).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-9}"
for _ in $(seq "$rounds"); do
  for how in jit lite; do echo "$how $("$root/build/bench/model_load" "$model" "$how")" >>"$times"; done
done
printf '%-22s %14s %14s %8s\n' "median of $rounds" "jit::load ms" "lite ms" "ratio"
for field in 2 3; do
  j=$(case_median "$times" jit "$field")
  l=$(case_median "$times" lite "$field")
  printf '%-22s %14s %14s %8.2f\n' "$([ $field = 2 ] && echo "first model load" || echo "first forward pass")" \
    "$j" "$l" "$(ratio "$l" "$j")"
done
