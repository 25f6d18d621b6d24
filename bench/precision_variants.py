"""The other ways libtorch 1.13 can run the two networks on this CPU, against the shipped fp32
models in the same run: XNNPACK's prepacked operators (torch.utils.mobile_optimizer), bfloat16
(CPU autocast) and int8 (FX post-training static quantisation, oneDNN engine; classifier only,
calibrated on training crops). For each: ms per image at the given threads and batch sizes,
the largest logit / score difference from fp32 and, for the classifier, top-1 on the validation
split and agreement with fp32's top-1. Same libtorch as whatcar (Debian's libtorch1.13).

    /usr/bin/python3 bench/precision_variants.py [--val-images 1081] [--calibration 512]

Needs training/train.py's image cache (training/runs/cache/, made by any training run).
"""
import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "training"))
from export import read_metadata  # noqa: E402
from models import TFSamePadConv2d, build_model  # noqa: E402
from train import normalize  # noqa: E402


def ms_per_image(fn, x, runs):
    for _ in range(3):
        fn(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2] * 1000 / x.shape[0]


def static_padding(model, size):
    """TFSamePadConv2d computes its padding from the input's shape, which FX cannot trace; at a
    fixed input size the padding is a constant ZeroPad2d."""
    sizes = {}
    hooks = [m.register_forward_pre_hook(lambda m, inp, n=n: sizes.__setitem__(n, inp[0].shape[-2:]))
             for n, m in model.named_modules() if isinstance(m, TFSamePadConv2d)]
    model(torch.rand(1, 3, size, size))
    for h in hooks:
        h.remove()
    for name, (h, w) in sizes.items():
        parent_name, _, leaf = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        old = getattr(parent, leaf)
        ph = old._same_pad(h, old.kernel_size[0], old.stride[0])
        pw = old._same_pad(w, old.kernel_size[1], old.stride[1])
        conv = nn.Conv2d(old.in_channels, old.out_channels, old.kernel_size, old.stride, 0, old.dilation,
                         old.groups, old.bias is not None)
        conv.load_state_dict(old.state_dict())
        setattr(parent, leaf, nn.Sequential(nn.ZeroPad2d((pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)), conv))
    return model.eval()


def int8_classifier(checkpoint, size, calibration):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    ckpt = torch.load(checkpoint, map_location="cpu")
    model = build_model(ckpt["args"]["arch"], 196)
    model.load_state_dict({k[len("module."):]: v for k, v in ckpt["ema"].items() if k.startswith("module.")})
    model = static_padding(model.eval(), size)
    torch.backends.quantized.engine = "onednn"
    prepared = prepare_fx(model, get_default_qconfig_mapping("onednn"), (torch.rand(1, 3, size, size),))
    for i in range(0, len(calibration), 32):
        prepared(normalize(calibration[i:i + 32].float(), "mobilenet_v2").contiguous())
    return torch.jit.freeze(torch.jit.script(convert_fx(prepared)))


def bf16(fn):
    def run(x):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return fn(x)
    return run


def first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(root / "models/whatcar-cars.pt"))
    ap.add_argument("--detector", default=str(root / "models/whatcar-detector.pt"))
    ap.add_argument("--checkpoint", default=str(root / "training/runs/mnv2-rgb-224/last.pt"),
                    help="the shipped classifier's run, for int8 (quantisation needs the eager network)")
    ap.add_argument("--cache", default=str(root / "training/runs/cache/stanford-cars-rgb"))
    ap.add_argument("--val-images", type=int, default=1081)
    ap.add_argument("--calibration", type=int, default=512)
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    torch.set_grad_enabled(False)

    classifier, meta = read_metadata(args.model)
    size = meta["preprocess"]["input_size"]
    detector = torch.jit.load(args.detector).eval()
    dsize = 512
    from torch.utils.mobile_optimizer import optimize_for_mobile
    val = torch.load(Path(args.cache) / "val.pt")
    vx, vy = val["images"][:args.val_images], val["labels"][:args.val_images]
    train = torch.load(Path(args.cache) / "train.pt")
    pick = torch.randperm(len(train["images"]), generator=torch.Generator().manual_seed(0))[:args.calibration]
    calibration = train["images"][pick].clone()
    del train

    variants = {
        "classifier": [("fp32", classifier), ("xnnpack", optimize_for_mobile(classifier)),
                       ("bf16", bf16(classifier)), ("int8", int8_classifier(args.checkpoint, size, calibration))],
        "detector": [("fp32", detector), ("xnnpack", optimize_for_mobile(detector)), ("bf16", bf16(detector))],
    }
    base_ms = {}
    print(f"{'network':<11} {'variant':<8} {'threads':>7} {'batch':>5} {'ms/img':>8} {'/ fp32':>7} "
          f"{'max diff':>9} {'top-1':>7} {'agree':>7}", flush=True)
    for network, runs in variants.items():
        s = size if network == "classifier" else dsize
        scale = 1.0 if network == "classifier" else 255.0
        x1 = torch.rand(1, 3, s, s) * scale
        reference = first(runs[0][1](x1))
        fp32_top1 = None
        for name, fn in runs:
            diff = (first(fn(x1)).float() - reference).abs().max().item()
            top1 = agree = ""
            if network == "classifier":
                torch.set_num_threads(2)
                preds = torch.cat([first(fn(normalize(vx[i:i + 100].float(), "mobilenet_v2").contiguous())).argmax(1)
                                   for i in range(0, len(vx), 100)])
                fp32_top1 = preds if fp32_top1 is None else fp32_top1
                top1 = f"{(preds == vy).float().mean().item():.2%}"
                agree = f"{(preds == fp32_top1).float().mean().item():.2%}"
            for threads in (1, 2):
                torch.set_num_threads(threads)
                for batch in ((1, 8) if network == "classifier" else (1,)):
                    x = torch.rand(batch, 3, s, s) * scale
                    ms = ms_per_image(fn, x, args.runs)
                    base = ms if name == "fp32" else base_ms[(network, threads, batch)]
                    if name == "fp32":
                        base_ms[(network, threads, batch)] = ms
                    print(f"{network:<11} {name:<8} {threads:>7} {batch:>5} {ms:>8.1f} {ms / base:>7.2f} "
                          f"{diff:>9.2e} {top1:>7} {agree:>7}", flush=True)


if __name__ == "__main__":
    main()
