#!/usr/bin/env bash
# --format json|jsonl|csv|tsv: valid for parsers, escaped, locale-independent, errors in records.
source "$(dirname "$0")/lib.sh"

inputs=("$IMG/scene.png" "$IMG/empty.jpg" "$IMG/portrait.png")

run -m "$MODEL" --no-detect -f json -k 3 "${inputs[@]}"
expect_rc 1
expect_py '
import json, sys
doc = json.load(open(sys.argv[1]))
assert [r["file"].rsplit("/", 1)[1] for r in doc] == ["scene.png", "empty.jpg", "portrait.png"], doc
assert doc[1]["error"] == "empty file" and "predictions" not in doc[1]
for r in (doc[0], doc[2]):
    assert len(r["predictions"]) == 3 and [p["rank"] for p in r["predictions"]] == [1, 2, 3]
    assert all(0 <= p["probability"] <= 1 for p in r["predictions"])
    # --no-detect semantics without a detector: one car, the whole image, its list the main list.
    assert len(r["cars"]) == 1 and r["cars"][0]["predictions"] == r["predictions"], r
    car = r["cars"][0]
    assert car["score"] is None and car["confident"] in (True, False)
    assert car["make"]["probability"] >= r["predictions"][0]["probability"] - 1e-6, car["make"]
assert doc[0]["cars"][0]["box"] == [0, 0, 120, 80] and doc[2]["cars"][0]["box"] == [0, 0, 60, 150]
labels = {p["label"] for r in (doc[0], doc[2]) for p in r["predictions"]}
assert "Delta Café 2011" in labels, labels
'

run -m "$MODEL" --no-detect -f jsonl -k 5 "${inputs[@]}"
expect_py '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3
recs = [json.loads(l) for l in lines]
labels = {p["label"] for p in recs[0]["predictions"]}
assert {"Beta \"Quoted\" Sedan, 2010", "Gamma\tTabbed Wagon 2009", "Epsilon Back\\slash 2008"} <= labels, labels
# The label parts come from the model (training/labels.py split them at export).
parts = {p["label"]: (p["make"], p["model"], p["body"], p["year"]) for p in recs[0]["predictions"]}
assert parts["Alpha Coupe 2012"] == ("Alpha", "", "Coupe", "2012"), parts
assert parts["Gamma\tTabbed Wagon 2009"] == ("Gamma", "Tabbed", "Wagon", "2009"), parts
'

run -m "$MODEL" --no-detect -f csv -k 5 "${inputs[@]}"
expect_py '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 11, len(rows)
assert rows[5]["error"] == "empty file" and rows[5]["rank"] == "" and rows[5]["car"] == ""
assert {r["car"] for r in rows if not r["error"]} == {"1"}
assert [r["x2"] for r in rows[:5]] == ["120.00"] * 5
assert "Beta \"Quoted\" Sedan, 2010" in {r["label"] for r in rows}
assert abs(sum(float(r["probability"]) for r in rows[:5]) - 1) < 1e-5
'

run -m "$MODEL" --no-detect -f tsv -k 5 "$IMG/scene.png"
expect_py '
import sys
rows = [l.split("\t") for l in open(sys.argv[1], encoding="utf-8").read().splitlines()]
assert rows[0][:2] == ["file", "car"] and rows[0][10:12] == ["rank", "label"] and len(rows[0]) == 19, rows[0]
assert all(len(r) == 19 for r in rows), "a tab inside a label must be escaped"
assert "Gamma\\tTabbed Wagon 2009" in {r[11] for r in rows}
'

# A file name with a comma, quotes and a newline survives every machine format.
odd="$WORK/odd, \"name\"
two.png"
cp "$IMG/scene.png" "$odd"
run -m "$MODEL" --no-detect -f jsonl "$odd"
expect_py 'import json,sys; assert json.loads(open(sys.argv[1]).read())["file"].endswith("odd, \"name\"\ntwo.png")'
run -m "$MODEL" --no-detect -f csv "$odd"
expect_py 'import csv,sys; assert list(csv.DictReader(open(sys.argv[1], newline="")))[0]["file"].endswith("odd, \"name\"\ntwo.png")'

# Numbers use "." whatever the locale (checked under the decimal-comma locales installed here).
for loc in $(locale -a 2>/dev/null | grep -iE '^(de_DE|fr_FR)\.utf-?8$'); do
  LC_ALL=$loc LANG=$loc run -m "$MODEL" --no-detect -f csv -k 1 "$IMG/scene.png"
  expect_py 'import csv,sys; float(list(csv.DictReader(open(sys.argv[1])))[0]["probability"])'
  LC_ALL=$loc run -m "$MODEL" --no-detect -k 1 "$IMG/scene.png"
  check; [[ "$OUT" =~ [0-9]+\.[0-9]{2}% ]] || fail "text percentages must use '.' under $loc"
done

run -m "$MODEL" --no-detect -f xml "$IMG/scene.png"
expect_rc 2
expect_err "--format"

finish
