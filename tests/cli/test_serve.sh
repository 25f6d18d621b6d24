#!/usr/bin/env bash
# whatcar serve through the real binary on loopback: every endpoint, every error status,
# hostile clients (huge headers, truncated and slow bodies, hundreds of idle connections,
# too many connections, a full queue) and the SIGTERM drain.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "test_serve.sh: curl is missing (scripts/deps)"; exit 1; }

SPID=""
# start_server ARGS...: starts whatcar serve on a free port; sets SPID, PORT, URL, SERR.
start_server() {
  SERR="$WORK/server.err"
  "$WHATCAR" serve --port 0 -m "$MODEL" --detector "$DETECTOR" "$@" 2>"$SERR" &
  SPID=$!
  PORT=""
  for _ in $(seq 300); do
    PORT=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$SERR")
    [ -n "$PORT" ] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$SERR" >&2; echo "FAIL: the server did not start" >&2; exit 1; }
  URL="http://127.0.0.1:$PORT"
}
# stop_server: SIGTERM; sets SRC to its exit status.
stop_server() {
  kill -TERM "$SPID"
  wait "$SPID"
  SRC=$?
  SPID=""
}
trap '[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT

# req ARGS...: curl; sets OUT (body), CODE (status), HDR (headers file), TIME (seconds).
req() {
  CODE=$(curl -sS -o "$WORK/out" -D "$WORK/hdr" -w '%{http_code} %{time_total}' --max-time 30 "$@" 2>"$WORK/err")
  TIME=${CODE#* }
  CODE=${CODE%% *}
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  RC=$CODE
}
expect_code() { check; [ "$CODE" = "$1" ] || fail "expected HTTP $1, got $CODE"; }
expect_json_error() { expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert '$1' in d['error'], d"; }
expect_header() { check; grep -qi -- "^$1" "$WORK/hdr" || fail "response headers lack: $1"; }

start_server
expect_log() { check; grep -qE -- "$1" "$SERR" || fail "server log lacks: $1"; }

# --- the endpoints ---
req "$URL/healthz"
expect_code 200
expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert d['status']=='ok' and d['classifier']['classes']>0 and d['detector'] and d['workers']>=1, d"

# The raw body answers exactly the record `whatcar --format json` gives for the same file.
"$WHATCAR" -m "$MODEL" --detector "$DETECTOR" -f json "$IMG/scene.jpg" >"$WORK/cli.json"
req --data-binary @"$IMG/scene.jpg" -H 'Content-Type: image/jpeg' "$URL/v1/classify?name=scene.jpg"
expect_code 200
expect_header "Content-Type: application/json"
expect_py "
import json,sys
got=json.load(open(sys.argv[1])); want=json.load(open('$WORK/cli.json'))[0]
want['file']='scene.jpg'
assert got==want, (got, want)"

# A multipart form, as the page and `curl -F` send it; the file name names the record.
req -F "image=@$IMG/scene.png" "$URL/v1/classify?top=2"
expect_code 200
expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert d['file']=='scene.png' and len(d['predictions'])==2, d"
req -F "note=hello" -F "upload=@$IMG/scene.png;filename=mine.png" "$URL/v1/classify"
expect_code 200
expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert d['file']=='mine.png', d"
req --data-binary @"$FIXTURES/formats/scene.heic" "$URL/v1/classify"
expect_code 200
expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert d['file']=='upload' and 'cars' in d, d"

# Per-request options, as on the command line.
req --data-binary @"$IMG/scene.jpg" "$URL/v1/classify?no_detect=1&top=1"
expect_code 200
expect_py "import json,sys; d=json.load(open(sys.argv[1])); c=d['cars']; assert len(c)==1 and c[0]['score'] is None and len(c[0]['predictions'])==1 and c[0]['box'][0]==0, d"

req "$URL/"
expect_code 200
expect_header "Content-Type: text/html"
expect_header "Content-Security-Policy: default-src 'none'"
expect_out 'capture="environment"'
check; ! grep -qiE '(src|href)="(https?:)?//' "$WORK/out" || fail "the page loads something from elsewhere"

# --- every error is JSON with a message and the right status ---
req "$URL/nowhere"
expect_code 404
expect_json_error "no such endpoint"
req "$URL/v1/classify"
expect_code 405
expect_header "Allow: POST"
expect_json_error "POST only"
req -X POST "$URL/healthz"
expect_code 405
req --data-binary 'hello' -H 'Content-Type: text/plain' "$URL/v1/classify"
expect_code 415
expect_json_error "not an image"
req --data-binary '' -H 'Content-Type: application/octet-stream' "$URL/v1/classify"
expect_code 400
expect_json_error "empty body"
req -X POST "$URL/v1/classify"
expect_code 411
expect_json_error "Content-Length"
req --data-binary @"$IMG/scene.jpg" "$URL/healthz"
expect_code 405
req --data-binary @"$IMG/scene.jpg" "$URL/nowhere"
expect_code 404
req --data-binary @"$IMG/scene.jpg" "$URL/v1/classify?top=0"
expect_code 400
expect_json_error "top"
req --data-binary @"$IMG/scene.jpg" "$URL/v1/classify?colour=red"
expect_code 400
expect_json_error "unknown option"
req --data-binary @"$IMG/not_an_image.jpg" "$URL/v1/classify?name=not_an_image.jpg"
expect_code 422
expect_py "import json,sys; d=json.load(open(sys.argv[1])); assert d['file']=='not_an_image.jpg' and d['error'], d"
req -F "note=no file here" "$URL/v1/classify"
expect_code 400
expect_json_error "no file field"
req -H 'Range: bytes=0-1,2-3' "$URL/"
expect_code 416
req --data-binary @"$IMG/bomb_60000x60000.png" "$URL/v1/classify"
expect_code 422
expect_json_error "pixels"

# --- hostile clients: none of them stops a normal request ---
normal_request() {
  req --data-binary @"$IMG/scene.jpg" "$URL/v1/classify"
  expect_code 200
}
# Request headers without an end (cpp-httplib 0.11 would buffer them without bound).
$PY - "$PORT" >"$WORK/hostile" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 20000)
s.settimeout(10)
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
check; grep -q "431" "$WORK/hostile" || fail "endless header line: $(cat "$WORK/hostile")"
# A body shorter than its Content-Length, then the client hangs up.
$PY - "$PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n\xff\xd8\xff")
s.close()
EOF
# Garbage instead of HTTP.
$PY - "$PORT" >"$WORK/hostile" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x00\x01\x02 not http at all\r\n\r\n")
s.settimeout(10)
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
check; grep -q "400" "$WORK/hostile" || fail "garbage request: $(cat "$WORK/hostile")"
normal_request

