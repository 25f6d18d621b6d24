"""Check that the shared crops are stored red-blue swapped, against the true-colour full frames.

    /usr/bin/python3 training/colour_check.py [--sample N]

The full-frame folder holds the same photos uncropped, in true colour, with the official box.
For each photo, the shared crop (resized to the box's size in the full frame) is compared with
the full frame cropped to that box, once as stored and once with channels 0 and 2 swapped.
The swapped crop must be the closer one for nearly every photo; the test suite runs this
(tests/CMakeLists.txt) whenever ../shared is there. Exit status 1 when it fails.
"""
import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402

# Damaged frames named in the full-frame README.
DAMAGED = {"02865.jpg", "05061.jpg"}
# A grey photo looks the same either way round; below this mean channel spread it decides nothing.
MIN_CHROMA = 4.0
# Share of decidable photos where the swapped crop must win.
REQUIRED = 0.97


def _read_boxes(fullframe):
    with open(fullframe / "boxes.csv", newline="") as f:
        boxes = {r["file"]: r for r in csv.DictReader(f)}
    with open(fullframe / "fit.csv", newline="") as f:
        visible = {r["file"]: float(r["box_visible_fraction"]) for r in csv.DictReader(f)}
    return boxes, visible


def compare(crop_path, frame_path, box):
    """(error as stored, error swapped, chroma) of one photo, on a 0-255 scale."""
    with Image.open(frame_path) as im:
        frame = im.convert("RGB")
    x1, y1, x2, y2 = (float(box[k]) for k in ("x1", "y1", "x2", "y2"))
    region = frame.crop((round(x1), round(y1), round(x2), round(y2)))
    target = np.asarray(region, dtype=np.float32)
    with Image.open(crop_path) as im:
        stored = np.asarray(im.convert("RGB").resize(region.size, Image.BILINEAR, reducing_gap=None),
                            dtype=np.float32)
    chroma = float(np.abs(target - target.mean(2, keepdims=True)).mean())
    return (float(np.abs(stored - target).mean()), float(np.abs(stored[..., ::-1] - target).mean()), chroma)


def run(crops, fullframe, sample=None):
    boxes, visible = _read_boxes(fullframe)
    files = sorted(f for f in boxes if f not in DAMAGED and visible[f] >= 0.999
                   and (crops / "images" / f).exists())
    if sample:
        files = files[::max(1, len(files) // sample)][:sample]
    swapped_wins = decided = 0
    err_stored = err_swapped = 0.0
    for f in files:
        a, b, chroma = compare(crops / "images" / f, fullframe / "images" / f, boxes[f])
        err_stored += a
        err_swapped += b
        if chroma >= MIN_CHROMA and a != b:
            decided += 1
            swapped_wins += b < a
    return {"photos": len(files), "decided": decided, "swapped_closer": swapped_wins,
            "mean_abs_error_as_stored": round(err_stored / max(1, len(files)), 2),
            "mean_abs_error_swapped": round(err_swapped / max(1, len(files)), 2)}


def passed(report):
    return report["decided"] > 0 and report["swapped_closer"] >= REQUIRED * report["decided"]


def summary(report):
    share = report["swapped_closer"] / max(1, report["decided"])
    return (f"colour check: swapped crop closer to the true-colour full frame for {report['swapped_closer']}/"
            f"{report['decided']} photos ({100 * share:.1f}%, required {100 * REQUIRED:.0f}%); mean abs error "
            f"{report['mean_abs_error_as_stored']} as stored vs {report['mean_abs_error_swapped']} swapped "
            f"({report['photos']} photos with the whole box in frame)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crops", default=str(data.SHARED_CROPS))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--sample", type=int, help="check every k-th photo, about this many")
    args = ap.parse_args()
    crops, fullframe = Path(args.crops), Path(args.fullframe)
    if not (crops / "labels.csv").exists() or not (fullframe / "boxes.csv").exists():
        print(f"colour check: SKIPPED, {crops} or {fullframe} is not there")
        return 77
    report = run(crops, fullframe, args.sample)
    print(summary(report))
    return 0 if passed(report) else 1


if __name__ == "__main__":
    sys.exit(main())
