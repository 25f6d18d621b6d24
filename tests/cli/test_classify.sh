#!/usr/bin/env bash
# whatcar IMAGE... / whatcar classify IMAGE...: the default command, its options and stdin.
source "$(dirname "$0")/lib.sh"

run -m "$MODEL" --no-detect "$IMG/scene.png"
expect_rc 0
expect_err_empty
check; [ "$(wc -l <"$WORK/out")" = 6 ] || fail "default top-5 should print 5 lines and the make"
check; [[ "$(tail -1 "$WORK/out")" =~ ^\ \ make:\ [A-Z][a-z]+\ [0-9]+\.[0-9]{2}%$ ]] || fail "the last line names the most probable make"
expect_out "Delta Café 2011"
expect_no_out "scene.png"   # one image: no file header
default_out=$OUT

# --precision bf16: the classifier in bfloat16, so the same answers with slightly other
# probabilities; batch's worker threads run it so too.
run -m "$MODEL" --no-detect -f jsonl "$IMG/scene.png" "$IMG/portrait.png"
cp "$WORK/out" "$WORK/fp32.jsonl"
run -m "$MODEL" --no-detect -f jsonl --precision bf16 "$IMG/scene.png" "$IMG/portrait.png"
expect_rc 0
cp "$WORK/out" "$WORK/bf16.jsonl"
expect_py "
import json, sys
fp32, bf16 = ([json.loads(l)['predictions'] for l in open(f)] for f in ('$WORK/fp32.jsonl', sys.argv[1]))
assert [p[0]['label'] for p in fp32] == [p[0]['label'] for p in bf16]
diffs = [abs(a['probability'] - b['probability']) for x, y in zip(fp32, bf16) for a, b in zip(x, y)]
assert 0 < max(diffs) < 0.05, diffs"
run batch -m "$MODEL" --no-detect -f jsonl -j 2 --precision bf16 "$IMG/scene.png" "$IMG/portrait.png"
expect_rc 0
check; cmp -s "$WORK/out" "$WORK/bf16.jsonl" || fail "batch --precision bf16 must print what classify --precision bf16 prints"
run -m "$MODEL" --no-detect --precision int8 "$IMG/scene.png"
expect_rc 2
expect_err "whatcar: --precision: int8 not in {bf16,fp32}"

run classify -m "$MODEL" --no-detect "$IMG/scene.png"
check; [ "$OUT" = "$default_out" ] || fail "'classify' must equal the default command"

run -m "$MODEL" --no-detect -k 2 "$IMG/scene.png"
check; [ "$(wc -l <"$WORK/out")" = 3 ] || fail "-k 2 should print 2 lines and the make"
run -m "$MODEL" --no-detect --top 1 "$IMG/scene.png"
check; [ "$(wc -l <"$WORK/out")" = 2 ] || fail "--top 1 should print 1 line and the make"
expect_out "  1 "

# Percentages are aligned and sum to 100 over all classes.
run -m "$MODEL" --no-detect -k 5 "$IMG/scene.png"
check; echo "$OUT" | awk '{gsub("%","",$2); s+=$2} END {exit !(s > 99.9 && s < 100.1)}' || fail "percentages should sum to 100"

# Several images: each under its file name.
run -m "$MODEL" --no-detect -k 1 "$IMG/scene.png" "$IMG/portrait.png"
expect_rc 0
expect_out "$IMG/scene.png"
expect_out "$IMG/portrait.png"

# stdin as '-'
STDIN_FILE="$IMG/scene.png" run -m "$MODEL" --no-detect -
expect_rc 0
check; [ "$OUT" = "$default_out" ] || fail "reading stdin must give the same answer"
STDIN_FILE="$IMG/scene.png" run -m "$MODEL" --no-detect -f jsonl -
expect_out '"file":"-"'

# Confidence threshold: the model says 0.3; the override changes the verdict.
run -m "$MODEL" --no-detect "$IMG/scene_gray.jpg"
expect_out "no confident car match"
run -m "$MODEL" --no-detect --min-confidence 0 "$IMG/scene_gray.jpg"
expect_no_out "no confident car match"
run -m "$MODEL" --no-detect --min-confidence 0.99 -f jsonl "$IMG/scene.png"
expect_out '"confident":false'

