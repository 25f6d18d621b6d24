"""Stanford Cars labels, the fixed validation split, and the decoded-image cache."""
import csv
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "stanford-cars"
SPLIT_FILE = Path(__file__).resolve().parent / "splits" / "val.txt"
VAL_FRACTION = 0.15
SPLIT_SEED = 20261125


def read_labels(data_dir):
    data_dir = Path(data_dir)
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
    val = set(SPLIT_FILE.read_text().split())
    return [r for r in rows if r[0] not in val], [r for r in rows if r[0] in val]


def load_rgb(path):
    with Image.open(path) as im:
        return im.convert("RGB")


def cache_images(data_dir, rows, size, cache_path):
    """Decode every image once into a (N,3,size,size) uint8 tensor (squashed to a square).

    Decoding JPEGs each epoch would cost as much CPU as the training step itself.
    """
    cache_path = Path(cache_path)
    if cache_path.exists():
        cached = torch.load(cache_path)
        if cached["files"] == [r[0] for r in rows] and cached["size"] == size:
            return cached["images"], cached["labels"]
    images = torch.empty(len(rows), 3, size, size, dtype=torch.uint8)
    for i, (file, _) in enumerate(rows):
        im = load_rgb(Path(data_dir) / "images" / file).resize((size, size), Image.BILINEAR, reducing_gap=None)
        images[i] = torch.from_numpy(np.asarray(im)).permute(2, 0, 1)
    labels = torch.tensor([r[1] for r in rows])
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"files": [r[0] for r in rows], "size": size, "images": images, "labels": labels}, cache_path)
    return images, labels
