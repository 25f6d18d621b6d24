"""Train the whatcar car classifier on CPU cores or a GPU; resumable, one checkpoint per epoch.

    nohup /usr/bin/python3 training/train.py --name mnv2-nsfwjs --init /tmp/mobilenet_v2_imagenet.pt \
        > /dev/null 2>&1 &

The log goes to training/runs/<name>.log, checkpoints to training/runs/<name>/ (ignored by git).
Run the same command again to resume from the last checkpoint.
"""
import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import data
from models import build_model, load_backbone

RUNS = Path(__file__).resolve().parent / "runs"
# MobileNetV2 takes pixels in [0, 1]: nsfwjs fed its network x/255, and Keras 2.2.4 kept
# updating BatchNorm moving statistics under a "frozen" backbone, so the converted running
# statistics describe [0, 1] inputs (measured: batch/running variance ratio 0.64 at the stem for
# [0, 1] against 2.38 for Keras' usual [-1, 1]; fine-tuning with [-1, 1] started at loss 8).
MEAN = {"mobilenet_v2": [0.0, 0.0, 0.0], "resnet18": [0.485, 0.456, 0.406]}
STD = {"mobilenet_v2": [1.0, 1.0, 1.0], "resnet18": [0.229, 0.224, 0.225]}
CACHE_SIZE = 256


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(data.DEFAULT_DATA))
    ap.add_argument("--name", required=True)
    ap.add_argument("--arch", default="mobilenet_v2", choices=sorted(MEAN))
    ap.add_argument("--init", help="torchvision-format state_dict, or an earlier run's last.pt, to start from")
    ap.add_argument("--epochs", type=int, default=28)
    ap.add_argument("--img-size", type=int, default=160, help="training crop size")
    ap.add_argument("--eval-size", type=int, default=224)
    ap.add_argument("--batch-size", type=int, default=48)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--freeze-stages", type=int, default=2,
                    help="leading feature stages kept frozen (highest resolution, most expensive backward)")
    ap.add_argument("--probe-steps", type=int, default=100,
                    help="with --init: fit the new head on frozen features first (linear probe, then fine-tune)")
    ap.add_argument("--context", type=float, default=0.0,
                    help="share of training samples cut from the full frame around the official box")
    ap.add_argument("--fullframe", default=str(data.SHARED_FULLFRAME))
    ap.add_argument("--cutmix", type=float, default=0.0,
                    help="probability that a batch is trained with CutMix (a patch of another image pasted in)")
    ap.add_argument("--ema", type=float, default=0.0, help="decay of an exponential moving average of the weights")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda: the images, augmentation and model all live there")
    ap.add_argument("--bf16", action="store_true", help="on cuda: bfloat16 autocast for the forward and backward pass")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def normalize(x_uint8, arch):
    mean = torch.tensor(MEAN[arch], device=x_uint8.device).view(1, 3, 1, 1) * 255
    std = torch.tensor(STD[arch], device=x_uint8.device).view(1, 3, 1, 1) * 255
    return ((x_uint8.float() - mean) / std).contiguous(memory_format=torch.channels_last)


def _random_crop_box(h, w, gen):
    """Random resized crop (scale 0.25-1, aspect 3/4-4/3) inside an h x w image: (x0, y0, cw, ch)."""
    for _ in range(10):
        area = h * w * (0.25 + 0.75 * torch.rand(1, generator=gen).item())
        ratio = math.exp(math.log(3 / 4) + math.log(16 / 9) * torch.rand(1, generator=gen).item())
        cw, ch = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
        if cw <= w and ch <= h:
            break
    else:
        cw, ch = w, h
    x0 = int(torch.randint(0, w - cw + 1, (1,), generator=gen))
    y0 = int(torch.randint(0, h - ch + 1, (1,), generator=gen))
    return x0, y0, cw, ch


def _context_box(box, h, w, gen):
    """The official box of a full frame grown by a random margin (0-30% of its size per side) and
    moved by up to 8% per edge: what a detector's box with whatcar's crop margin looks like."""
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    m = 0.3 * torch.rand(1, generator=gen).item()
    j = (torch.rand(4, generator=gen) - 0.5) * 0.16
    x1, x2 = x1 - bw * (m + j[0].item()), x2 + bw * (m + j[1].item())
    y1, y2 = y1 - bh * (m + j[2].item()), y2 + bh * (m + j[3].item())
    x1, y1 = max(0, int(math.floor(x1))), max(0, int(math.floor(y1)))
    x2, y2 = min(w, max(x1 + 1, int(math.ceil(x2)))), min(h, max(y1 + 1, int(math.ceil(y2))))
    return x1, y1, x2 - x1, y2 - y1


