"""Write true-colour working copies of the shared Stanford Cars crops, outside the repository.

    /usr/bin/python3 training/prepare_data.py            # -> ~/.cache/whatcar/stanford-cars-rgb

The shared crops store red and blue swapped (../shared/data/stanford-cars/README.md). Every
consumer (training, evaluation through the binary, verify's real-image probes, the benches)
reads the copies this writes instead: PNG, so the swap costs no second JPEG loss. Before
writing anything it runs the colour check (colour_check.py) and refuses to go on if the
shared crops are not swapped as documented. It also writes a data report beside the copies:
per-channel means and a contact sheet to look at before trusting a run.
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colour_check  # noqa: E402
import data  # noqa: E402


def write_copies(src, out):
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    sums = np.zeros(3)
    pixels = 0
    files = sorted(p.name for p in (src / "images").glob("*.jpg"))
    for i, name in enumerate(files):
        target = images / (Path(name).stem + ".png")
        rgb = data.load_swapped(src / "images" / name)
        a = np.asarray(rgb, dtype=np.float64)
        sums += a.reshape(-1, 3).sum(0)
        pixels += a.shape[0] * a.shape[1]
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            rgb.save(tmp, format="PNG", compress_level=1)
            tmp.rename(target)
        if (i + 1) % 1000 == 0:
            print(f"prepare_data: {i + 1}/{len(files)}", flush=True)
    return files, sums / pixels


def contact_sheet(out, files, cols=10, rows=6, cell=96):
    sheet = Image.new("RGB", (cols * cell, rows * cell), "white")
    step = max(1, len(files) // (cols * rows))
    for k, name in enumerate(files[::step][:cols * rows]):
        with Image.open(out / "images" / (Path(name).stem + ".png")) as im:
            im.thumbnail((cell, cell))
            sheet.paste(im, ((k % cols) * cell, (k // cols) * cell))
    sheet.save(out / "contact_sheet.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=str(data.SHARED_CROPS))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--out", default=str(data.DEFAULT_DATA))
    args = ap.parse_args()
    src, out = Path(args.src), Path(args.out)

    report = colour_check.run(src, Path(args.fullframe))
    print(colour_check.summary(report))
    if not colour_check.passed(report):
        raise SystemExit("prepare_data: the shared crops are not red-blue swapped as documented; nothing written")

    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "classes.txt", out / "classes.txt")
    # The same rows, naming the PNG copies (data.split matches by stem).
    (out / "labels.csv").write_text((src / "labels.csv").read_text().replace(".jpg,", ".png,"))
    files, means = write_copies(src, out)
    contact_sheet(out, files)
    report["channel_means_true_colour"] = [round(m, 2) for m in means.tolist()]
    report["channel_means_as_stored"] = [round(m, 2) for m in means[::-1].tolist()]
    report["images"] = len(files)
    (out / "data_report.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"prepare_data: {len(files)} true-colour copies in {out}; mean RGB {means.round(1).tolist()} "
          f"(as stored: {means[::-1].round(1).tolist()}); look at {out / 'contact_sheet.png'}")


if __name__ == "__main__":
    main()
