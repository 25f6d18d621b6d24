"""A reduced precision against fp32, through the C++ binary, on the held-out validation split:

    /usr/bin/python3 training/evaluate_precision.py --whatcar build/whatcar [--precision bf16]

Two inputs, both in true colour: the 1,081 validation crops classified whole (--no-detect), and
the same photos' full frames through the whole pipeline (the detector finds the car, the
classifier names its crop; a frame without a car counts as wrong). For each: top-1 and top-5 in
fp32 and in the precision, how often their top-1 agree, and the largest difference of the top-1
probability. whatcar makes a precision its default only where top-1 agrees on at least 99.5% of
the images and accuracy moves by at most 0.3 points.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colour_check  # noqa: E402
import data  # noqa: E402
from evaluate_detection import run_batch  # noqa: E402

DEFAULT_BAR = (0.995, 0.003)  # top-1 agreement at least, accuracy change at most


def answers(records, paths):
    """(top-5 indices, top-1 probability) per path, the main car's; ([], 0) where none was found."""
    out = []
    for p in paths:
        cars = records[str(p)].get("cars", [])
        preds = cars[0]["predictions"] if cars else []
        out.append(([q["index"] for q in preds], preds[0]["probability"] if preds else 0.0))
    return out


def compare(name, fp32, reduced, labels):
    n = len(labels)
    top1 = [sum(bool(a[0]) and a[0][0] == y for a, y in zip(run, labels)) / n for run in (fp32, reduced)]
    top5 = [sum(y in a[0] for a, y in zip(run, labels)) / n for run in (fp32, reduced)]
    agree = sum(a[0][:1] == b[0][:1] for a, b in zip(fp32, reduced)) / n
    prob = max(abs(a[1] - b[1]) for a, b in zip(fp32, reduced))
    meets = agree >= DEFAULT_BAR[0] and abs(top1[1] - top1[0]) <= DEFAULT_BAR[1]
    return (f"| {name} ({n}) | {top1[0]:.2%} | {top1[1]:.2%} | {top5[0]:.2%} | {top5[1]:.2%} | {agree:.2%} "
            f"| {prob:.4f} | {'yes' if meets else 'no'} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whatcar", required=True, help="the built whatcar binary")
    ap.add_argument("--precision", default="bf16")
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--out", help="also write the report here")
    args = ap.parse_args()

    _, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    crops = [Path(args.data) / "images" / f for f, _ in val_rows]
    crop_labels = [label for _, label in val_rows]
    frames, frame_labels = [], []
    for f, label in val_rows:
        name = f"{Path(f).stem}.jpg"
        if name not in colour_check.DAMAGED:
            frames.append(Path(args.fullframe) / "images" / name)
            frame_labels.append(label)

    p = args.precision
    lines = [f"# whatcar --precision {p} against fp32 on the validation split", "",
             f"| input (photos) | top-1 fp32 | top-1 {p} | top-5 fp32 | top-5 {p} | top-1 agrees "
             f"| max top-1 probability difference | default bar met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, paths, labels, extra in (("crops, --no-detect", crops, crop_labels, ["--no-detect"]),
                                       ("full frames, detected", frames, frame_labels, [])):
        runs = [answers(run_batch(args.whatcar, paths, *extra, "--precision", precision), paths)
                for precision in ("fp32", p)]
        lines.append(compare(name, *runs, labels))
        print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        Path(args.out).write_text(report)


if __name__ == "__main__":
    main()