def augment(images, size, gen, frames=None, boxes=None, context=0.0):
    """Flip and colour jitter on uint8 tensors, after either a random resized crop of the tight
    crop or, with probability `context`, a context crop of the same photo's full frame."""
    n, _, h, w = images.shape
    out = torch.empty(n, 3, size, size, device=images.device)
    for i in range(n):
        if context and torch.rand(1, generator=gen).item() < context:
            fh, fw = frames.shape[2:]
            x0, y0, cw, ch = _context_box(boxes[i].tolist(), fh, fw, gen)
            source = frames[i:i + 1]
        else:
            x0, y0, cw, ch = _random_crop_box(h, w, gen)
            source = images[i:i + 1]
        crop = source[:, :, y0:y0 + ch, x0:x0 + cw].float()
        crop = F.interpolate(crop, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        if torch.rand(1, generator=gen).item() < 0.5:
            crop = crop.flip(3)
        b, c, s = (1 + 0.6 * (torch.rand(3, generator=gen) - 0.5)).tolist()
        gray = crop.mean(1, keepdim=True)
        crop = (crop - gray) * s + gray
        crop = (crop - crop.mean()) * c + crop.mean()
        out[i] = (crop * b).clamp(0, 255)[0]
    return out


def cutmix(x, gen):
    """Paste a random box of a shuffled copy of the batch into it (CutMix, Yun et al. 2019):
    returns the mixed batch, the permutation and the share of each image left uncovered."""
    n, _, h, w = x.shape
    lam = torch.rand(1, generator=gen).item()
    cw, ch = int(w * math.sqrt(1 - lam)), int(h * math.sqrt(1 - lam))
    cx, cy = int(torch.randint(0, w, (1,), generator=gen)), int(torch.randint(0, h, (1,), generator=gen))
    x1, x2 = max(0, cx - cw // 2), min(w, cx + cw // 2)
    y1, y2 = max(0, cy - ch // 2), min(h, cy + ch // 2)
    perm = torch.randperm(n, generator=gen)
    x = x.clone()
    x[:, :, y1:y2, x1:x2] = x[perm, :, y1:y2, x1:x2]
    return x, perm, 1 - (x2 - x1) * (y2 - y1) / (w * h)


def evaluate(model, images, labels, arch, size, batch=100):
    model.eval()
    correct1 = correct5 = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = F.interpolate(images[i:i + batch].float(), size=(size, size), mode="bilinear",
                              antialias=True, align_corners=False)
            top5 = model(normalize(x, arch)).topk(5, 1).indices
            y = labels[i:i + batch].view(-1, 1)
            correct1 += (top5[:, :1] == y).sum().item()
            correct5 += (top5 == y).any(1).sum().item()
    return correct1 / len(images), correct5 / len(images)


def features(model, images, arch, size, batch=100):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = F.interpolate(images[i:i + batch].float(), size=(size, size), mode="bilinear",
                              antialias=True, align_corners=False)
            out.append(torch.flatten(F.adaptive_avg_pool2d(model.features(normalize(x, arch)), 1), 1))
    return torch.cat(out)


def linear_probe(model, train_x, train_y, arch, size, steps):
    """Fit the classifier on frozen pretrained features, so that fine-tuning starts from a
    head that already points somewhere: a random head's gradients scramble the backbone first."""
    feats = features(model, train_x, arch, size)
    head = model.classifier[-1]
    # Regularised (weight decay, label smoothing, few steps): an over-confident head fit to clean
    # features gave loss 6 on the first augmented batches of fine-tuning.
    opt = torch.optim.Adam(head.parameters(), lr=1e-3, weight_decay=5e-4)
    for _ in range(steps):
        loss = F.cross_entropy(head(feats), train_y, label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def recalibrate_bn(model, images, arch, size, gen, batches=25, batch=48):
    """Re-estimate BatchNorm running statistics on (augmented) car images (AdaBN).

    The pretrained statistics describe another data set; measured on 48 car crops, a
    train-mode forward pass (batch statistics) gave loss 7.9 where eval mode gave 0.96,
    so training and evaluation saw different networks until the statistics were re-estimated.
    """
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            idx = torch.randint(0, len(images), (batch,), generator=gen)
            model(normalize(augment(images[idx], size, gen), arch))
    for bn in bns:
        bn.momentum = 0.1


def set_frozen(model, stages):
    for i, stage in enumerate(model.features):
        frozen = i < stages
        for p in stage.parameters():
            p.requires_grad_(not frozen)
        if frozen:
            stage.eval()


def load_caches(data_dir, fullframe, context):
    """The decoded training and validation images (built on first use), and with `context` the
    training photos' full frames and boxes: (classes, train, val, frames, boxes)."""
    classes, rows = data.read_labels(data_dir)
    train_rows, val_rows = data.split(rows)
    cache = RUNS / "cache" / Path(data_dir).name
    train = data.cache_images(data_dir, train_rows, CACHE_SIZE, cache / "train.pt")
    val = data.cache_images(data_dir, val_rows, CACHE_SIZE, cache / "val.pt")
    frames = boxes = None
    if context:
        frames, boxes = data.cache_fullframes(fullframe, train_rows, cache / "train-fullframe.pt")
    return classes, train, val, frames, boxes


def ema_weights(ckpt):
    """The moving average's weights in a checkpoint, keyed as the model's own."""
    return {k[len("module."):]: v for k, v in ckpt["ema"].items() if k.startswith("module.")}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    run_dir = RUNS / args.name
    run_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(RUNS / f"{args.name}.log", "a")

    def log(msg):
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {msg}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    classes, (train_x, train_y), (val_x, val_y), frames, boxes = load_caches(args.data, args.fullframe, args.context)
    if frames is not None:
        frames = frames.to(args.device)  # boxes stay: read one by one as Python numbers
    train_x, train_y, val_x, val_y = (t.to(args.device) for t in (train_x, train_y, val_x, val_y))
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True
    autocast = torch.autocast(args.device.split(":")[0], dtype=torch.bfloat16, enabled=args.bf16)

    model = build_model(args.arch, len(classes)).to(args.device, memory_format=torch.channels_last)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0}], lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = len(train_x) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    warmup = steps_per_epoch

    def lr_at(step):
        if step < warmup:
            return args.lr * (step + 1) / warmup
        return 0.5 * args.lr * (1 + math.cos(math.pi * (step - warmup) / max(1, total_steps - warmup)))

    # Buffers averaged too: BatchNorm statistics copied from the live model do not fit the
    # averaged weights (measured: 0.7% validation top-1 after 4 epochs with copied statistics).
    ema = torch.optim.swa_utils.AveragedModel(
        model, avg_fn=lambda avg, new, _: args.ema * avg + (1 - args.ema) * new, use_buffers=True) if args.ema else None

    start_epoch = 0
    ckpt_path = run_dir / "last.pt"
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location="cpu")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        start_epoch = ckpt["epoch"] + 1
        torch.set_rng_state(ckpt["rng"])
        if ema is not None:
            ema.load_state_dict(ckpt["ema"])
        log(f"resumed from {ckpt_path} at epoch {start_epoch}")
    else:
        log(f"start {json.dumps(vars(args))}; train {len(train_x)} val {len(val_x)}")
        if args.init:
            log(f"initialised {load_backbone(model, args.init)} tensors from {args.init}")
            recalibrate_bn(model, train_x, args.arch, args.img_size, torch.Generator().manual_seed(args.seed))
            if args.probe_steps:
                loss = linear_probe(model, train_x, train_y, args.arch, args.img_size, args.probe_steps)
                top1, top5 = evaluate(model, val_x, val_y, args.arch, args.eval_size)
                log(f"linear probe: train loss {loss:.4f} val@{args.eval_size} top1 {top1:.4f} top5 {top5:.4f}")

    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(start_epoch, args.epochs):
        gen.manual_seed(args.seed * 1000 + epoch)
        model.train()
        set_frozen(model, args.freeze_stages)
        order = torch.randperm(len(train_x), generator=gen)
        t0, seen, loss_sum = time.time(), 0, 0.0
        for it in range(steps_per_epoch):
            step = epoch * steps_per_epoch + it
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            idx = order[it * args.batch_size:(it + 1) * args.batch_size]
            x = normalize(augment(train_x[idx], args.img_size, gen, frames[idx] if args.context else None,
                                  boxes[idx] if args.context else None, args.context), args.arch)
            y = train_y[idx]
            with autocast:
                if args.cutmix and torch.rand(1, generator=gen).item() < args.cutmix:
                    x, perm, keep = cutmix(x, gen)
                    out = model(x)
                    loss = (keep * F.cross_entropy(out, y, label_smoothing=args.label_smoothing)
                            + (1 - keep) * F.cross_entropy(out, y[perm], label_smoothing=args.label_smoothing))
                else:
                    loss = F.cross_entropy(model(x), y, label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(model)
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
        train_time = time.time() - t0
        top1, top5 = evaluate(model, val_x, val_y, args.arch, args.eval_size)
        ema_text = ""
        if ema is not None:
            ema_top1, ema_top5 = evaluate(ema.module, val_x, val_y, args.arch, args.eval_size)
            ema_text = f" ema top1 {ema_top1:.4f} top5 {ema_top5:.4f}"
        log(f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / seen:.4f} lr {lr_at(step):.5f} "
            f"val@{args.eval_size} top1 {top1:.4f} top5 {top5:.4f}{ema_text} "
            f"train {train_time:.0f}s ({seen / train_time:.1f} img/s)")
        state = {"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch,
                 "rng": torch.get_rng_state(), "args": vars(args)}
        if ema is not None:
            state["ema"] = ema.state_dict()
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.rename(ckpt_path)
    log("done")


if __name__ == "__main__":
    main()
