"""Measure detect-then-classify through the C++ binary: on the validation photos' full frames and
on real photos without cars.

    /usr/bin/python3 training/evaluate_detection.py --whatcar build/whatcar \
        --out training/runs/detector-eval.md

The full frames (../shared/data/stanford-cars-fullframe, 128x96, official boxes) of the
validation split go through `whatcar batch --all-cars` once, with a low score threshold, so
that every threshold above it can be judged from the same run (suppression only lets a box
remove lower-scoring ones, so filtering afterwards equals running at the higher threshold).
Reported per threshold: the share of photos where a car is found, the main car's IoU with the
official box, top-1 of the main car's crop, and the share of car-free photos
(training/no_car_photos.py) where a car is found. Then, at the shipped threshold, top-1 of the
whole frame, of the official-box crop and of the detected box with each crop margin, and the
effect of the minimum box area; the
margin sweep classifies crops cut in Python exactly as whatcar cuts them (pixel-exact PNGs)
with --no-detect, since detection does not depend on the margin.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colour_check  # noqa: E402
import data  # noqa: E402
from detect import crop_region, load_detector  # noqa: E402
import no_car_photos  # noqa: E402
from evaluate import fullframe_sets  # noqa: E402

THRESHOLDS = [0.1, 0.12, 0.13, 0.14, 0.15, 0.2, 0.22, 0.24, 0.25, 0.26, 0.28, 0.3, 0.35]
BOX_AREAS = [0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05]
MARGINS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
FLOOR = 0.05


def run_batch(whatcar, paths, *args):
    """{path: record} from `whatcar batch -f jsonl`, in one process."""
    res = subprocess.run([whatcar, "batch", "-q", "-f", "jsonl", "-k", "5", "--min-confidence", "0",
                          "--files-from", "-", *args], input="\n".join(map(str, paths)) + "\n",
                         capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(f"whatcar failed ({res.returncode}): {res.stderr}")
    return {r["file"]: r for r in map(json.loads, res.stdout.splitlines())}


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def main_car(record, threshold, min_area=0.0):
    """The largest car scoring at least `threshold` and covering at least `min_area` of the photo
    (records list cars largest first; "size" is the photo's, added by sized())."""
    w, h = record["size"]
    return next((c for c in record.get("cars", []) if c["score"] >= threshold and
                 (c["box"][2] - c["box"][0]) * (c["box"][3] - c["box"][1]) >= min_area * w * h), None)


def sized(records, paths):
    """Records in the order of `paths`, each with its photo's size."""
    out = []
    for p in paths:
        r = dict(records[str(p)])
        with Image.open(p) as im:
            r["size"] = im.size
        out.append(r)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whatcar", required=True)
    ap.add_argument("--model", help="classifier (default: the bundled one)")
    ap.add_argument("--detector", help="detector (default: the bundled one)")
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--shipped-threshold", type=float,
                    help="the threshold to mark and to cut crops at (default: the detector's own)")
    ap.add_argument("--shipped-box-area", type=float, help="the minimum box area to apply (default: the detector's own)")
    ap.add_argument("--out")
    args = ap.parse_args()
    _, meta = load_detector(args.detector or Path(__file__).resolve().parents[1] / "models" / "whatcar-detector.pt")
    if args.shipped_threshold is None:
        args.shipped_threshold = meta["score_threshold"]
    if args.shipped_box_area is None:
        args.shipped_box_area = meta.get("min_box_area", 0.0)
    area = args.shipped_box_area
    model_args = [*(["-m", args.model] if args.model else []), *(["--detector", args.detector] if args.detector else [])]

    _, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    boxes = data.read_fullframe_boxes(args.fullframe)
    frames, labels, truth = [], [], []
    for file, label in val_rows:
        stem = Path(file).stem
        if f"{stem}.jpg" in colour_check.DAMAGED:
            continue
        frames.append(Path(args.fullframe) / "images" / f"{stem}.jpg")
        labels.append(label)
        truth.append(boxes[stem])
    # Every box the detector gives above FLOOR, whatever its size: the thresholds are applied here.
    everything = ["--all-cars", "--min-score", str(FLOOR), "--min-box-area", "0", *model_args]
    records = sized(run_batch(args.whatcar, frames, *everything), frames)
    negatives = no_car_photos.unpack()
    neg_records = sized(run_batch(args.whatcar, negatives, *everything), negatives)

    lines = [f"# Detect, then classify: {len(frames)} validation full frames (128x96), "
             f"{len(negatives)} photos without cars", "",
             f"Boxes covering less than {area:.1%} of the photo are not cars (the detector's min_box_area).", "",
             "| score threshold | car found | main-car IoU >= 0.7 | median IoU | detected-crop top-1 | top-5 "
             "| car found on car-free photos |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for t in sorted(set(THRESHOLDS) | {args.shipped_threshold}):
        mains = [main_car(r, t, area) for r in records]
        ious = [iou(m["box"], b) if m else 0.0 for m, b in zip(mains, truth)]
        top1 = np.mean([bool(m) and m["predictions"][0]["index"] == y for m, y in zip(mains, labels)])
        top5 = np.mean([bool(m) and any(p["index"] == y for p in m["predictions"]) for m, y in zip(mains, labels)])
        false = [r["file"] for r in neg_records if main_car(r, t, area)]
        mark = " (shipped)" if t == args.shipped_threshold else ""
        lines.append(f"| {t:.2f}{mark} | {100 * np.mean([m is not None for m in mains]):.2f}% | "
                     f"{100 * np.mean([v >= 0.7 for v in ious]):.2f}% | {np.median(ious):.3f} | {100 * top1:.2f}% | "
                     f"{100 * top5:.2f}% | {100 * len(false) / len(neg_records):.1f}% ({len(false)}) |")
        if t == args.shipped_threshold:
            shipped_false = false
    lines += ["", f"Car-free photos where a car is found at the shipped threshold: "
              f"{', '.join(Path(f).name for f in shipped_false) or 'none'}"]

    lines += ["", f"By minimum box area, at score threshold {args.shipped_threshold}:", "",
              "| min box area | car found | main-car IoU >= 0.7 | car found on car-free photos |", "| --- | --- | --- | --- |"]
    for a in sorted(set(BOX_AREAS) | {area}):
        mains = [main_car(r, args.shipped_threshold, a) for r in records]
        ious = [iou(m["box"], b) if m else 0.0 for m, b in zip(mains, truth)]
        false = [r for r in neg_records if main_car(r, args.shipped_threshold, a)]
        mark = " (shipped)" if a == area else ""
        lines.append(f"| {a:.1%}{mark} | {100 * np.mean([m is not None for m in mains]):.2f}% | "
                     f"{100 * np.mean([v >= 0.7 for v in ious]):.2f}% | {100 * len(false) / len(neg_records):.1f}% ({len(false)}) |")

    lines += ["", f"Top-1 by what the classifier sees (score threshold {args.shipped_threshold}):", "",
              "| input | images | top-1 | top-5 |", "| --- | --- | --- | --- |"]

    def accuracy(recs, ys):
        t1 = np.mean([bool(r.get("predictions")) and r["predictions"][0]["index"] == y for r, y in zip(recs, ys)])
        t5 = np.mean([any(p["index"] == y for p in r.get("predictions", [])) for r, y in zip(recs, ys)])
        return t1, t5

    with tempfile.TemporaryDirectory() as tmp:
        for name, (paths, ys) in fullframe_sets(tmp, args.fullframe, val_rows).items():
            got = run_batch(args.whatcar, paths, "--no-detect", *model_args)
            t1, t5 = accuracy([got[str(p)] for p in paths], ys)
            lines.append(f"| {name}, --no-detect | {len(paths)} | {100 * t1:.2f}% | {100 * t5:.2f}% |")
        for margin in MARGINS:
            folder = Path(tmp) / f"margin-{margin}"
            folder.mkdir()
            paths, ys = [], []
            for frame, y, r in zip(frames, labels, records):
                m = main_car(r, args.shipped_threshold, area)
                if m is None:
                    continue
                im = data.load_rgb(frame)
                path = folder / f"{frame.stem}.png"
                im.crop(crop_region(m["box"], margin, im.width, im.height)).save(path)
                paths.append(path)
                ys.append(y)
            got = run_batch(args.whatcar, paths, "--no-detect", *model_args)
            t1, t5 = accuracy([got[str(p)] for p in paths], ys)
            lines.append(f"| detected box + {margin:.0%} per side | {len(paths)} | {100 * t1:.2f}% | {100 * t5:.2f}% |")
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.out:
        Path(args.out).write_text(report)


if __name__ == "__main__":
    main()
