"""Convert nsfwjs' Keras MobileNetV2 backbone (TF.js, uint8-quantised) to a torchvision state_dict.

    /usr/bin/python3 training/convert_nsfwjs.py --out /tmp/mobilenet_v2_imagenet.pt

The result loads into torchvision.models.mobilenet_v2 (backbone keys only; the
nsfwjs 5-class head is dropped) and is what `train.py --init` takes.
"""
import argparse
import tempfile

import numpy as np
import torch

import tfjs

KERAS_EPS = 1e-3
TORCH_EPS = 1e-5


def _conv(kernel):
    return torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)))  # HWIO -> OIHW


def _depthwise(kernel):
    kh, kw, cin, mult = kernel.shape
    # HW(in)(mult) -> (in*mult) 1 H W, output channel c*mult+m as in TensorFlow
    return torch.from_numpy(np.ascontiguousarray(kernel.transpose(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)))


def _bn(w, keras):
    # torchvision's BatchNorm2d uses eps=1e-5; fold Keras' larger eps into the variance
    # so that the stock module computes exactly what Keras did.
    return {
        "weight": torch.from_numpy(w[f"{keras}/gamma"]),
        "bias": torch.from_numpy(w[f"{keras}/beta"]),
        "running_mean": torch.from_numpy(w[f"{keras}/moving_mean"]),
        "running_var": torch.from_numpy(w[f"{keras}/moving_variance"] + (KERAS_EPS - TORCH_EPS)),
        "num_batches_tracked": torch.tensor(0),
    }


def keras_to_torchvision(weights):
    """Map Keras MobileNetV2 weight names to torchvision.models.mobilenet_v2 keys."""
    sd = {}

    def put(prefix, tensors):
        for k, v in tensors.items():
            sd[f"{prefix}.{k}"] = v

    def conv(prefix, keras):
        sd[f"{prefix}.weight"] = _conv(weights[f"{keras}/kernel"])

    def dw(prefix, keras):
        sd[f"{prefix}.weight"] = _depthwise(weights[f"{keras}/depthwise_kernel"])

    conv("features.0.0", "Conv1")
    put("features.0.1", _bn(weights, "bn_Conv1"))
    dw("features.1.conv.0.0", "expanded_conv_depthwise")
    put("features.1.conv.0.1", _bn(weights, "expanded_conv_depthwise_BN"))
    conv("features.1.conv.1", "expanded_conv_project")
    put("features.1.conv.2", _bn(weights, "expanded_conv_project_BN"))
    for i in range(1, 17):
        f = f"features.{i + 1}.conv"
        conv(f"{f}.0.0", f"block_{i}_expand")
        put(f"{f}.0.1", _bn(weights, f"block_{i}_expand_BN"))
        dw(f"{f}.1.0", f"block_{i}_depthwise")
        put(f"{f}.1.1", _bn(weights, f"block_{i}_depthwise_BN"))
        conv(f"{f}.2", f"block_{i}_project")
        put(f"{f}.3", _bn(weights, f"block_{i}_project_BN"))
    conv("features.18.0", "Conv_1")
    put("features.18.1", _bn(weights, "Conv_1_bn"))
    return sd


def convert(tarball):
    layers, weights = tfjs.load_model(tarball, "mobilenet_v2")
    return layers, weights, keras_to_torchvision(weights)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", help="nsfwjs-4.3.0.tgz (default: run `npm pack nsfwjs@4.3.0`)")
    ap.add_argument("--out", required=True, help="where to write the torchvision state_dict")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or tfjs.fetch_tarball(tmp)
        _, _, sd = convert(tarball)
    torch.save(sd, args.out)
    print(f"wrote {len(sd)} tensors to {args.out}")


if __name__ == "__main__":
    main()