# Hundreds of idle connections: a real request still gets through at once.
$PY - "$PORT" 300 >"$WORK/idle.out" <<'EOF' &
import socket, sys, time
conns = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
print("open", flush=True)
time.sleep(6)
EOF
IDLE=$!
for _ in $(seq 100); do grep -q open "$WORK/idle.out" && break; sleep 0.1; done
sleep 0.5
normal_request
check; awk -v t="$TIME" 'BEGIN { exit !(t < 3) }' || fail "a request among 300 idle connections took $TIME s"
open_connections() { curl -s "$URL/metrics" | sed -n 's/^whatcar_open_connections //p'; }
for _ in $(seq 50); do [ "$(open_connections)" -gt 300 ] && break; sleep 0.1; done
check; [ "$(open_connections)" -gt 300 ] || fail "metrics count $(open_connections) open connections, not 300 and the scrape's"
wait "$IDLE"

# A slow sender (a byte now and then) is cut off at --timeout, and holds nobody up meanwhile.
stop_server
start_server --timeout 2 -q
$PY - "$PORT" >"$WORK/slow.out" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n")
start = time.time()
s.settimeout(0.5)
reply = b""
while time.time() - start < 8 and not reply:
    try:
        s.sendall(b"x")
        reply = s.recv(500)
    except socket.timeout:
        pass
    except OSError:
        break
print(reply.split(b"\r\n")[0].decode(), round(time.time() - start, 1))
EOF
SLOW=$!
sleep 0.5
normal_request
wait "$SLOW"
check; grep -qE "^HTTP/1.1 400 .* [1-9]\.[0-9]$" "$WORK/slow.out" || fail "slow sender: $(cat "$WORK/slow.out")"
check; ! grep -q "POST" "$SERR" || fail "-q still logged requests: $(cat "$SERR")"
stop_server

# Bodies over --max-body get 413: announced by Content-Length, or sent chunked without one.
start_server --max-body 100K
head -c 300000 /dev/urandom >"$WORK/big.bin"
req --data-binary @"$WORK/big.bin" "$URL/v1/classify"
expect_code 413
expect_json_error "byte limit"
req --data-binary @"$WORK/big.bin" -H 'Transfer-Encoding: chunked' "$URL/v1/classify"
expect_code 413
req --data-binary @"$WORK/big.bin" -H 'Expect: 100-continue' "$URL/v1/classify"
expect_code 413
normal_request
stop_server

