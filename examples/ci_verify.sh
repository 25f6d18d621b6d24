#!/usr/bin/env bash
# A CI step: install whatcar's dependencies, build, and prove that binary, libtorch and the
# bundled model still agree. Fails the job (non-zero exit) if any check fails.
#   examples/ci_verify.sh [GOLDEN.csv]   (optional CSV of path,expected_label of your own photos)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build" >/dev/null
"$root/build/whatcar" verify ${1:+--golden "$1"}
