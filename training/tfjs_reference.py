"""An independent NumPy interpreter of a Keras model.json topology.

It evaluates the network exactly as Keras describes it (NHWC, HWIO kernels, its own
padding and BatchNorm epsilon), sharing no code with the PyTorch side, so agreement
between the two proves the weight conversion.
"""
import numpy as np


def _pad_same(x, k, s):
    pads = []
    for size, kk, ss in ((x.shape[1], k[0], s[0]), (x.shape[2], k[1], s[1])):
        out = -(-size // ss)
        total = max((out - 1) * ss + kk - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))


def _patches(x, k, s):
    n, h, w, c = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    cols = np.empty((n, oh, ow, k[0], k[1], c), x.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            cols[:, :, :, i, j, :] = x[:, i:i + s[0] * oh:s[0], j:j + s[1] * ow:s[1], :]
    return cols


def _conv(x, cfg, w):
    k, s = cfg["kernel_size"], cfg["strides"]
    if cfg["padding"] == "same":
        x = _pad_same(x, k, s)
    cols = _patches(x, k, s)
    if "depthwise_kernel" in w:
        kern = w["depthwise_kernel"]  # kh kw c mult
        y = np.einsum("nhwijc,ijcm->nhwcm", cols, kern).reshape(*cols.shape[:3], -1)
    else:
        y = np.tensordot(cols, w["kernel"], axes=([3, 4, 5], [0, 1, 2]))
    if cfg.get("use_bias"):
        y = y + w["bias"]
    return y


def _apply(layer, inputs, w):
    cls, cfg = layer["class_name"], layer["config"]
    x = inputs[0]
    if cls == "InputLayer":
        return x
    if cls == "ZeroPadding2D":
        (t, b), (l, r) = cfg["padding"]
        return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    if cls in ("Conv2D", "DepthwiseConv2D"):
        return _conv(x, cfg, w)
    if cls == "BatchNormalization":
        return (x - w["moving_mean"]) / np.sqrt(w["moving_variance"] + cfg["epsilon"]) * w["gamma"] + w["beta"]
    if cls == "ReLU":
        y = np.maximum(x, 0)
        return np.minimum(y, cfg["max_value"]) if cfg.get("max_value") is not None else y
    if cls == "Add":
        return sum(inputs)
    raise NotImplementedError(f"layer type {cls} ({layer['name']})")


def run(layers, weights, x_nhwc, until):
    """Evaluate the network on x (N,H,W,C float64) up to and including layer `until`.

    Returns every intermediate output by layer name.
    """
    outs = {}
    for layer in layers:
        name = layer["name"]
        ins = [outs[node[0]] for node in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else [x_nhwc]
        prefix = name + "/"
        w = {k[len(prefix):]: v.astype(np.float64) for k, v in weights.items() if k.startswith(prefix)}
        outs[name] = _apply(layer, ins, w)
        if name == until:
            return outs
    raise KeyError(until)
