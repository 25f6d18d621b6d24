"""Does whatcar need to apply embedded colour profiles? Phones save HEIC/JPEG photos in Display P3
(an ICC profile in the file); whatcar reads every file's pixels as sRGB. This measures what that
costs, through the C++ binary, on the validation crops (true colour, sRGB):

  - "converted": the photo as sRGB, what applying the profile would give;
  - "P3 read as sRGB": the same colours encoded in Display P3 (DCI-P3 primaries, D65, the sRGB
    curve), read without the profile, what whatcar does with such a file.

    /usr/bin/python3 training/evaluate_colour_profile.py --whatcar build/whatcar

Reports top-1 of both, and how often the two agree on top-1.
"""
import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data  # noqa: E402
from evaluate import cpp_predictions  # noqa: E402

# Linear sRGB -> XYZ (D65), and Display P3 -> XYZ (D65): the standard primaries' matrices.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
P3_TO_XYZ = np.array([[0.4865709, 0.2656677, 0.1982173],
                      [0.2289746, 0.6917385, 0.0792869],
                      [0.0000000, 0.0451134, 1.0439444]])
SRGB_TO_P3 = np.linalg.inv(P3_TO_XYZ) @ SRGB_TO_XYZ


def to_linear(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def to_encoded(v):
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(np.clip(v, 0, None), 1 / 2.4) - 0.055)


def p3_values(img):
    """The values a Display P3 file stores for these sRGB colours (every sRGB colour fits in P3)."""
    rgb = np.asarray(img, dtype=np.float64) / 255
    p3 = to_encoded(np.clip(to_linear(rgb) @ SRGB_TO_P3.T, 0, 1))
    return Image.fromarray(np.round(p3 * 255).astype(np.uint8), "RGB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whatcar", required=True)
    ap.add_argument("--model", default=str(Path(__file__).resolve().parents[1] / "models" / "whatcar-cars.pt"))
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    args = ap.parse_args()
    _, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    labels = np.array([y for _, y in val_rows])
    with tempfile.TemporaryDirectory() as tmp:
        srgb, p3 = [], []
        for file, _ in val_rows:
            img = data.load_rgb(Path(args.data) / "images" / file)
            srgb.append(Path(tmp) / f"srgb-{Path(file).stem}.png")
            p3.append(Path(tmp) / f"p3-{Path(file).stem}.png")
            img.save(srgb[-1])
            p3_values(img).save(p3[-1])
        top_s, _ = cpp_predictions(args.whatcar, args.model, srgb)
        top_p, _ = cpp_predictions(args.whatcar, args.model, p3)
    s1 = np.array([t[0] for t in top_s])
    p1 = np.array([t[0] for t in top_p])
    print(f"| {len(labels)} validation crops | top-1 |")
    print("| --- | --- |")
    print(f"| converted to sRGB (profile applied) | {100 * np.mean(s1 == labels):.2f}% |")
    print(f"| Display P3 values read as sRGB (profile ignored) | {100 * np.mean(p1 == labels):.2f}% |")
    print(f"\ntop-1 agreement between the two: {100 * np.mean(s1 == p1):.2f}%")


if __name__ == "__main__":
    main()
