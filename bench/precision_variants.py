"""The other ways libtorch 1.13 can run the two shipped networks on this CPU, against fp32 in the
same run: bfloat16 (CPU autocast, what `whatcar --precision bf16` does) and XNNPACK's prepacked
operators (torch.utils.mobile_optimizer). For each: ms per image at 1 and 2 threads and at the
batch sizes whatcar uses, and how far the outputs move from fp32's (the classifier's largest
logit difference; the detector's largest score and box-corner difference on its top rows).
Same libtorch as whatcar (Debian's libtorch1.13); the networks run as whatcar runs them, through
the lite interpreter on channels-last input.

    /usr/bin/python3 bench/precision_variants.py [--runs 9]

Accuracy is not measured here: training/evaluate_precision.py does that through the binary.
The detector's file records its convolutions as aten::_convolution (it is traced), which CPU
autocast leaves in fp32; the bf16 row rewrites them to aten::conv2d first, to see what bf16
would give if whatcar ran the detector so.
"""
import argparse
import sys
import time
from pathlib import Path

import torch
from torch.utils.mobile_optimizer import optimize_for_mobile

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "training"))
from export import as_whatcar_runs  # noqa: E402

CONV_PATTERN = """
graph(%x, %w, %b, %s, %p, %d, %t, %op, %g, %b1, %b2, %b3, %b4):
  %r = aten::_convolution(%x, %w, %b, %s, %p, %d, %t, %op, %g, %b1, %b2, %b3, %b4)
  return (%r)"""
CONV2D = """
graph(%x, %w, %b, %s, %p, %d, %t, %op, %g, %b1, %b2, %b3, %b4):
  %r = aten::conv2d(%x, %w, %b, %s, %p, %d, %g)
  return (%r)"""


def variants(path, rewrite_convolutions):
    bf16 = torch.jit.load(str(path))
    if rewrite_convolutions:
        torch._C._jit_pass_custom_pattern_based_rewrite_graph(CONV_PATTERN, CONV2D, bf16.graph)
    return [("fp32", as_whatcar_runs(torch.jit.load(str(path)), "fp32")), ("bf16", as_whatcar_runs(bf16, "bf16")),
            ("xnnpack", as_whatcar_runs(optimize_for_mobile(torch.jit.load(str(path))), "fp32"))]


def ms_per_image(fn, x, runs):
    for _ in range(3):
        fn(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2] * 1000 / x.shape[0]


def classifier_diff(out, ref):
    return f"logits {(out - ref).abs().max().item():.3f}"


def detector_diff(out, ref, rows=5):
    out, ref = out[0, :rows], ref[0, :rows]
    return (f"scores {(out[:, 4] - ref[:, 4]).abs().max().item():.4f}, "
            f"corners {(out[:, :4] - ref[:, :4]).abs().max().item():.2f} px")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(root / "models/whatcar-cars.pt"))
    ap.add_argument("--detector", default=str(root / "models/whatcar-detector.pt"))
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    torch.manual_seed(0)

    cases = [("classifier", args.model, False, classifier_diff, [(b, 256, 256) for b in (1, 4, 8)], 1.0),
             ("detector", args.detector, True, detector_diff, [(1, 288, 512), (1, 384, 512)], 255.0)]
    print("| network | variant | threads | input | ms/image | / fp32 | moved from fp32 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for network, path, rewrite, diff, shapes, scale in cases:
        runs = variants(path, rewrite)
        for batch, h, w in shapes:
            x = (torch.rand(batch, 3, h, w) * scale).contiguous(memory_format=torch.channels_last)
            reference = runs[0][1](x)
            for threads in (1, 2):
                torch.set_num_threads(threads)
                base = None
                for name, fn in runs:
                    ms = ms_per_image(fn, x, args.runs)
                    base = base or ms
                    print(f"| {network} | {name} | {threads} | {batch}x{w}x{h} | {ms:.1f} | {ms / base:.2f} "
                          f"| {diff(fn(x), reference)} |", flush=True)


if __name__ == "__main__":
    main()
