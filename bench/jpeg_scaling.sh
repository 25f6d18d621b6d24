#!/usr/bin/env bash
# What reduced-size JPEG decoding (src/image/jpeg_scaled.h) costs in answers and buys in speed: the
# first N validation images (training/splits/val.txt), upscaled FACTOR times with Pillow
# (bicubic, JPEG quality 90) to stand in for camera photos, go through `whatcar batch` with
# the default decoding and with --full-decode. Prints top-1 accuracy of both against the
# labels, how often their top-1 agrees, the largest top-1 probability difference, and images/s;
# and the accuracy on the original files, for scale.
#   bench/jpeg_scaling.sh [MODEL] [N=300] [FACTOR=6]
# Needs a built tree (scripts/build), python3-pil and the true-colour copies (training/prepare_data.py).
set -euo pipefail
source "$(dirname "$0")/common.sh"
n="${2:-300}"
factor="${3:-6}"
work=$(mktemp -d)
trap 'rm -rf "$work" "$list" "$list.all" "$times"' EXIT

sed -n "1,${n}p" "$root/training/splits/val.txt" | sed 's/\.jpg$//' >"$work/names"  # stems
/usr/bin/python3 - "$images" "$work" "$factor" <<'EOF'
import sys
from PIL import Image
src, work, factor = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f"{work}/names") as names, open(f"{work}/list", "w") as out:
    for name in names.read().split():
        im = Image.open(f"{src}/{name}.png").convert("RGB")
        im.resize((im.width * factor, im.height * factor), Image.BICUBIC).save(f"{work}/{name}.jpg", quality=90)
        out.write(f"{work}/{name}.jpg\n")
EOF
mp=$(/usr/bin/python3 -c "
from PIL import Image; import sys
s=[Image.open(p.strip()).size for p in open('$work/list')]; print('%.1f' % (sum(w*h for w,h in s)/len(s)/1e6))")

# keep FILE COMMAND...: COMMAND's stdout, also saved to FILE (rate discards what it times).
keep() { local file=$1; shift; "$@" | tee "$file"; }
batch=("$root/build/whatcar" batch -m "$model" --no-detect -f csv -k 1 -q --files-from "$work/list")
scaled_rate=$(rate "$n" keep "$work/scaled.csv" "${batch[@]}")
full_rate=$(rate "$n" keep "$work/full.csv" "${batch[@]}" --full-decode)
sed "s|^\(.*\)$|$images/\1.png|" "$work/names" >"$work/originals"
"$root/build/whatcar" batch -m "$model" --no-detect -f csv -k 1 -q --files-from "$work/originals" >"$work/originals.csv"
/usr/bin/python3 - "$images/../labels.csv" "$work/scaled.csv" "$work/full.csv" \
  "$scaled_rate" "$full_rate" "$n" "$factor" "$mp" "$work/originals.csv" <<'EOF'
import csv, os, sys
labels_csv, scaled_csv, full_csv, scaled_rate, full_rate, n, factor, mp, originals_csv = sys.argv[1:]
stem = lambda path: os.path.splitext(os.path.basename(path))[0]
truth = {stem(r["file"]): int(r["class_index"]) for r in csv.DictReader(open(labels_csv))}
def read(path):
    return {stem(r["file"]): r for r in csv.DictReader(open(path))}
scaled, full = read(scaled_csv), read(full_csv)
assert len(scaled) == len(full) == int(n), (len(scaled), len(full), n)
acc = lambda rows: sum(int(r["index"]) == truth[f] for f, r in rows.items()) / len(rows)
agree = sum(scaled[f]["index"] == full[f]["index"] for f in full) / len(full)
dp = max(abs(float(scaled[f]["probability"]) - float(full[f]["probability"])) for f in full)
print(f"{n} validation images upscaled {factor}x (mean {mp} MP), JPEG quality 90")
print(f"{'decoding':<34} {'top-1':>8} {'images/s':>10}")
print(f"{'default (reduced size)':<34} {acc(scaled):>8.2%} {float(scaled_rate):>10.1f}")
print(f"{'--full-decode':<34} {acc(full):>8.2%} {float(full_rate):>10.1f}")
print(f"{'the original files (not upscaled)':<34} {acc(read(originals_csv)):>8.2%} {'':>10}")
print(f"top-1 agreement {agree:.2%}, largest top-1 probability difference {dp:.4f}, "
      f"speed ratio {float(scaled_rate) / float(full_rate):.2f}")
EOF
