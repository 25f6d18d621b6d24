"""Export a trained checkpoint as whatcar's TorchScript model with its metadata.

    /usr/bin/python3 training/export.py --checkpoint training/runs/mnv2-nsfwjs/last.pt \
        --out models/whatcar-cars.pt --metrics training/runs/mnv2-nsfwjs-eval.txt

An exported model gains the references of the reduced precisions (bf16) without its checkpoint:

    /usr/bin/python3 training/export.py --add-references models/whatcar-cars.pt --out models/whatcar-cars.pt

Its sha256 goes into the SHA256SUMS beside --out (the other files' lines kept).
save_whatcar_model() is also what tests/fixtures/make_tiny_model.py uses, so the test
fixture and the shipped model follow one contract (src/model/metadata.h).
"""
import argparse
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import preprocess  # noqa: E402
from labels import label_parts  # noqa: E402

METADATA_FILE = "whatcar/model.json"

# Probe images for `whatcar verify`: odd sizes and aspect ratios exercise both resize passes.
PROBES = [(1, 97, 61), (2, 64, 200), (3, 320, 240), (4, 224, 224)]

# The reduced precisions whatcar can run the classifier in (src/model/precision.h), and how far
# `whatcar verify` lets their logits stray from the stored ones. bf16's differ between CPUs:
# oneDNN's bf16 kernels and libtorch's own (CPUs without AVX-512) disagreed by up to 0.17 on the
# shipped model's probes.
PRECISIONS = {"bf16": 0.3}


def _real_probes(frozen, cfg, images, margin, count=4, k=5):
    """The top-k of real photos, for images whose top-k logits are at least `margin` apart, so
    that another decoder (stb_image in whatcar, libjpeg here) cannot reorder them."""
    probes = []
    with torch.no_grad():
        for path in images:
            logits = frozen(preprocess.eval_tensor(preprocess.load_rgb(path), cfg).unsqueeze(0))[0]
            k = min(k, len(logits))
            top = logits.topk(min(k + 1, len(logits)))
            gaps = top.values[:-1] - top.values[1:]
            if len(gaps) and gaps.min().item() < margin:
                continue
            probes.append({"file": Path(path).name, "top": top.indices[:k].tolist()})
            if len(probes) == count:
                break
    return probes


def save_whatcar_model(module, path, *, labels, preprocess_cfg, info, min_confidence, probes=PROBES,
                       real_images=(), real_margin=0.05):
    """Script, freeze and save `module` with whatcar's metadata (src/model/metadata.h); returns the sha256.

    real_images: candidate photos whose top-k the model stores for `whatcar verify --images`."""
    module = module.eval()
    frozen = torch.jit.freeze(torch.jit.script(module))
    info = dict(info)
    metadata = {
        "name": info.pop("name"),
        "version": info.pop("version"),
        "preprocess": {k: preprocess_cfg[k] for k in ("resize", "resize_size", "input_size", "interpolation",
                                                      "mean", "std") if k in preprocess_cfg},
        "min_confidence": min_confidence,
        "classes": [label_parts(label) for label in labels],
        "probes": _probe_logits(frozen, preprocess_cfg, probes),
        "image_probes": _real_probes(frozen, preprocess_cfg, real_images, real_margin),
        "info": info,
    }
    metadata["precisions"] = _precision_references(frozen, preprocess_cfg, probes, real_images)
    return _save(frozen, path, metadata)


def _probe_logits(forward, cfg, probes):
    """The probes (seed, width, height) with the logits `forward` gives their images."""
    with torch.no_grad():
        return [{"seed": seed, "width": w, "height": h,
                 "logits": forward(preprocess.eval_tensor(preprocess.probe_image(seed, w, h), cfg).unsqueeze(0))[0].tolist()}
                for seed, w, h in probes]


def as_whatcar_runs(module, precision):
    """A TorchScript module as whatcar runs it: its lite-interpreter bytecode, channels-last
    input, under CPU autocast for bf16 (src/model/torchscript.cc); float32 out."""
    from torch.jit.mobile import _load_for_lite_interpreter
    lite = _load_for_lite_interpreter(io.BytesIO(module._save_to_buffer_for_lite_interpreter()))

    def forward(x):
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            return lite(x.contiguous(memory_format=torch.channels_last)).float()
    return forward


def _precision_references(module, cfg, probes, real_images):
    """{name: references} for each precision in PRECISIONS, computed by `module` as whatcar runs
    it: the probes' logits and the tolerance verify allows them. The real-image probes are top-1
    only, of photos whose top-1 leads by over twice the tolerance and a decoder's margin, so that
    no CPU's bf16 arithmetic can change it."""
    references = {}
    for name, tolerance in PRECISIONS.items():
        forward = as_whatcar_runs(module, name)
        references[name] = {"tolerance": tolerance, "probes": _probe_logits(forward, cfg, probes),
                            "image_probes": _real_probes(forward, cfg, real_images, 2 * tolerance + 0.4, k=1)}
    return references


def add_precision_references(path, real_images=()):
    """Store in the model at `path` the references of each precision in PRECISIONS, the rest of
    its metadata untouched; returns the new sha256."""
    module, metadata = read_metadata(path)
    probes = [(p["seed"], p["width"], p["height"]) for p in metadata["probes"]]
    metadata["precisions"] = _precision_references(module, metadata["preprocess"], probes, real_images)
    return _save(module, path, metadata)


