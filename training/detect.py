"""Detect-then-classify in Python, as whatcar does it in C++ (src/pipeline/detect.cc and
recognizer.cc): the reference the benches time and the evaluation cuts its crops with.

    module, meta = load_detector("models/whatcar-detector.pt")
    cars = vehicles(module, meta, image)       # [(x1, y1, x2, y2, score)], main car first
    image.crop(crop_region(cars[0][:4], 0.1, *image.size))
"""
import json
import math

import torch
import torchvision

import preprocess

METADATA_FILE = "whatcar/detector.json"


def load_detector(path):
    extra = {METADATA_FILE: ""}
    module = torch.jit.load(str(path), _extra_files=extra).eval()
    return module, json.loads(extra[METADATA_FILE])


def detector_input(image, meta):
    return preprocess.eval_tensor(image, meta["preprocess"])


def vehicles_from_rows(rows, meta, width, height, min_score=None):
    """Rows (x1, y1, x2, y2, score, class) in the detector's input pixels to vehicle boxes in the
    image's pixels, suppressed across classes, largest first."""
    min_score = meta["score_threshold"] if min_score is None else min_score
    vehicle = [meta["classes"].index(c) for c in meta["vehicle_classes"]]
    size = meta["preprocess"]["input_size"]
    content = preprocess.letterbox_size(width, height, size) if meta["preprocess"]["resize"] == "letterbox" else (size, size)
    rows = rows[torch.isfinite(rows).all(1)]
    rows = rows[(rows[:, 4] >= min_score) & torch.isin(rows[:, 5], torch.tensor(vehicle, dtype=rows.dtype))]
    scale = torch.tensor([width / content[0], height / content[1]] * 2)
    boxes = rows[:, :4] * scale
    boxes[:, 0::2] = boxes[:, 0::2].clamp(0, width)
    boxes[:, 1::2] = boxes[:, 1::2].clamp(0, height)
    keep = ((boxes[:, 2] - boxes[:, 0]) >= 1) & ((boxes[:, 3] - boxes[:, 1]) >= 1)
    boxes, scores = boxes[keep], rows[keep, 4]
    kept = torchvision.ops.nms(boxes, scores, meta["nms_iou"])
    cars = [(*boxes[i].tolist(), scores[i].item()) for i in kept]
    return sorted(cars, key=lambda c: -(c[2] - c[0]) * (c[3] - c[1]))


def vehicles(module, meta, image, min_score=None):
    with torch.inference_mode():
        rows = module(detector_input(image, meta).unsqueeze(0))[0]
    return vehicles_from_rows(rows, meta, image.width, image.height, min_score)


def crop_region(box, margin, width, height):
    """The box grown by `margin` of its size per side, clipped, in whole pixels, never empty."""
    mx, my = margin * (box[2] - box[0]), margin * (box[3] - box[1])
    x1 = math.floor(min(max(box[0] - mx, 0), width - 1))
    y1 = math.floor(min(max(box[1] - my, 0), height - 1))
    x2 = max(math.ceil(min(max(box[2] + mx, 0), width)), x1 + 1)
    y2 = max(math.ceil(min(max(box[3] + my, 0), height)), y1 + 1)
    return x1, y1, x2, y2
