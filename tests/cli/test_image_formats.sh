#!/usr/bin/env bash
# HEIC, AVIF, WebP, TIFF, JPEG XL and the JPEGs stb_image refuses, through the real binary: the
# same picture in each format gives the PNG's answer (identical where the file is lossless,
# the same top-1 within 0.02 where it is not); their libraries are loaded only when such a file
# is met; without the decoder module, a clear message and the other formats still work.
source "$(dirname "$0")/lib.sh"
FORMATS="$FIXTURES/formats"

answer() {  # answer FILE: "index probability" of the top-1, via json
  "$WHATCAR" -m "$MODEL" --no-detect -k 1 -f json "$1" 2>/dev/null |
    "$PY" -c 'import json, sys; p = json.load(sys.stdin)[0]["predictions"][0]; print(p["index"], p["probability"])'
}
read -r png_top png_p <<<"$(answer "$IMG/scene.png")"
check; [ -n "$png_top" ] || fail "no answer for scene.png"

same_answer() {  # same_answer FILE TOLERANCE
  local top p
  read -r top p <<<"$(answer "$1")"
  check
  if [ "$top" != "$png_top" ] || ! awk -v a="$p" -v b="$png_p" -v t="$2" 'BEGIN { exit !((a - b) ^ 2 <= t * t) }'; then
    fail "$(basename "$1"): top-1 $top at $p, the PNG's $png_top at $png_p (tolerance $2)"
  fi
}
for f in scene.webp scene.avif scene.jxl scene.tiff scene_16bit.tiff scene_alpha.webp scene_animated.webp; do
  same_answer "$FORMATS/$f" 0.000001
done
for f in scene_lossy.webp scene.heic scene_10bit.heic scene_10bit.avif scene_cmyk.tiff scene_cmyk.jpg scene_arithmetic.jpg; do
  same_answer "$FORMATS/$f" 0.02
done

# Orientation: every stored orientation gives the upright 48x32 picture's box and answer.
run -m "$MODEL" --no-detect -k 1 -f jsonl "$FORMATS"/orientation_*.webp "$FORMATS"/orientation_*.tiff \
  "$FORMATS"/orientation_*.heic "$FORMATS"/orientation_*.jxl
expect_rc 0
expect_py '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 32, len(recs)
assert {tuple(r["cars"][0]["box"]) for r in recs} == {(0, 0, 48, 32)}, [r["cars"][0]["box"] for r in recs]
# WebP and TIFF hold the lossless picture: one answer to 6 decimals. HEIC and JPEG XL hold the
# JPEG picture (within its loss): the same top-1, close probabilities.
lossless = [r for r in recs if r["file"].endswith((".webp", ".tiff"))]
assert len({(r["predictions"][0]["index"], round(r["predictions"][0]["probability"], 6)) for r in lossless}) == 1
assert len({r["predictions"][0]["index"] for r in recs}) == 1
p = [r["predictions"][0]["probability"] for r in recs]
assert max(p) - min(p) < 0.02, p
'

# batch walks the new extensions too.
mkdir "$WORK/mixed"
cp "$FORMATS/scene.heic" "$FORMATS/scene.webp" "$FORMATS/scene.avif" "$FORMATS/scene.tiff" "$FORMATS/scene.jxl" "$WORK/mixed/"
run batch -q -m "$MODEL" --no-detect -f jsonl "$WORK/mixed"
expect_rc 0
expect_py 'import sys; assert len(open(sys.argv[1]).read().splitlines()) == 5'

# The decoders' libraries are loaded for such a file only.
check; ! LD_DEBUG=files "$WHATCAR" -m "$MODEL" --no-detect "$IMG/scene.jpg" 2>&1 >/dev/null | grep -q "libheif" ||
  fail "libheif loaded for a JPEG"
check; LD_DEBUG=files "$WHATCAR" -m "$MODEL" --no-detect "$FORMATS/scene.heic" 2>&1 >/dev/null | grep -q "libheif" ||
  fail "libheif not loaded for a HEIC"

# Without the module (a copy of the binary alone): a clear message; JPEG still works.
mkdir "$WORK/alone"
cp "$WHATCAR" "$WORK/alone/whatcar"
WHATCAR="$WORK/alone/whatcar" run -m "$MODEL" --no-detect "$FORMATS/scene.webp" "$IMG/scene.jpg"
expect_rc 1
expect_err "scene.webp: cannot decode WebP: libwhatcar-formats.so not found (looked in $WORK/alone/libwhatcar-formats.so"
expect_out "scene.jpg"

finish
