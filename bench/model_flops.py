"""Floating-point operations of one forward pass of a whatcar model, counted from its layers
(2 x multiply-accumulates of every convolution and linear layer; element-wise work, a few
percent of the total, is left out). Prints GFLOPs per image.

    /usr/bin/python3 bench/model_flops.py MODEL
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from export import read_metadata  # noqa: E402
from models import build_model  # noqa: E402


def main():
    _, meta = read_metadata(sys.argv[1])
    size = int(meta["preprocess"]["input_size"])
    model = build_model(meta["info"]["architecture"], len(meta["classes"])).eval()
    flops = []

    def conv(m, _, out):
        flops.append(2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])

    def linear(m, _, out):
        flops.append(2 * out.numel() * m.in_features)

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear)
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    print(f"{sum(flops) / 1e9:.4f}")


if __name__ == "__main__":
    main()
