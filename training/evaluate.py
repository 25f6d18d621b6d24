"""Evaluate a whatcar model on the held-out validation split, in Python and through the C++ binary.

    /usr/bin/python3 training/evaluate.py --model models/whatcar-cars.pt --whatcar build/whatcar \
        --out training/runs/eval.md

Reports top-1/top-5 and per-class accuracy from both paths, how often they agree (the proof
that whatcar's preprocessing matches training), the ten worst classes, the most confused class
pairs, top-1/top-5 through the binary on the same photos' full frames (whole, cropped to the
official box, and the box grown by a margin: what a detector's crop looks like), and the 'not a
car' threshold: the max-softmax value that rejects 10% of validation cars, with the
false-accept rate it gives on non-car photos shipped by Debian's python3-skimage package.
Every image is in true colour (the copies training/prepare_data.py writes).
"""
import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colour_check  # noqa: E402
import data  # noqa: E402
import preprocess  # noqa: E402
from export import read_metadata  # noqa: E402

# Photos in python3-skimage's data folder that are not cars (diagrams and tiny test patterns left out).
NON_CAR_PHOTOS = ["astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png",
                  "grass.png", "gravel.png", "horse.png", "hubble_deep_field.jpg", "ihc.png", "logo.png",
                  "moon.png", "motorcycle_left.png", "motorcycle_right.png", "page.png", "retina.jpg",
                  "rocket.jpg", "text.png", "cell.png", "color.png"]
# Rejection still prints the best guesses (under "no confident car match"), so a false reject
# costs less than a false accept; 10% is where the curve below stops paying much.
TARGET_FALSE_REJECT = 0.10


def python_logits(model, cfg, paths, threads, batch=64):
    torch.set_num_threads(threads)
    out = []
    with torch.no_grad():
        for i in range(0, len(paths), batch):
            x = torch.stack([preprocess.eval_tensor(preprocess.load_rgb(p), cfg) for p in paths[i:i + batch]])
            out.append(model(x))
    return torch.cat(out)


def cpp_predictions(whatcar, model_path, paths, k=5):
    """Top-k indices and probabilities per image, through `whatcar classify -f jsonl`."""
    res = subprocess.run([whatcar, "classify", "-q", "--no-detect", "-m", str(model_path), "-k", str(k), "-f", "jsonl",
                          "--min-confidence", "0", *map(str, paths)], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"whatcar failed ({res.returncode}): {res.stderr}")
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["file"] for r in recs] == [str(p) for p in paths]
    return [[p["index"] for p in r["predictions"]] for r in recs], [r["predictions"][0]["probability"] for r in recs]


def fullframe_sets(tmp, fullframe, val_rows, margin=0.15):
    """The validation photos' full frames as files: whole, cropped to the official box, and the
    box grown by `margin` of its size per side. {name: (paths, labels)}; damaged frames left out."""
    boxes = data.read_fullframe_boxes(fullframe)
    sets = {"whole frame": ([], []), "official box": ([], []), f"box + {margin:.0%} per side": ([], [])}
    for name in sets:
        (Path(tmp) / name).mkdir()
    for file, label in val_rows:
        stem = Path(file).stem
        if f"{stem}.jpg" in colour_check.DAMAGED:
            continue
        frame = data.load_rgb(Path(fullframe) / "images" / f"{stem}.jpg")
        x1, y1, x2, y2 = boxes[stem]
        mw, mh = margin * (x2 - x1), margin * (y2 - y1)
        crops = [frame, frame.crop((round(x1), round(y1), round(x2), round(y2))),
                 frame.crop((max(0, round(x1 - mw)), max(0, round(y1 - mh)),
                             min(frame.width, round(x2 + mw)), min(frame.height, round(y2 + mh))))]
        for (name, (paths, labels)), im in zip(sets.items(), crops):
            path = Path(tmp) / name / f"{stem}.png"
            im.save(path)
            paths.append(path)
            labels.append(label)
    return sets


