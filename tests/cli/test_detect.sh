#!/usr/bin/env bash
# Detect, then classify, through the real binary: the main car, --all-cars, --no-detect,
# --min-score, --min-box-area, "no car found" as an answer, the same facts in every format, batch, verify of the
# detector, and hostile photos through the bundled detector.
source "$(dirname "$0")/lib.sh"

# A black photo, and the fixture scene (tests/fixtures/make_tiny_detector.py finds a "truck" in
# its red patch and a "car" in its white one).
"$PY" -c '
import sys
from PIL import Image
Image.new("RGB", (90, 60)).save(sys.argv[1] + "/black.png")
Image.new("RGB", (1, 1), (255, 255, 255)).save(sys.argv[1] + "/one_pixel.png")
Image.new("RGB", (20000, 20), (200, 40, 40)).save(sys.argv[1] + "/strip.png")
' "$WORK"
models=(-m "$MODEL" --detector "$DETECTOR")

# No car: an answer, not an error.
run "${models[@]}" "$WORK/black.png"
expect_rc 0
expect_out "no car found"
expect_err_empty
run "${models[@]}" -f jsonl "$WORK/black.png"
expect_rc 0
expect_py 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cars"] == [] and r["predictions"] == [], r'

# The main car: the largest box, with its detector score, in the photo's pixels.
run "${models[@]}" -k 2 -f jsonl "$IMG/scene.png"
expect_rc 0
expect_py '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["cars"]) == 1, r
car = r["cars"][0]
assert car["score"] == 0.8, car
x1, y1, x2, y2 = car["box"]
assert 60 <= x1 <= 75 and y1 == 0 and x2 == 120 and 25 <= y2 <= 35, car["box"]
assert r["predictions"] == car["predictions"] and len(car["predictions"]) == 2
'
run "${models[@]}" -k 1 "$IMG/scene.png"
expect_out "car 1 at ["
expect_out "detector score 0.80"

# --all-cars: every car, the main one first; csv has one row per car and rank.
run "${models[@]}" --all-cars -k 2 -f jsonl "$IMG/scene.png"
expect_py '
import json, sys
r = json.load(open(sys.argv[1]))
assert [c["score"] for c in r["cars"]] == [0.8, 0.9], r
area = lambda b: (b[2] - b[0]) * (b[3] - b[1])
assert area(r["cars"][0]["box"]) > area(r["cars"][1]["box"])
'
run "${models[@]}" --all-cars -k 2 -f csv "$IMG/scene.png"
expect_py '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [(r["car"], r["rank"]) for r in rows] == [("1", "1"), ("1", "2"), ("2", "1"), ("2", "2")], rows
assert float(rows[0]["score"]) == 0.8 and float(rows[2]["score"]) == 0.9, rows
'
run "${models[@]}" --all-cars -k 1 "$IMG/scene.png"
expect_out "car 2 at ["

# --min-score: the red "truck" (0.8) is not a car at 0.85.
run "${models[@]}" --all-cars --min-score 0.85 -f jsonl "$IMG/scene.png"
expect_py 'import json,sys; r=json.load(open(sys.argv[1])); assert [c["score"] for c in r["cars"]] == [0.9], r'
run "${models[@]}" --min-score 1.5 "$IMG/scene.png"
expect_rc 2

# --min-box-area: boxes covering less of the photo are not cars (the fixture detector says 0).
run "${models[@]}" --all-cars -f jsonl "$IMG/scene.png"
shares=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(*[(c["box"][2]-c["box"][0])*(c["box"][3]-c["box"][1])/9600 for c in r["cars"]])' "$WORK/out")
read -r large small <<<"$shares"
between=$(awk -v a="$large" -v b="$small" 'BEGIN { print (a + b) / 2 }')
run "${models[@]}" --all-cars --min-box-area "$between" -f jsonl "$IMG/scene.png"
expect_py 'import json,sys; r=json.load(open(sys.argv[1])); assert [c["score"] for c in r["cars"]] == [0.8], r'
run "${models[@]}" --min-box-area 1 -f jsonl "$IMG/scene.png"
expect_rc 0
expect_py 'import json,sys; r=json.load(open(sys.argv[1])); assert r["cars"] == [], r'

# --no-detect: the whole image is the one car, and no detector is needed.
run -m "$MODEL" --detector "$WORK/none.pt" --no-detect -f jsonl "$IMG/scene.png"
expect_rc 0
expect_py 'import json,sys; c=json.load(open(sys.argv[1]))["cars"]; assert len(c)==1 and c[0]["box"]==[0,0,120,80] and c[0]["score"] is None, c'

# The crop margin changes what the classifier sees, not the box.
run "${models[@]}" --crop-margin 0 -f jsonl "$IMG/scene.png"
box0=$(cat "$WORK/out")
run "${models[@]}" --crop-margin 0.5 -f jsonl "$IMG/scene.png"
check; [ "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["cars"][0]["box"])' "$box0")" = \
         "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["cars"][0]["box"])' "$WORK/out")" ] ||
  fail "the box moved with the crop margin"

# batch: detection inside the pipeline, every record shaped the same; no car is not a failure.
mkdir "$WORK/dir"
cp "$IMG/scene.png" "$IMG/portrait.png" "$WORK/black.png" "$WORK/dir/"
run batch "${models[@]}" --all-cars -f jsonl "$WORK/dir"
expect_rc 0
expect_py '
import json, sys
recs = {r["file"].rsplit("/", 1)[1]: r for r in map(json.loads, open(sys.argv[1]))}
assert recs["black.png"]["cars"] == [], recs["black.png"]
assert len(recs["scene.png"]["cars"]) == 2 and len(recs["portrait.png"]["cars"]) == 2
'

# verify checks the detector beside the classifier; --no-detect leaves it out.
run verify "${models[@]}" --images "$IMG"
expect_out "PASS  detector integrity"
expect_out "PASS  detector probes"
run verify -m "$MODEL" --detector "$MODEL" --images "$IMG"
expect_rc 1
expect_out "FAIL  detector"
expect_out "not a whatcar detector"
run verify -m "$MODEL" --no-detect --images "$IMG"
expect_no_out "detector"

# Hostile photos through the bundled detector and classifier: a clear answer, never a crash.
if [ -f "$SOURCE_DIR/models/whatcar-detector.pt" ]; then
  for photo in one_pixel.png strip.png black.png; do
    run -f jsonl "$WORK/$photo"
    expect_rc 0
    expect_py 'import json,sys; r=json.load(open(sys.argv[1])); assert "cars" in r and "error" not in r, r'
  done
fi

finish
