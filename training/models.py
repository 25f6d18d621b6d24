"""Network definitions shared by training, export and the conversion check."""
import torch
import torch.nn.functional as F
import torchvision
from torch import nn


class TFSamePadConv2d(nn.Conv2d):
    """A Conv2d that pads like TensorFlow's 'same' (extra pixel at the bottom/right).

    Keras MobileNetV2 pads its stride-2 convolutions asymmetrically; torchvision pads
    1 pixel on every side, which shifts the sampling grid by one pixel and changes the
    features the ImageNet weights were trained to produce.
    """

    @staticmethod
    def _same_pad(size: int, k: int, s: int) -> int:
        out = (size + s - 1) // s
        return max((out - 1) * s + k - size, 0)

    def forward(self, x):
        w = self._same_pad(x.shape[-1], self.kernel_size[1], self.stride[1])
        h = self._same_pad(x.shape[-2], self.kernel_size[0], self.stride[0])
        return F.conv2d(F.pad(x, [w // 2, w - w // 2, h // 2, h - h // 2]), self.weight, self.bias, self.stride, 0,
                        self.dilation, self.groups)


def _use_tf_padding(model):
    for parent in model.modules():
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d) and child.stride != (1, 1):
                conv = TFSamePadConv2d(child.in_channels, child.out_channels, child.kernel_size,
                                       child.stride, 0, child.dilation, child.groups,
                                       child.bias is not None)
                conv.load_state_dict(child.state_dict())
                setattr(parent, name, conv)
    return model


def build_model(arch, num_classes, dropout=0.2):
    if arch == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2(num_classes=num_classes, dropout=dropout)
        return _use_tf_padding(model)
    if arch == "resnet18":
        return torchvision.models.resnet18(num_classes=num_classes)
    raise SystemExit(f"unknown architecture {arch}")


def load_backbone(model, state_dict_path):
    """Load a torchvision-format state_dict, ignoring a classifier of another shape; a training
    checkpoint (training/runs/<name>/last.pt) gives its live model, to continue from an earlier run."""
    state = torch.load(state_dict_path, map_location="cpu")
    if "model" in state and "opt" in state:
        state = state["model"]
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    missing = [k for k in own if k not in usable]
    if any(not k.startswith(("classifier.", "fc.")) for k in missing):
        raise SystemExit(f"{state_dict_path}: does not fit this architecture (missing {missing[:5]})")
    model.load_state_dict(usable, strict=False)
    return len(usable)