def non_car_dir(tmp):
    """Unpack python3-skimage's data photos without installing the package (and its dependencies)."""
    subprocess.run(["apt-get", "download", "python3-skimage"], cwd=tmp, check=True, capture_output=True)
    deb = next(Path(tmp).glob("python3-skimage_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(Path(tmp) / "x")], check=True)
    return Path(tmp) / "x/usr/lib/python3/dist-packages/skimage/data"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--whatcar", required=True, help="the built whatcar binary")
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--non-car-dir", help="folder of non-car photos (default: unpack python3-skimage's)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="also write the report here")
    args = ap.parse_args()

    classes, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    paths = [Path(args.data) / "images" / f for f, _ in val_rows]
    y = torch.tensor([label for _, label in val_rows])
    model, meta = read_metadata(args.model)
    cfg = meta["preprocess"]

    py_logits = python_logits(model, cfg, paths, args.threads)
    py_top5 = py_logits.topk(5, 1).indices
    cpp_top5, cpp_conf = cpp_predictions(args.whatcar, args.model, paths)
    cpp_top5 = torch.tensor(cpp_top5)

    lines = [f"# Evaluation of {Path(args.model).name} on the validation split ({len(paths)} images)", ""]

    def acc(top5):
        return (top5[:, 0] == y).float().mean().item(), (top5 == y[:, None]).any(1).float().mean().item()

    for name, top5 in (("C++ (whatcar classify)", cpp_top5), ("Python (torch + PIL)", py_top5)):
        t1, t5 = acc(top5)
        per_class = [(top5[y == c, 0] == c).float().mean().item() for c in range(len(classes))]
        lines.append(f"- {name}: top-1 {100 * t1:.2f}%, top-5 {100 * t5:.2f}%, mean per-class top-1 "
                     f"{100 * np.mean(per_class):.2f}% (worst class {100 * min(per_class):.1f}%)")
    cpp_per_class = [(cpp_top5[y == c, 0] == c).float().mean().item() for c in range(len(classes))]
    worst = sorted(range(len(classes)), key=lambda c: cpp_per_class[c])[:10]
    lines.append("- ten worst classes (C++ top-1, validation images): " + "; ".join(
        f"{classes[c]} {100 * cpp_per_class[c]:.0f}% ({int((y == c).sum())})" for c in worst))
    agree1 = (cpp_top5[:, 0] == py_top5[:, 0]).float().mean().item()
    agree5 = (cpp_top5 == py_top5).all(1).float().mean().item()
    lines.append(f"- C++ and Python agree on top-1 for {100 * agree1:.2f}% of images, on the whole top-5 ranking "
                 f"for {100 * agree5:.2f}%")

    pairs = Counter((classes[t], classes[p]) for t, p in zip(y.tolist(), cpp_top5[:, 0].tolist()) if t != p)
    lines += ["", "Most confused (true -> predicted, count):"]
    lines += [f"- {t} -> {p}: {n}" for (t, p), n in pairs.most_common(10)]

    lines += ["", "The same validation photos' full frames (128x96, ../shared/data/stanford-cars-fullframe), "
              "through the binary:", "", "| input | images | top-1 | top-5 |", "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, (set_paths, set_labels) in fullframe_sets(tmp, args.fullframe, val_rows).items():
            top5 = torch.tensor(cpp_predictions(args.whatcar, args.model, set_paths)[0])
            labels = torch.tensor(set_labels)
            lines.append(f"| {name} | {len(set_paths)} | {100 * (top5[:, 0] == labels).float().mean().item():.2f}% | "
                         f"{100 * (top5 == labels[:, None]).any(1).float().mean().item():.2f}% |")

    conf = np.array(cpp_conf)
    threshold = float(np.quantile(conf, TARGET_FALSE_REJECT))
    with tempfile.TemporaryDirectory() as tmp:
        ood_dir = Path(args.non_car_dir) if args.non_car_dir else non_car_dir(tmp)
        ood = [ood_dir / n for n in NON_CAR_PHOTOS if (ood_dir / n).exists()]
        _, ood_conf = cpp_predictions(args.whatcar, args.model, ood, k=1)
    accepted = [p.name for p, c in zip(ood, ood_conf) if c >= threshold]
    lines += ["", f"'Not a car' threshold (max softmax probability): {threshold:.4f}, rejecting "
              f"{100 * (conf < threshold).mean():.1f}% of validation cars (false reject); it accepts "
              f"{len(accepted)}/{len(ood)} non-car photos from python3-skimage (false accept "
              f"{100 * len(accepted) / max(1, len(ood)):.1f}%): {', '.join(accepted) or 'none'}"]
    lines += ["", "| threshold | false reject (validation cars) | false accept (non-car photos) |", "| --- | --- | --- |"]
    for t in sorted({0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, round(threshold, 4)}):
        lines.append(f"| {t:.4f} | {100 * (conf < t).mean():.1f}% | "
                     f"{100 * np.mean([c >= t for c in ood_conf]):.1f}% |")
    report = "\n".join(lines) + "\n"
    print(report, end="")
    print(f"min_confidence={threshold:.4f}")
    if args.out:
        Path(args.out).write_text(report)


if __name__ == "__main__":
    main()
