#!/usr/bin/env bash
# whatcar batch: inputs (dirs, lists, -0, --files-from, --shard), ordered streaming records,
# atomic -o, summary and exit codes, robustness to bad files, Ctrl-C.
source "$(dirname "$0")/lib.sh"

paths() { "$PY" -c 'import json,sys; [print(json.loads(l)["file"]) for l in open(sys.argv[1])]' "$WORK/out"; }

# A tree: sorted walk, recursion, extension filter (case-insensitive), non-images skipped.
tree="$WORK/tree"
mkdir -p "$tree/b_sub/deeper" "$tree/a_sub"
cp "$IMG/scene.png" "$tree/c.png"
cp "$IMG/scene.jpg" "$tree/A.JPG"
cp "$IMG/portrait.png" "$tree/b_sub/x.png"
cp "$IMG/scene.bmp" "$tree/b_sub/deeper/y.bmp"
cp "$IMG/scene.gif" "$tree/a_sub/z.gif"
echo "notes" >"$tree/readme.txt"

run batch -m "$MODEL" --no-detect -k 1 "$tree"
expect_rc 0
expect_err "whatcar: batch: 5 files, 5 classified, 0 failed"
check; [ "$(paths)" = "$(printf '%s\n' "$tree/A.JPG" "$tree/a_sub/z.gif" "$tree/b_sub/deeper/y.bmp" "$tree/b_sub/x.png" "$tree/c.png")" ] \
  || fail "walk must be sorted and recursive: $(paths)"
expect_py 'import json,sys; [json.loads(l)["predictions"][0]["label"] for l in open(sys.argv[1])]'  # jsonl by default off a terminal

run batch -m "$MODEL" --no-detect -k 1 --no-recursive "$tree"
check; [ "$(paths | wc -l)" = 2 ] || fail "--no-recursive should give the 2 top-level images"
run batch -m "$MODEL" --no-detect -k 1 --ext png,.GIF "$tree"
check; [ "$(paths | wc -l)" = 3 ] || fail "--ext png,.GIF should give 3 images"

# Lists: stdin, NUL-separated, --files-from; list order is kept; named files need no extension.
cp "$IMG/scene.png" "$WORK/no_extension"
printf '%s\n' "$tree/c.png" "$WORK/no_extension" "$tree/A.JPG" >"$WORK/list.txt"
STDIN_FILE="$WORK/list.txt" run batch -m "$MODEL" --no-detect -k 1 -
expect_rc 0
check; [ "$(paths)" = "$(cat "$WORK/list.txt")" ] || fail "a list must keep its order"
printf '%s\0' "$tree/c.png" "$tree/A.JPG" >"$WORK/list0"
STDIN_FILE="$WORK/list0" run batch -m "$MODEL" --no-detect -k 1 -0 -
check; [ "$(paths | wc -l)" = 2 ] || fail "-0 list should give 2 records"
run batch -m "$MODEL" --no-detect -k 1 --files-from "$WORK/list.txt" "$tree/b_sub/x.png"
check; [ "$(paths | head -1)" = "$tree/b_sub/x.png" ] && [ "$(paths | wc -l)" = 4 ] || fail "positional inputs, then --files-from"
run batch -m "$MODEL" --no-detect --files-from "$WORK/missing-list.txt"
expect_rc 2

# Shards partition the inputs.
run batch -m "$MODEL" --no-detect -k 1 "$tree"; all=$(paths | sort)
run batch -m "$MODEL" --no-detect -k 1 --shard 0/2 "$tree"; s0=$(paths)
run batch -m "$MODEL" --no-detect -k 1 --shard 1/2 "$tree"; s1=$(paths)
check; [ "$(printf '%s\n%s\n' "$s0" "$s1" | sort)" = "$all" ] || fail "shards must cover every input exactly once"
check; [ "$(echo "$s0" | wc -l)" = 3 ] || fail "shard 0/2 of 5 inputs has 3"
run batch -m "$MODEL" --no-detect --shard 2/2 "$tree"
expect_rc 2
expect_err "--shard"

# -o: the format follows the extension; the file appears complete or not at all.
run batch -m "$MODEL" --no-detect -k 2 -o "$WORK/results.csv" "$tree"
expect_rc 0
expect_out_empty
check; "$PY" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert len(r)==10' "$WORK/results.csv" || fail "-o results.csv must be CSV with 10 rows"
check; [ -z "$(ls -A "$WORK" | grep partial)" ] || fail "no temporary file may be left"
run batch -m "$MODEL" --no-detect -o "$WORK/no/such/dir/out.jsonl" "$tree"
expect_rc 2
expect_err "cannot create output"

