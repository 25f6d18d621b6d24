"""One photo, the Python way the original tool worked: import torch and PIL, load the
TorchScript models, preprocess with PIL (the same transforms whatcar reproduces), print the
top 5. With --detector, the same job as `whatcar photo.jpg`: find the cars, crop the largest
with whatcar's margin, classify the crop (training/detect.py). Timed from outside, as a whole
process, by bench/cold_single.sh.

    /usr/bin/python3 bench/python_single.py MODEL IMAGE [--detector DETECTOR]
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import detect  # noqa: E402
import preprocess  # noqa: E402
from export import read_metadata  # noqa: E402

CROP_MARGIN = 0.1  # src/pipeline/recognizer.h's default


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("image")
    ap.add_argument("--detector")
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, meta = read_metadata(args.model)
    labels = [c["label"] for c in meta["classes"]]
    image = preprocess.load_rgb(args.image)
    if args.detector:
        cars = detect.vehicles(*detect.load_detector(args.detector), image)
        if not cars:
            print("no car found")
            return
        image = image.crop(detect.crop_region(cars[0][:4], CROP_MARGIN, image.width, image.height))
    x = preprocess.eval_tensor(image, meta["preprocess"]).unsqueeze(0)
    with torch.inference_mode():
        top = torch.softmax(model(x), 1)[0].topk(5)
    for p, i in zip(top.values.tolist(), top.indices.tolist()):
        print(f"{p:7.2%}  {labels[i]}")


if __name__ == "__main__":
    main()