# Timings on request: stderr for text, inside the record for json.
run -m "$MODEL" --no-detect --timings "$IMG/scene.png"
cores=$(nproc)
expect_err_re "timings: startup [0-9]+ ms \(exec and loading libtorch, before main\), model load [0-9.]+ ms, $cores libtorch threads?$"
run -m "$MODEL" --no-detect --timings -t 1 "$IMG/scene.png"
expect_err_re "model load [0-9.]+ ms, 1 libtorch thread$"
expect_err_re "scene.png: read\+decode\+EXIF [0-9.]+ ms, resize\+normalize [0-9.]+ ms, detect\+crop [0-9.]+ ms, classify [0-9.]+ ms, output [0-9.]+ ms, total [0-9.]+ ms"
run -m "$MODEL" --no-detect --timings -f jsonl "$IMG/scene.png"
expect_py 'import json,sys; t=json.loads(open(sys.argv[1]).read())["timings_ms"]; assert set(t)=={"decode","preprocess","detect","inference","total"} and t["total"]>=t["inference"]'

# Threads are accepted and do not change the answer.
run -m "$MODEL" --no-detect -t 1 "$IMG/scene.png"
check; [ "$OUT" = "$default_out" ] || fail "--threads must not change the answer"

# EXIF: every orientation gives the upright picture's answer.
# (The ranking is compared: JPEG noise moves the probabilities' last digits.)
ranking='import json,sys; print([p["index"] for p in json.loads(open(sys.argv[1]).read())["predictions"]])'
run -m "$MODEL" --no-detect -f jsonl "$IMG/orientation_none.jpg"
upright=$("$PY" -c "$ranking" "$WORK/out")
for o in 1 2 3 4 5 6 7 8; do
  run -m "$MODEL" --no-detect -f jsonl "$IMG/orientation_$o.jpg"
  check; [ "$("$PY" -c "$ranking" "$WORK/out")" = "$upright" ] || fail "orientation $o should classify like the upright picture"
done

# Large JPEGs are decoded at reduced size (DCT scaling) unless --full-decode; the answer holds.
# The tiny model resizes to 36, so a 1200x800 JPEG may be decoded down to 150x100 (1/8).
"$PY" -c "from PIL import Image; Image.open('$IMG/scene.png').resize((1200, 800), Image.BICUBIC).save('$WORK/big.jpg', quality=95)"
run -m "$MODEL" --no-detect --timings -k 1 "$WORK/big.jpg"
expect_rc 0
expect_err_re "big.jpg: read\+decode\+EXIF [0-9.]+ ms \(at 1/8 size\), resize"
run -m "$MODEL" --no-detect --timings --full-decode -k 1 "$WORK/big.jpg"
expect_rc 0
expect_err "big.jpg: read+decode+EXIF"
check; ! grep -q "size)" "$WORK/err" || fail "--full-decode must decode at full size"
run -m "$MODEL" --no-detect -f jsonl "$WORK/big.jpg"
scaled_ranking=$("$PY" -c "$ranking" "$WORK/out")
run -m "$MODEL" --no-detect -f jsonl --full-decode "$WORK/big.jpg"
check; [ "$("$PY" -c "$ranking" "$WORK/out")" = "$scaled_ranking" ] || fail "the reduced-size decode changed the ranking"
run batch -m "$MODEL" --no-detect -f csv -k 1 "$WORK/big.jpg"
expect_rc 0
batch_scaled=$OUT
run batch -m "$MODEL" --no-detect -f csv -k 1 --full-decode "$WORK/big.jpg"
expect_rc 0
check; [ "$(cut -d, -f3 <<<"$OUT")" = "$(cut -d, -f3 <<<"$batch_scaled")" ] || fail "batch: the reduced-size decode changed the top-1"
check; [ "$OUT" != "$batch_scaled" ] || fail "batch --full-decode gave the very same probabilities: was anything scaled?"

finish
