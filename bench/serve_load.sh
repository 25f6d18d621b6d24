#!/usr/bin/env bash
# Load on `whatcar serve` over loopback with wrk (Debian's wrk): requests/s and p50/p99 latency
# at 1, 4 and 16 concurrent clients posting the shared photos, against `whatcar batch` on the
# same photos in the same run; any non-2xx answer or socket error fails the bench. Then the
# server's memory over MEMORY_REQUESTS requests (RSS sampled as they go): it must stay flat.
#   bench/serve_load.sh [MODEL] [SECONDS=20] [N_PHOTOS=200] [MEMORY_REQUESTS=10000]
# Needs a built tree (scripts/build), wrk and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
seconds="${2:-20}"
n="${3:-200}"
memory_requests="${4:-10000}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
image_list "$n"
count=$(wc -l <"$list")
log=$(mktemp)
trap 'rm -f "$list" "$list.all" "$times" "$log"; [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null' EXIT

# serve ARGS...: starts the server; sets spid and url.
serve() {
  "$root/build/whatcar" serve --port 0 -q "$@" 2>"$log" &
  spid=$!
  url=""
  for _ in $(seq 600); do
    url=$(sed -n 's|.*serving \(http://[^ ]*/\).*|\1|p' "$log")
    [ -n "$url" ] && return
    sleep 0.1
  done
  echo "bench: the server did not start: $(cat "$log")" >&2
  exit 1
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$spid/status"; }

ours=$(rate "$count" "$root/build/whatcar" batch -q -m "$model" --detector "$detector" --files-from "$list")
serve -m "$model" --detector "$detector"
printf '%-8s %10s %10s %10s %8s %16s\n' "clients" "req/s" "p50 ms" "p99 ms" "errors" "serve/batch"
for clients in 1 4 16; do
  read -r rps p50 p99 status_errors socket_errors < <(SERVE_LOAD_LIST="$list" wrk -t 1 -c "$clients" -d "${seconds}s" \
    --timeout 30s -s "$root/bench/serve_load.lua" "${url}v1/classify" | awk '$1 == "RESULT" { print $2, $3, $4, $5, $6 }')
  printf '%-8s %10s %10s %10s %8s %16s\n' "$clients" "$rps" "$p50" "$p99" "$((status_errors + socket_errors))" \
    "$(awk -v a="$rps" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')"
  [ "$((status_errors + socket_errors))" = 0 ] || { echo "bench: errors under load" >&2; exit 1; }
done
echo "(whatcar batch: $ours images/s over the same $count photos from $images; $(nproc) cores; ${seconds} s per row)"
kill "$spid"
wait "$spid" || true

# Memory over many requests, on the fixture models so that it takes a minute, not an hour: the
# networks' own memory is the same for every request; what could grow is the server's.
serve -m "$root/tests/fixtures/tiny_model.pt" --detector "$root/tests/fixtures/tiny_detector.pt"
photo=$(head -n 1 "$list")
samples=()
done_requests=0
step=$((memory_requests / 5))
while [ "$done_requests" -lt "$memory_requests" ]; do
  seq "$step" | xargs -P 4 -I{} curl -s -o /dev/null -f --data-binary @"$photo" "${url}v1/classify" ||
    { echo "bench: a request failed" >&2; exit 1; }
  done_requests=$((done_requests + step))
  samples+=("$done_requests:$(rss_kb)")
done
echo "server RSS (KiB) after N requests: ${samples[*]}"
first=${samples[0]#*:}
last=${samples[-1]#*:}
awk -v a="$first" -v b="$last" 'BEGIN { printf "growth from the first sample to the last: %.1f%%\n", 100 * (b - a) / a }'
