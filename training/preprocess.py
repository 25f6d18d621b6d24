"""The evaluation transform, in Python: what whatcar's C++ preprocessing reproduces.

Used by export (probe logits), evaluation and the C++ parity fixtures, so that all three
agree by construction with the metadata stored in the model.
"""
import numpy as np
import torch
from PIL import Image, ImageOps


def resize_and_crop(img, cfg):
    """PIL RGB image -> PIL RGB image of input_dims(...)."""
    size = int(cfg["input_size"])
    if cfg["resize"] == "squash":
        return img.resize((size, size), Image.BILINEAR)
    if cfg["resize"] == "letterbox":
        canvas = Image.new("RGB", input_dims(*img.size, cfg))
        canvas.paste(img.resize(letterbox_size(*img.size, size), Image.BILINEAR), (0, 0))
        return canvas
    if cfg["resize"] != "shorter-side":
        raise ValueError(f"unknown resize policy {cfg['resize']}")
    short = int(cfg["resize_size"])
    w, h = img.size
    new = (short, int(short * h / w)) if w <= h else (int(short * w / h), short)
    img = img.resize(new, Image.BILINEAR)
    # torchvision.transforms.functional.center_crop's offsets
    top = int(round((img.size[1] - size) / 2.0))
    left = int(round((img.size[0] - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def letterbox_size(width, height, size):
    """src/image/preprocess.cc's letterbox_size: the longer side becomes `size`, aspect kept."""
    longer = max(width, height)
    return max(1, round(width * size / longer)), max(1, round(height * size / longer))


def input_dims(width, height, cfg):
    """src/image/preprocess.cc's input_dims: the model's input (width, height) for an image.
    A letterbox with `pad_to` is the resized image rounded up to multiples of it; otherwise
    the input is input_size square."""
    size, pad_to = int(cfg["input_size"]), int(cfg.get("pad_to", 0))
    if cfg["resize"] != "letterbox" or not pad_to:
        return size, size
    return tuple(-(-side // pad_to) * pad_to for side in letterbox_size(width, height, size))


def to_tensor(img, cfg):
    """PIL RGB -> normalised float32 CHW tensor (ToTensor, then Normalize)."""
    x = torch.from_numpy(np.array(img, dtype=np.uint8)).permute(2, 0, 1).float().div(255)
    mean = torch.tensor([float(v) for v in cfg["mean"]]).view(3, 1, 1)
    std = torch.tensor([float(v) for v in cfg["std"]]).view(3, 1, 1)
    return (x - mean) / std


def load_rgb(path):
    """Decode with EXIF orientation applied, as whatcar does."""
    with Image.open(path) as im:
        return ImageOps.exif_transpose(im).convert("RGB")


def eval_tensor(img, cfg):
    return to_tensor(resize_and_crop(img, cfg), cfg)


def probe_image(seed, width, height):
    """Deterministic synthetic RGB image; whatcar's probe_image() (src/model/metadata.cc) computes the same pixels."""
    out = np.empty((height, width, 3), np.uint8)
    state = seed
    mask = (1 << 64) - 1
    for y in range(height):
        for x in range(width):
            for c in range(3):
                state = (state * 6364136223846793005 + 1442695040888963407) & mask
                noise = (state >> 56) >> 2
                v = x * 255 // width + y * 255 // height * (c + 1)
                out[y, x, c] = (v + noise) % 256
    return Image.fromarray(out, "RGB")