# Symlink loops are reported, not fatal.
mkdir -p "$WORK/loop/sub" && cp "$IMG/scene.png" "$WORK/loop/sub/p.png" && ln -s .. "$WORK/loop/sub/up"
run batch -m "$MODEL" --no-detect -k 1 "$WORK/loop"
expect_rc 1
expect_err "directory loop"
check; [ "$(grep -c '"predictions"' "$WORK/out")" = 1 ] || fail "the image in a looping tree is still classified once"

# Robustness: bad files in the middle of 1,000 good ones.
many="$WORK/many"
mkdir -p "$many"
for i in $(seq -w 1 1000); do ln "$tree/c.png" "$many/img_$i.png"; done
cp "$IMG/corrupt_header.png" "$many/img_0100_corrupt.png"
cp "$IMG/truncated.jpg" "$many/img_0200_truncated.jpg"
cp "$IMG/empty.jpg" "$many/img_0300_empty.jpg"
cp "$IMG/not_an_image.jpg" "$many/img_0400_text.jpg"
cp "$IMG/bomb_60000x60000.png" "$many/img_0500_bomb.png"
run batch -m "$MODEL" --no-detect -k 1 -o "$WORK/many.jsonl" "$many"
expect_rc 1
expect_err "whatcar: batch: 1005 files, 1000 classified, 5 failed"
check; "$PY" - "$WORK/many.jsonl" <<'PYEOF' || fail "every good file must be classified and every bad one reported, in order"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 1005
assert [r["file"] for r in recs] == sorted(r["file"] for r in recs)
bad = [r for r in recs if "error" in r]
assert [r["file"].rsplit("/", 1)[1] for r in bad] == ["img_0100_corrupt.png", "img_0200_truncated.jpg",
    "img_0300_empty.jpg", "img_0400_text.jpg", "img_0500_bomb.png"], bad
assert sum("predictions" in r for r in recs) == 1000
PYEOF

run batch -q -m "$MODEL" --no-detect "$many/img_0300_empty.jpg"
expect_rc 1
expect_err_empty

# Ctrl-C: stops, exit 130, and no output file appears (the input never ends here).
mkfifo "$WORK/fifo"
"$WHATCAR" batch -m "$MODEL" --no-detect - -o "$WORK/interrupted.jsonl" <"$WORK/fifo" >"$WORK/out" 2>"$WORK/err" &
pid=$!
exec 3>"$WORK/fifo"
cat "$WORK/list.txt" >&3
# Interrupt once records are being written (the handler is installed by then; before it, a
# background job of a non-interactive shell ignores SIGINT).
for _ in $(seq 600); do
  [ -s "$(ls "$WORK"/.interrupted.jsonl.partial-* 2>/dev/null | head -1)" ] && break
  sleep 0.1
done
kill -INT $pid
exec 3>&-  # end of input too, so that a run that ignored the signal finishes instead of hanging
wait $pid
RC=$?
ERR=$(cat "$WORK/err")
expect_rc 130
expect_err "interrupted"
check; [ ! -e "$WORK/interrupted.jsonl" ] || fail "an interrupted run must not leave the output file"
check; [ -z "$(ls -A "$WORK" | grep partial)" ] || fail "an interrupted run must not leave a temporary file"

# Workers: however many, whatever batch size, the same answers in input order, with detection.
# (Labels and boxes are compared; another batch size may move a probability's last digit.)
answers() { "$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["file"], [(c["box"], c["predictions"][0]["label"]) for c in r.get("cars", [])])' "$WORK/out"; }
for _ in $(seq 8); do cat "$WORK/list.txt"; done >"$WORK/long.txt"
run batch -m "$MODEL" --detector "$DETECTOR" -t 1 --files-from "$WORK/long.txt"
expect_rc 0
reference=$(answers)
check; [ "$(wc -l <<<"$reference")" = 24 ] && grep -q "Delta" <<<"$reference" || fail "24 answers with cars expected: $reference"
for setting in "-j 1 -b 1" "-j 3 -b 1" "-j 2 -b 8" "-j 4 -b 3"; do
  run batch -m "$MODEL" --detector "$DETECTOR" -t 1 --files-from "$WORK/long.txt" $setting
  expect_rc 0
  check; [ "$(answers)" = "$reference" ] || fail "batch $setting must give the default's answers in input order"
done

run batch -m "$MODEL" --no-detect
expect_rc 2
expect_err "no inputs"

finish
