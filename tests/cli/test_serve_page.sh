#!/usr/bin/env bash
# The page of `whatcar serve` in headless Chromium (Debian's chromium, driven by puppeteer-core
# from npm, cached in ~/.cache/whatcar/node-browser): upload a photo, read the answer off the
# page, and check it is the answer the endpoint gives. The screenshot is kept as
# $WHATCAR_ARTIFACTS/serve_page.png (default: the build's tests/artifacts).
source "$(dirname "$0")/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "test_serve_page.sh: no $CHROMIUM (scripts/deps installs chromium)"; exit 1; }
NODE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/whatcar/node-browser"
if [ ! -d "$NODE_DIR/node_modules/puppeteer-core" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent puppeteer-core@25.16.0) ||
    { echo "test_serve_page.sh: npm could not install puppeteer-core"; exit 1; }
fi
ARTIFACTS=${WHATCAR_ARTIFACTS:-$(dirname "$WHATCAR")/tests/artifacts}
mkdir -p "$ARTIFACTS"

"$WHATCAR" serve --port 0 -m "$MODEL" --detector "$DETECTOR" -q 2>"$WORK/server.err" &
SPID=$!
trap 'kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do
  PORT=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$WORK/server.err")
  [ -n "$PORT" ] && break
  sleep 0.1
done
URL="http://127.0.0.1:$PORT/"

# What the endpoint answers for the photo, to compare with what the page shows.
curl -s --data-binary @"$IMG/scene.jpg" "${URL}v1/classify?top=5&all_cars=1" >"$WORK/api.json"
cp "$IMG/scene.jpg" "$WORK/my car.jpg"
NODE_PATH="$NODE_DIR/node_modules" CHROMIUM="$CHROMIUM" \
  node "$(dirname "$0")/serve_page.cjs" "$URL" "$WORK/my car.jpg" "$ARTIFACTS/serve_page.png" >"$WORK/out" 2>"$WORK/err"
RC=$?
OUT=$(cat "$WORK/out")
ERR=$(cat "$WORK/err")
expect_rc 0
expect_py "
import json, sys
page = json.load(open(sys.argv[1]))
api = json.load(open('$WORK/api.json'))
assert page['state'] == 'done', page
assert page['external'] == [] and page['consoleErrors'] == [], page
assert page['photoShown'] and page['boxes'] == len(api['cars']), page
assert len(page['cars']) == len(api['cars']) and len(api['cars']) > 0, (page, api)
first = api['cars'][0]
assert page['cars'][0].endswith(first['make']['name'] + ' ' + format(100 * first['make']['probability'], '.1f') + '%'), page['cars']
assert page['predictions'][0].startswith(first['predictions'][0]['label']), page['predictions']
assert len(page['predictions']) == sum(len(c['predictions']) for c in api['cars']), page
"
check; [ -s "$ARTIFACTS/serve_page.png" ] || fail "no screenshot"
check; ! grep -q "POST /v1/classify" "$WORK/server.err" || fail "-q logged requests"
finish
