"""Export a trained checkpoint as whatcar's TorchScript model with its metadata.

    /usr/bin/python3 training/export.py --checkpoint training/runs/mnv2-nsfwjs/last.pt \
        --out models/whatcar-cars.pt --metrics training/runs/mnv2-nsfwjs-eval.txt

save_whatcar_model() is also what tests/fixtures/make_tiny_model.py uses, so the test
fixture and the shipped model follow one contract (src/metadata.h).
"""
import argparse
import hashlib
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import preprocess  # noqa: E402

# Probe images for `whatcar verify`: odd sizes and aspect ratios exercise both resize passes.
PROBES = [(1, 97, 61), (2, 64, 200), (3, 320, 240), (4, 224, 224)]


def _logits_text(values):
    return " ".join(f"{v:.9g}" for v in values)


def _real_probe_lines(frozen, cfg, images, margin, count=4):
    """`image NAME i1..ik` lines: the top-k of real photos, for images whose top-k logits are
    at least `margin` apart, so that another JPEG decoder (stb_image in whatcar, libjpeg here)
    cannot reorder them."""
    lines = []
    with torch.no_grad():
        for path in images:
            logits = frozen(preprocess.eval_tensor(preprocess.load_rgb(path), cfg).unsqueeze(0))[0]
            k = min(5, len(logits))
            top = logits.topk(min(k + 1, len(logits)))
            gaps = top.values[:-1] - top.values[1:]
            if len(gaps) and gaps.min().item() < margin:
                continue
            lines.append(f"image {Path(path).name} " + " ".join(str(i) for i in top.indices[:k].tolist()))
            if len(lines) == count:
                break
    return lines


def save_whatcar_model(module, path, *, labels, preprocess_cfg, info, min_confidence, probes=PROBES,
                       real_images=(), real_margin=0.05):
    """Script, freeze and save `module` with whatcar's extra files; returns the sha256.

    real_images: candidate photos whose top-k the model stores for `whatcar verify --images`."""
    module = module.eval()
    frozen = torch.jit.freeze(torch.jit.script(module))
    probe_lines = []
    with torch.no_grad():
        for seed, w, h in probes:
            x = preprocess.eval_tensor(preprocess.probe_image(seed, w, h), preprocess_cfg).unsqueeze(0)
            probe_lines += [f"probe {seed} {w} {h}", _logits_text(frozen(x)[0].tolist())]
    probe_lines += _real_probe_lines(frozen, preprocess_cfg, real_images, real_margin)
    fields = {"name": info.pop("name"), "version": info.pop("version")}
    fields.update({k: preprocess_cfg[k] for k in ("resize", "resize_size", "input_size", "interpolation")
                   if k in preprocess_cfg})
    fields["mean"] = " ".join(str(v) for v in preprocess_cfg["mean"])
    fields["std"] = " ".join(str(v) for v in preprocess_cfg["std"])
    fields["min_confidence"] = min_confidence
    fields.update(info)
    model_txt = "".join(f"{k}: {str(v).replace(chr(10), ' ')}\n" for k, v in fields.items())
    extra = {
        "whatcar/model.txt": model_txt,
        "whatcar/labels.txt": "".join(label + "\n" for label in labels),
        "whatcar/probes.txt": "".join(line + "\n" for line in probe_lines),
    }
    # With bytecode for the lite interpreter, which whatcar runs (src/model.cc); torch.jit.load
    # still reads the file.
    frozen._save_for_lite_interpreter(str(path), _extra_files=extra)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_metadata(path):
    """The extra files of a whatcar model, as a dict name -> text."""
    extra = {"whatcar/model.txt": "", "whatcar/labels.txt": "", "whatcar/probes.txt": ""}
    module = torch.jit.load(str(path), _extra_files=extra)
    return module, {k: v.decode() if isinstance(v, bytes) else v for k, v in extra.items()}


def main():
    import data
    from models import build_model
    from train import MEAN, STD

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--name", default="whatcar-cars")
    ap.add_argument("--version", default="1")
    ap.add_argument("--input-size", type=int, default=224)
    ap.add_argument("--min-confidence", type=float, default=0.0)
    ap.add_argument("--info", action="append", default=[], help="extra KEY=VALUE for the model card fields")
    args = ap.parse_args()

    ckpt = torch.load(args.checkpoint, map_location="cpu")
    arch = ckpt["args"]["arch"]
    classes, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    model = build_model(arch, len(classes))
    model.load_state_dict(ckpt["model"])
    cfg = {"resize": "squash", "input_size": args.input_size, "interpolation": "bilinear",
           "mean": MEAN[arch], "std": STD[arch]}
    info = {"name": args.name, "version": args.version, "architecture": arch,
            "training_data": "Stanford Cars train images (cropped to the car), 85% stratified split; "
                             "non-commercial research use only"}
    info.update(dict(kv.split("=", 1) for kv in args.info))
    digest = save_whatcar_model(model, args.out, labels=classes, preprocess_cfg=cfg, info=info,
                                min_confidence=args.min_confidence,
                                real_images=[Path(args.data) / "images" / f for f, _ in val_rows])
    print(f"{digest}  {Path(args.out).name}")


if __name__ == "__main__":
    main()