# Too many connections: the one past --max-connections gets 503 at once.
start_server --max-connections 2
$PY - "$PORT" >"$WORK/limit.out" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
print(s.recv(300).decode(errors="replace").replace("\r\n", " "))
EOF
check; grep -q "503 Service Unavailable .*Retry-After: 1" "$WORK/limit.out" || fail "connection limit: $(cat "$WORK/limit.out")"
normal_request
req "$URL/metrics"
expect_out "whatcar_connections_refused_total 1"
stop_server

# A full queue: one worker, one waiting photo; a burst of uploads gets 503 with Retry-After for
# some and 200 for the others, never anything else. A 6 MP PNG keeps the worker busy a while.
$PY - "$WORK/large.png" <<'EOF'
import struct, sys, zlib
w, h = 3000, 2000
row = bytes((x * 7 + 13) % 256 for x in range(3 * w))
raw = b"".join(b"\0" + row[y % 97:] + row[:y % 97] for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF
start_server -j 1 --queue 1 -q
BURST=()
for i in $(seq 16); do
  curl -sS --max-time 60 -o /dev/null -D "$WORK/burst-headers.$i" -w '%{http_code}\n' \
    --data-binary @"$WORK/large.png" "$URL/v1/classify" >"$WORK/burst-code.$i" 2>"$WORK/burst-err.$i" &
  BURST+=($!)
done
wait "${BURST[@]}"
cat "$WORK"/burst-code.* | sort | uniq -c >"$WORK/burst"
# What curl and the server said, for a failure's message (status 000 is curl's own error).
burst_said() { echo "$(cat "$WORK/burst"); curl: $(cat "$WORK"/burst-err.* | sort | uniq -c); server: $(tail -n 5 "$SERR")"; }
check; grep -q " 503$" "$WORK/burst" || fail "no 503 under a burst: $(burst_said)"
check; grep -q " 200$" "$WORK/burst" || fail "no 200 under a burst: $(burst_said)"
check; [ "$(grep -cvE ' (200|503)$' "$WORK/burst")" = 0 ] || fail "unexpected statuses: $(burst_said)"
check; grep -l "^HTTP/1.1 503" "$WORK"/burst-headers.* | xargs grep -qi "^Retry-After: 1" || fail "503 without Retry-After"
stop_server
RC=$SRC
expect_rc 0

# --- the metrics and the access log of the first server's requests ---
start_server
normal_request
req "$URL/nowhere"
req "$URL/metrics"
expect_code 200
expect_header "Content-Type: text/plain; version=0.0.4"
expect_out 'whatcar_http_requests_total{endpoint="/v1/classify",code="200"} 1'
expect_out 'whatcar_http_requests_total{endpoint="other",code="404"} 1'
expect_out 'whatcar_classify_duration_seconds_count 1'
expect_out 'whatcar_images_classified_total 1'
expect_out 'whatcar_queue_depth 0'
expect_log '^whatcar: 127\.0\.0\.1 POST /v1/classify 200 [0-9]+ B [0-9.]+ ms$'
expect_log '^whatcar: 127\.0\.0\.1 GET /nowhere 404 '

# --- SIGTERM: the request in flight is answered, then the server exits 0 ---
$PY - "$PORT" "$IMG/scene.jpg" >"$WORK/drain.out" <<'EOF' &
import socket, sys, time
body = open(sys.argv[2], "rb").read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:100])
print("sent", flush=True)
time.sleep(1.0)
s.sendall(body[100:])
s.settimeout(10)
print(s.recv(100).split(b"\r\n")[0].decode(), flush=True)
EOF
DRAIN=$!
for _ in $(seq 100); do grep -q sent "$WORK/drain.out" && break; sleep 0.05; done
stop_server
wait "$DRAIN"
RC=$SRC
expect_rc 0
check; grep -q "^HTTP/1.1 200" "$WORK/drain.out" || fail "the request in flight was not answered: $(cat "$WORK/drain.out")"
expect_log "stopping; finishing the requests in flight"
req "$URL/healthz"
check; [ "$CODE" = "000" ] || fail "still answering after SIGTERM"

# --- a port already taken is a usage error ---
$PY -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(20)" >"$WORK/taken" &
TAKER=$!
for _ in $(seq 50); do [ -s "$WORK/taken" ] && break; sleep 0.1; done
run serve --port "$(cat "$WORK/taken")" -m "$MODEL" --detector "$DETECTOR"
expect_rc 2
expect_err "cannot listen on 127.0.0.1 port"
kill "$TAKER"

finish
