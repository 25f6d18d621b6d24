#!/usr/bin/env bash
# One photo from a cold process: wall time (process start to exit) and peak memory of
# `whatcar PHOTO` (detect, crop, classify) against the Python way doing the same job
# (bench/python_single.py --detector, the same two models), for a small photo from the
# shared set and a 12 MP JPEG made by upscaling it. Both run on the same 2 cores, interleaved,
# ROUNDS times; the table shows medians. Two floors are measured alongside: `whatcar --help`
# (exec + loading libtorch's shared libraries, no model) and `python3 -c "import torch"`.
#   bench/cold_single.sh [MODEL] [ROUNDS=5]
# Needs a built tree (scripts/build), python3-torch, python3-pil, /usr/bin/time and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
rounds="${2:-5}"
work=$(mktemp -d)
trap 'rm -rf "$work" "$list" "$list.all" "$times"' EXIT

small="$work/small.jpg"
large="$work/large_12mp.jpg"
/usr/bin/python3 - "$(sed -n 1p "$list.all")" "$small" "$large" <<'EOF'
import sys
from PIL import Image
src, small, large = sys.argv[1:]
im = Image.open(src).convert("RGB")
im.save(small, quality=90)
im.resize((4000, 3000), Image.BICUBIC).save(large, quality=90)
EOF

# run NAME COMMAND...: appends "NAME ms KB" to $work/times (output discarded, failure fatal).
run() {
  local name=$1 start end
  shift
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>&1 || { echo "bench: $name failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  echo "$name $(((end - start) / 1000000)) $(cat "$work/rss")" >>"$work/times"
}

whatcar=("$root/build/whatcar" -m "$model" --detector "$detector")
python=(/usr/bin/python3 "$root/bench/python_single.py" "$model" --detector "$detector")
for _ in $(seq "$rounds"); do
  run whatcar_small "${whatcar[@]}" "$small"
  run python_small "${python[@]}" "$small"
  run whatcar_large "${whatcar[@]}" "$large"
  run python_large "${python[@]}" "$large"
  run whatcar_floor "$root/build/whatcar" --help
  run python_floor /usr/bin/python3 -c "import torch"
done

row() {  # row LABEL KEY
  local w p
  w=$(case_median "$work/times" "whatcar_$2")
  p=$(case_median "$work/times" "python_$2")
  printf '%-34s %10s %10s %8.2f %12.0f %12.0f\n' "$1" "$w" "$p" "$(ratio "$w" "$p")" \
    "$(ratio "$(case_median "$work/times" "whatcar_$2" 3)" 1024)" \
    "$(ratio "$(case_median "$work/times" "python_$2" 3)" 1024)"
}
printf '%-34s %10s %10s %8s %12s %12s\n' "case (median of $rounds)" "whatcar ms" "python ms" "ratio" \
  "whatcar MB" "python MB"
row "small photo ($(/usr/bin/python3 -c "from PIL import Image; print('%dx%d' % Image.open('$small').size)"))" small
row "12 MP JPEG (4000x3000)" large
row "floor: --help / import torch" floor