def _save(frozen, path, metadata):
    # With bytecode for the lite interpreter, which whatcar runs (src/model/model.cc); torch.jit.load
    # still reads the file.
    frozen._save_for_lite_interpreter(str(path), _extra_files={METADATA_FILE: json.dumps(metadata, indent=1)})
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def record_sha256(path, digest):
    """Write `digest` for `path` into the SHA256SUMS beside it (what `whatcar verify` checks),
    keeping the other files' lines."""
    sums = Path(path).parent / "SHA256SUMS"
    name = Path(path).name
    lines = [line for line in (sums.read_text().splitlines() if sums.exists() else [])
             if line.split()[-1:] != [name]]
    sums.write_text("".join(f"{line}\n" for line in sorted(lines + [f"{digest}  {name}"], key=lambda l: l.split()[-1])))


def upgrade(old_path, path):
    """Rewrite a model of the text-metadata format (whatcar/model.txt, labels.txt, probes.txt) with
    the JSON metadata, the network untouched. Its real-image probes are dropped: they named the
    red-blue swapped crops, which nothing reads any more."""
    extra = {"whatcar/model.txt": "", "whatcar/labels.txt": "", "whatcar/probes.txt": ""}
    module = torch.jit.load(str(old_path), _extra_files=extra)
    text = {k: v.decode() if isinstance(v, bytes) else v for k, v in extra.items()}
    fields = dict(line.split(":", 1) for line in text["whatcar/model.txt"].splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    if not fields:
        raise SystemExit(f"{old_path}: no whatcar/model.txt inside")
    cfg = {k: fields.pop(k) for k in ("resize", "resize_size", "input_size", "interpolation", "mean", "std")
           if k in fields}
    cfg = {k: ([float(x) for x in v.split()] if k in ("mean", "std") else int(v) if k in ("resize_size", "input_size") else v)
           for k, v in cfg.items()}
    probe_lines = [line for line in text["whatcar/probes.txt"].splitlines() if line.strip()]
    probes = []
    for header, logits in zip(probe_lines[::2], probe_lines[1::2]):
        if header.startswith("probe "):
            seed, w, h = map(int, header.split()[1:])
            probes.append({"seed": seed, "width": w, "height": h, "logits": [float(x) for x in logits.split()]})
    metadata = {"name": fields.pop("name"), "version": fields.pop("version"), "preprocess": cfg,
                "min_confidence": float(fields.pop("min_confidence", 0)),
                "classes": [label_parts(label) for label in text["whatcar/labels.txt"].splitlines()],
                "probes": probes, "image_probes": [], "info": fields}
    return _save(module, path, metadata)


def read_metadata(path):
    """A whatcar model and its metadata (a dict)."""
    extra = {METADATA_FILE: ""}
    module = torch.jit.load(str(path), _extra_files=extra)
    text = extra[METADATA_FILE]
    return module, json.loads(text.decode() if isinstance(text, bytes) else text)


def main():
    import data
    from models import build_model
    from train import MEAN, STD, ema_weights

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="a training checkpoint (training/runs/NAME/last.pt)")
    source.add_argument("--upgrade", help="a whatcar model with the text metadata of earlier versions")
    source.add_argument("--add-references", metavar="MODEL",
                        help="an exported whatcar model: copy it to --out with the references of the reduced "
                             "precisions added (PRECISIONS), the network and the other metadata untouched")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--name", default="whatcar-cars")
    ap.add_argument("--version", default="1")
    ap.add_argument("--input-size", type=int, default=224)
    ap.add_argument("--min-confidence", type=float, default=0.0)
    ap.add_argument("--raw-weights", action="store_true",
                    help="export the trained weights, not their moving average (when the run kept one)")
    ap.add_argument("--info", action="append", default=[], help="extra KEY=VALUE for the model card fields")
    args = ap.parse_args()
    if args.upgrade:
        print(f"{upgrade(args.upgrade, args.out)}  {Path(args.out).name}")
        return

    classes, rows = data.read_labels(args.data)
    _, val_rows = data.split(rows)
    real_images = [Path(args.data) / "images" / f for f, _ in val_rows]
    if args.add_references:
        if Path(args.add_references).resolve() != Path(args.out).resolve():
            shutil.copyfile(args.add_references, args.out)
        digest = add_precision_references(args.out, real_images)
        record_sha256(args.out, digest)
        print(f"{digest}  {Path(args.out).name}")
        return

    ckpt = torch.load(args.checkpoint, map_location="cpu")
    arch = ckpt["args"]["arch"]
    model = build_model(arch, len(classes))
    weights = ckpt["model"]
    if "ema" in ckpt and not args.raw_weights:
        weights = ema_weights(ckpt)
    model.load_state_dict(weights)
    cfg = {"resize": "squash", "input_size": args.input_size, "interpolation": "bilinear",
           "mean": MEAN[arch], "std": STD[arch]}
    info = {"name": args.name, "version": args.version, "architecture": arch,
            "training_data": "Stanford Cars train images in true colour, cropped to the car"
                             + (", and full frames around the car's box" if ckpt["args"].get("context") else "")
                             + "; 85% stratified split; non-commercial research use only"}
    info.update(dict(kv.split("=", 1) for kv in args.info))
    digest = save_whatcar_model(model, args.out, labels=classes, preprocess_cfg=cfg, info=info,
                                min_confidence=args.min_confidence,
                                real_images=real_images)
    record_sha256(args.out, digest)
    print(f"{digest}  {Path(args.out).name}")


if __name__ == "__main__":
    main()
