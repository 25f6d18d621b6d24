# Shared by the bench scripts: the repository root, the classifier (first argument, default the
# bundled one), the detector ($WHATCAR_BENCH_DETECTOR, default the bundled one), and a list of
# the first N shared images; $times, the log of the interleaved benches.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/whatcar-cars.pt}"
detector="${WHATCAR_BENCH_DETECTOR:-$root/models/whatcar-detector.pt}"
# The true-colour copies training/prepare_data.py writes (the shared crops are stored red-blue swapped).
images="${WHATCAR_BENCH_IMAGES:-${WHATCAR_DATA:-$HOME/.cache/whatcar/stanford-cars-rgb}/images}"
list=$(mktemp)
# One "case value..." line per run, for case_median.
times=$(mktemp)
trap 'rm -f "$list" "$list.all" "$times"' EXIT
find "$images" -name "*.png" -o -name "*.jpg" | sort >"$list.all"

# image_list N: $list holds N image paths, repeating the shared images when N is larger.
image_list() {
  : >"$list"
  while [ "$(wc -l <"$list")" -lt "$1" ]; do cat "$list.all" >>"$list"; done
  sed -n "1,$1p" "$list" >"$list.n" && mv "$list.n" "$list"
}

# median: the median of the numbers on stdin, one per line.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# case_median FILE NAME [FIELD=2]: the median of column FIELD over the lines of FILE whose
# first word is NAME (the benches log one "case value..." line per run).
case_median() { awk -v n="$2" -v f="${3:-2}" '$1 == n { print $f }' "$1" | median; }

# ratio A B: A / B.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

# rate N COMMAND...: images/s of COMMAND over N images, timed as a whole process. Its stdout is
# discarded but must not be empty: a command that did nothing does not get a rate.
rate() {
  local n=$1 start out
  shift
  start=$(date +%s.%N)
  out=$("$@" | tail -n 1)
  [ -n "$out" ] || { echo "bench: $1 printed nothing" >&2; exit 1; }
  awk -v n="$n" -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", n / (b - a) }'
}

# ms COMMAND...: wall milliseconds of COMMAND as a whole process (output discarded, failure fatal).
ms() {
  local start
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  echo $((($(date +%s%N) - start) / 1000000))
}
