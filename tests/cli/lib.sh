# Helpers for the CLI tests: run the real binary, then assert on stdout, stderr and status.
# Environment (set by CTest): WHATCAR (the binary), FIXTURES (tests/fixtures), SOURCE_DIR.
set -u
: "${WHATCAR:?set WHATCAR to the whatcar binary}" "${FIXTURES:?set FIXTURES to tests/fixtures}"
PY=${PYTHON:-/usr/bin/python3}
MODEL="$FIXTURES/tiny_model.pt"
DETECTOR="$FIXTURES/tiny_detector.pt"
IMG="$FIXTURES/images"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
CHECKS=0

# run ARGS...: runs whatcar; sets OUT, ERR, RC. Stdin comes from $STDIN_FILE when set, else /dev/null.
run() {
  "$WHATCAR" "$@" <"${STDIN_FILE:-/dev/null}" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

fail() {
  FAILURES=$((FAILURES + 1))
  # Report the test script's line, whether fail was called from it or from an expect_ helper.
  local i=1
  while [ "${BASH_SOURCE[i]}" = "${BASH_SOURCE[0]}" ] && [ $((i + 1)) -lt "${#BASH_SOURCE[@]}" ]; do i=$((i + 1)); done
  printf 'FAIL (%s:%s): %s\n  stdout: %s\n  stderr: %s\n  status: %s\n' \
    "$(basename "${BASH_SOURCE[i]}")" "${BASH_LINENO[i - 1]}" "$1" "${OUT:0:2000}" "${ERR:0:2000}" "${RC:-}" >&2
}
check() { CHECKS=$((CHECKS + 1)); }

expect_rc() { check; [ "$RC" = "$1" ] || fail "expected exit status $1"; }
expect_out() { check; grep -qF -- "$1" "$WORK/out" || fail "stdout lacks: $1"; }
expect_no_out() { check; ! grep -qF -- "$1" "$WORK/out" || fail "stdout has: $1"; }
expect_err() { check; grep -qF -- "$1" "$WORK/err" || fail "stderr lacks: $1"; }
expect_err_re() { check; grep -qE -- "$1" "$WORK/err" || fail "stderr does not match: $1"; }
expect_err_empty() { check; [ ! -s "$WORK/err" ] || fail "stderr should be empty"; }
expect_out_empty() { check; [ ! -s "$WORK/out" ] || fail "stdout should be empty"; }
expect_err_lines() { check; [ "$(wc -l <"$WORK/err")" = "$1" ] || fail "expected $1 stderr line(s)"; }
# expect_py CODE: runs Python with the stdout file as sys.argv[1]; it must exit 0.
expect_py() { check; "$PY" -c "$1" "$WORK/out" 2>>"$WORK/err" || fail "python check failed: $1"; }

finish() {
  echo "$(basename "$0"): $CHECKS checks, $FAILURES failed"
  [ "$FAILURES" = 0 ]
}
