#!/usr/bin/env bash
# Each bad input: one line "whatcar: <path>: <reason>", the good images still classified,
# exit 1; usage errors and unusable models: exit 2. Never a crash or a stack trace.
source "$(dirname "$0")/lib.sh"

one_bad() {  # one_bad FILE EXPECTED_REASON
  run -m "$MODEL" --no-detect -k 1 "$1"
  expect_rc 1
  expect_err_lines 1
  expect_err "whatcar: $1: $2"
  expect_out_empty
}
one_bad "$IMG/missing.jpg" "No such file or directory"
one_bad "$IMG" "is a directory"
one_bad "$IMG/empty.jpg" "empty file"
one_bad "$IMG/truncated.jpg" "cannot decode JPEG"
one_bad "$IMG/not_an_image.jpg" "not a supported image format"
one_bad "$IMG/corrupt_header.png" "corrupt PNG header"
one_bad "$IMG/photo.webp" "corrupt WebP header"
one_bad "$IMG/photo.heic" "cannot read HEIF: Invalid input"
one_bad "$IMG/photo.avif" "cannot read HEIF: Invalid input"
one_bad "$IMG/bomb_60000x60000.png" "image is 60000x60000 = 3600.0 megapixels, over the limit of 100.0 (--max-pixels)"
one_bad "$IMG/bomb_60000x60000.gif" "image is 60000x60000"

# Crash reproducers found by fuzzing (tests/fuzz/regressions): refused, never a crash.
one_bad "$FIXTURES/../fuzz/regressions/jpeg_dht_over_256_codes.jpg" "cannot decode JPEG: bad size list"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_dht_after_stray_bytes.jpg" "cannot decode JPEG: bad size list"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_dht_truncated_segment.jpg" "cannot decode JPEG: bad size list"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_dht_truncated_counts.jpg" "cannot decode JPEG: bad size list"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_dht_overflow_4.jpg" "corrupt JPEG header"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_huffman_decode_past_maxcode.jpg" "cannot decode JPEG"  # reason varies: the table is uninitialised memory
one_bad "$FIXTURES/../fuzz/regressions/pnm_header_integer_overflow.ppm" "image has no pixels"
one_bad "$FIXTURES/../fuzz/regressions/zero_size_image.bin" "image has no pixels"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_found_by_low_priority_run.jpg" "cannot decode JPEG"
one_bad "$FIXTURES/../fuzz/regressions/jpeg_huffman_symbol_out_of_range.jpg" "cannot decode JPEG"
run -m "$MODEL" --no-detect -k 1 "$FIXTURES/../fuzz/regressions/pnm_16bit_channel_conversion.pgm"  # a valid 1x1 16-bit PGM
expect_rc 0

unreadable="$WORK/unreadable.jpg"
cp "$IMG/scene.jpg" "$unreadable"
chmod 000 "$unreadable"
if [ "$(id -u)" != 0 ]; then one_bad "$unreadable" "Permission denied"; fi

run -m "$MODEL" --no-detect --max-pixels 1000 -k 1 "$IMG/scene.png"
expect_rc 1
expect_err "over the limit of 0.0 (--max-pixels)"

# Good images around bad ones are still classified, in order.
run -m "$MODEL" --no-detect -k 1 -f jsonl "$IMG/scene.png" "$IMG/empty.jpg" "$IMG/missing.jpg" "$IMG/portrait.png"
expect_rc 1
expect_err_lines 2
expect_py '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [("error" in r) for r in recs] == [False, True, True, False], recs
'
run -q -m "$MODEL" --no-detect -k 1 "$IMG/empty.jpg" "$IMG/scene.png"
expect_rc 1
expect_err_empty

# Usage errors: exit 2 and a pointer to --help.
run
expect_rc 2
run -m "$MODEL" --no-detect
expect_rc 2
expect_err "whatcar:"
run -m "$MODEL" --no-detect -k 0 "$IMG/scene.png"
expect_rc 2
run -m "$MODEL" --no-detect --no-such-flag "$IMG/scene.png"
expect_rc 2
expect_err "--help"
run -m "$MODEL" --no-detect --min-confidence 2 "$IMG/scene.png"
expect_rc 2

# Unusable models: exit 2, one line naming the model file.
bad_model() {  # bad_model FILE EXPECTED_REASON
  run -m "$1" "$IMG/scene.png"
  expect_rc 2
  expect_err_lines 1
  expect_err "whatcar: $1: $2"
  expect_out_empty
}
bad_model "$WORK/none.pt" "model file not found"
bad_model "$IMG/empty.jpg" "model file is empty"
bad_model "$IMG/scene.png" "not a loadable TorchScript model"
bad_model "$IMG" "model path is a directory"
head -c 3000 "$MODEL" >"$WORK/truncated.pt"
bad_model "$WORK/truncated.pt" "not a loadable TorchScript model"

# Writing into a closed pipe ends quietly.
"$WHATCAR" -m "$MODEL" --no-detect "$IMG/scene.png" "$IMG/portrait.png" "$IMG/scene.jpg" 2>"$WORK/pipe_err" | head -1 >/dev/null
check; [ ! -s "$WORK/pipe_err" ] || fail "closed pipe should end quietly, got: $(cat "$WORK/pipe_err")"

# A full disk is reported and fails.
"$WHATCAR" -m "$MODEL" --no-detect -f jsonl "$IMG/scene.png" >/dev/full 2>"$WORK/err"
RC=$?
check; [ "$RC" != 0 ] || fail "writing to /dev/full must fail"
check; grep -q "No space left on device" "$WORK/err" || fail "a write error must be reported"

finish
