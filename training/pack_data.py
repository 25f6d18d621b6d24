"""Pack the training data small enough to travel to a lent GPU machine (64 MiB a call).

    /usr/bin/python3 training/pack_data.py --out .pack --parts 2

Writes the true-colour crops (prepare_data.py's copies) squashed to the training cache's
256x256 as WebP, and the training split's full frames with their boxes as they are, in the
layout train.py reads (--data, --fullframe). With --parts N the files are dealt into
part-1 ... part-N of about equal size, each a tree of the same layout, so that each part travels
with one call and `cp -r part-*/. DEST` puts them together again there.
"""
import argparse
import csv
import io
import shutil
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
from train import CACHE_SIZE  # noqa: E402

CROPS = "stanford-cars-rgb"
FRAMES = "stanford-cars-fullframe"


def packed_crops(data_dir, quality):
    """(relative path, bytes) of every crop and its label files."""
    classes, rows = data.read_labels(data_dir)
    out = [(f"{CROPS}/classes.txt", "".join(c + "\n" for c in classes).encode())]
    labels = io.StringIO()
    writer = csv.writer(labels, lineterminator="\n")
    writer.writerow(["file", "class_index", "class_name"])
    for file, label in rows:
        name = Path(file).stem + ".webp"
        im = data.load_rgb(Path(data_dir) / "images" / file)
        # The same squash as data.cache_images, so the cache built there skips no detail here.
        im = im.resize((CACHE_SIZE, CACHE_SIZE), Image.BILINEAR, reducing_gap=None)
        buf = io.BytesIO()
        im.save(buf, "WEBP", quality=quality, method=6)
        out.append((f"{CROPS}/images/{name}", buf.getvalue()))
        writer.writerow([name, label, classes[label]])
    out.insert(1, (f"{CROPS}/labels.csv", labels.getvalue().encode()))
    return out, rows


def packed_frames(fullframe, rows):
    """(relative path, bytes) of the training split's full frames and the box file."""
    train_rows, _ = data.split(rows)
    stems = {Path(f).stem for f, _ in train_rows}
    out = [(f"{FRAMES}/boxes.csv", (Path(fullframe) / "boxes.csv").read_bytes())]
    for stem in sorted(stems):
        out.append((f"{FRAMES}/images/{stem}.jpg", (Path(fullframe) / "images" / f"{stem}.jpg").read_bytes()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--out", required=True)
    ap.add_argument("--quality", type=int, default=82, help="WebP quality of the crops")
    ap.add_argument("--parts", type=int, default=1)
    args = ap.parse_args()

    crops, rows = packed_crops(args.data, args.quality)
    files = crops + packed_frames(args.fullframe, rows)
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    # Largest first onto the lightest part: parts within one file's size of each other.
    sizes = [0] * args.parts
    for rel, blob in sorted(files, key=lambda f: -len(f[1])):
        k = sizes.index(min(sizes))
        sizes[k] += len(blob)
        target = out / (f"part-{k + 1}" if args.parts > 1 else "") / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    for k, size in enumerate(sizes):
        print(f"part {k + 1}: {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
