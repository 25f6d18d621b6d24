#!/usr/bin/env bash
# Inputs that real machines hold and that must never hang whatcar or take its memory: endless
# devices, huge files, FIFOs in walked folders and on the command line, signals during a read.
# Each answer must come fast (wall time bounded) and in bounded memory (max RSS from /usr/bin/time).
source "$(dirname "$0")/lib.sh"

# timed ARGS...: like run, under /usr/bin/time; sets SECONDS_TAKEN and RSS_MB.
timed() {
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" timeout -k 5 20 "$WHATCAR" "$@" <"${STDIN_FILE:-/dev/null}" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  end=$(date +%s%N)
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  SECONDS_TAKEN=$(( (end - start) / 1000000 ))
  RSS_MB=$(( $(tail -n 1 "$WORK/rss") / 1024 ))
}
expect_faster_than() { check; [ "$SECONDS_TAKEN" -lt "$1" ] || fail "took ${SECONDS_TAKEN} ms, limit $1 ms"; }

# What whatcar takes for one small photo: the reference for the memory bounds below.
timed -m "$MODEL" --no-detect "$IMG/scene.jpg"
expect_rc 0
BASE_MB=$RSS_MB
# AddressSanitizer keeps freed buffers in quarantine and adds shadow memory: a stream read in
# growing buffers costs about twice its size there (measured: +72 MB for a 17 MB stream).
SLACK=1
[ "${WHATCAR_ALLOCATOR:-}" = libasan.so ] && SLACK=3
expect_rss_within() {
  check
  [ "$RSS_MB" -le $((BASE_MB + $1 * SLACK)) ] || fail "max RSS ${RSS_MB} MB, over ${BASE_MB} + $1 x $SLACK MB"
}

# Endless devices, as a file and as stdin: refused from the first bytes.
timed -m "$MODEL" --no-detect /dev/zero
expect_rc 1
expect_err "whatcar: /dev/zero: not a supported image format"
expect_faster_than 3000
expect_rss_within 20
STDIN_FILE=/dev/zero timed -m "$MODEL" --no-detect -
expect_rc 1
expect_err "whatcar: -: not a supported image format"
expect_faster_than 3000
expect_rss_within 20

# Large files, created sparse so that they cost no disk.
truncate -s 300M "$WORK/big.jpg"
timed -m "$MODEL" --no-detect "$WORK/big.jpg"
expect_rc 1
expect_err "big.jpg: file is 314.6 MB, over the limit of 268.4 MB (--max-bytes)"
expect_faster_than 3000
expect_rss_within 20
truncate -s 200M "$WORK/zeros.png"
timed -m "$MODEL" --no-detect "$WORK/zeros.png"
expect_rc 1
expect_err "zeros.png: not a supported image format"
expect_faster_than 3000
expect_rss_within 20
# A real header with a huge tail: no more is read than the header's size can justify.
cp "$IMG/scene.jpg" "$WORK/tail.jpg"
truncate -s 200M "$WORK/tail.jpg"
timed -m "$MODEL" --no-detect "$WORK/tail.jpg"
expect_rc 1
expect_err "tail.jpg: file is 209.7 MB, more than 16.9 MB (what a 120x80 JPEG can hold)"
expect_faster_than 3000
expect_rss_within 20
# The same as an endless stream: read up to that bound, then refused.
mkfifo "$WORK/endless"
{ cat "$IMG/scene.jpg"; cat /dev/zero; } >"$WORK/endless" 2>/dev/null &
timed -m "$MODEL" --no-detect "$WORK/endless"
expect_rc 1
expect_err "endless: input goes on past 16.9 MB (what a 120x80 JPEG can hold)"
expect_faster_than 5000
expect_rss_within 60
wait
# --max-bytes takes sizes with units.
run -m "$MODEL" --no-detect --max-bytes 1K "$IMG/scene.png"
expect_rc 1
expect_err "over the limit of 0.0 MB (--max-bytes)"
run -m "$MODEL" --no-detect --max-bytes 1M "$IMG/scene.png"
expect_rc 0

# A FIFO in a walked folder is reported and never opened; the photos beside it are answered.
mkdir "$WORK/folder"
cp "$IMG/scene.jpg" "$WORK/folder/a.jpg"
mkfifo "$WORK/folder/b.jpg"
timed batch -q -m "$MODEL" --no-detect -f jsonl "$WORK/folder"
expect_rc 1
expect_out '"file":"'"$WORK/folder/a.jpg"'"'
expect_out '"error":"not a regular file, skipped"'
expect_faster_than 10000
run batch -m "$MODEL" --no-detect -f jsonl "$WORK/folder"
expect_err "whatcar: $WORK/folder/b.jpg: not a regular file, skipped"

# Given explicitly, a FIFO is read: its writer may come later.
mkfifo "$WORK/later.jpg"
(sleep 1; cat "$IMG/scene.jpg" >"$WORK/later.jpg") &
timed -m "$MODEL" --no-detect -f json "$WORK/later.jpg"
expect_rc 0
expect_out '"predictions":[{"rank":1'
wait
# Process substitution: a pipe under /dev/fd.
run -m "$MODEL" --no-detect -f json <(cat "$IMG/scene.png")
expect_rc 0
expect_out '"predictions":[{"rank":1'

# Signals while a read waits for a writer that never comes: one signal ends whatcar within a
# second (timeout sends it after 2 s; -k would kill a hang at 7 s), with 128 + the signal's number.
mkfifo "$WORK/never.jpg"
timed_signal() {  # timed_signal SIGNAL ARGS...
  local sig=$1 start end
  shift
  start=$(date +%s%N)
  timeout --preserve-status -s "$sig" -k 5 2 "$WHATCAR" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  RC=$?
  end=$(date +%s%N)
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  SECONDS_TAKEN=$(( (end - start) / 1000000 - 2000 ))  # from the signal on
}
timed_signal TERM -m "$MODEL" --no-detect "$WORK/never.jpg"
expect_rc 143
expect_faster_than 1000
timed_signal INT -m "$MODEL" --no-detect "$WORK/never.jpg"
expect_rc 130
expect_faster_than 1000
# batch writing to a file: nothing is left behind, neither the output nor its temporary file.
timed_signal TERM batch -m "$MODEL" --no-detect -o "$WORK/results.jsonl" "$IMG/scene.jpg" "$WORK/never.jpg"
expect_rc 143
expect_faster_than 1000
# Wound down in order ("batch: interrupted after N files"), or, where the signal came during a
# forward pass or the model's load (slow under the sanitizers), ended by the watchdog.
expect_err_re "whatcar: (batch: )?interrupted"
check; [ -z "$(ls -A "$WORK" | grep results)" ] || fail "partial output left: $(ls -A "$WORK")"

finish
