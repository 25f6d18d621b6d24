"""Stanford Cars labels, the fixed validation split, and the decoded-image cache."""
import csv
import os
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
# As stored: red and blue swapped (its README). Only prepare_data.py and colour_check.py read it.
SHARED_CROPS = SHARED / "stanford-cars"
SHARED_FULLFRAME = SHARED / "stanford-cars-fullframe"
# The true-colour copies prepare_data.py writes; everything else reads these.
DEFAULT_DATA = Path(os.environ.get("WHATCAR_DATA", Path.home() / ".cache" / "whatcar" / "stanford-cars-rgb"))
SPLIT_FILE = Path(__file__).resolve().parent / "splits" / "val.txt"
VAL_FRACTION = 0.15
SPLIT_SEED = 20261125


def read_labels(data_dir):
    data_dir = Path(data_dir)
    if not (data_dir / "labels.csv").exists():
        raise SystemExit(f"{data_dir}: no labels.csv; run training/prepare_data.py first")
    classes = (data_dir / "classes.txt").read_text().splitlines()
    with open(data_dir / "labels.csv", newline="") as f:
        rows = [(r["file"], int(r["class_index"])) for r in csv.DictReader(f)]
    return classes, rows


def make_split(rows):
    """Stratified: the same fraction of every class, chosen with a fixed seed."""
    rng = random.Random(SPLIT_SEED)
    by_class = {}
    for file, label in sorted(rows):
        by_class.setdefault(label, []).append(file)
    val = []
    for label in sorted(by_class):
        files = by_class[label]
        rng.shuffle(files)
        val += files[:max(1, round(VAL_FRACTION * len(files)))]
    return sorted(val)


def split(rows):
    """(train_rows, val_rows); the committed split file is the source of truth."""
    if not SPLIT_FILE.exists():
        SPLIT_FILE.parent.mkdir(parents=True, exist_ok=True)
        SPLIT_FILE.write_text("".join(f + "\n" for f in make_split(rows)))
    # By stem: the split names the shared .jpg files, the true-colour copies are .png.
    val = {Path(f).stem for f in SPLIT_FILE.read_text().split()}
    return [r for r in rows if Path(r[0]).stem not in val], [r for r in rows if Path(r[0]).stem in val]


def load_rgb(path):
    with Image.open(path) as im:
        return im.convert("RGB")


def load_swapped(path):
    """A shared crop in true colour: its stored channels 0 and 2 swapped back."""
    return Image.merge("RGB", load_rgb(path).split()[::-1])


def read_fullframe_boxes(fullframe=SHARED_FULLFRAME):
    """{stem: (x1, y1, x2, y2)} official boxes in the 128x96 full frames."""
    with open(Path(fullframe) / "boxes.csv", newline="") as f:
        return {Path(r["file"]).stem: tuple(float(r[k]) for k in ("x1", "y1", "x2", "y2"))
                for r in csv.DictReader(f)}


def cache_images(data_dir, rows, size, cache_path):
    """Decode every image once into a (N,3,size,size) uint8 tensor (squashed to a square).

    Decoding JPEGs each epoch would cost as much CPU as the training step itself.
    """
    cache_path = Path(cache_path)
    if cache_path.exists():
        cached = torch.load(cache_path)
        if cached["files"] == [r[0] for r in rows] and cached["size"] == size:
            return cached["images"], cached["labels"]
    def load_square(file):
        im = load_rgb(Path(data_dir) / "images" / file).resize((size, size), Image.BILINEAR, reducing_gap=None)
        return torch.from_numpy(np.array(im)).permute(2, 0, 1)

    images = torch.empty(len(rows), 3, size, size, dtype=torch.uint8)
    # Threads: PIL decodes and resizes without the GIL, so every core of a GPU machine helps.
    with ThreadPoolExecutor() as pool:
        for i, image in enumerate(pool.map(load_square, [file for file, _ in rows])):
            images[i] = image
    labels = torch.tensor([r[1] for r in rows])
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"files": [r[0] for r in rows], "size": size, "images": images, "labels": labels}, cache_path)
    return images, labels


def cache_fullframes(fullframe, rows, cache_path):
    """The full frames (N,3,96,128 uint8) and official boxes (N,4) of `rows`, decoded once."""
    cache_path = Path(cache_path)
    stems = [Path(r[0]).stem for r in rows]
    if cache_path.exists():
        cached = torch.load(cache_path)
        if cached["stems"] == stems:
            return cached["frames"], cached["boxes"]
    boxes_by_stem = read_fullframe_boxes(fullframe)
    frames = torch.empty(len(rows), 3, 96, 128, dtype=torch.uint8)
    for i, stem in enumerate(stems):
        # One frame is portrait (96x128): squashed to the common size, box scaled with it.
        im = load_rgb(Path(fullframe) / "images" / f"{stem}.jpg")
        sx, sy = 128 / im.width, 96 / im.height
        frames[i] = torch.from_numpy(np.asarray(im.resize((128, 96), Image.BILINEAR))).permute(2, 0, 1)
        x1, y1, x2, y2 = boxes_by_stem[stem]
        boxes_by_stem[stem] = (x1 * sx, y1 * sy, x2 * sx, y2 * sy)
    boxes = torch.tensor([boxes_by_stem[s] for s in stems])
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"stems": stems, "frames": frames, "boxes": boxes}, cache_path)
    return frames, boxes
