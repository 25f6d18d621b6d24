#!/bin/bash
# The classifier's training runs on a lent GPU machine (CUDA torch), in two calls because the
# packed data (training/pack_data.py --parts 2, about 46 MiB each) is more than one call carries:
#
#   bash training/gpu_train.sh stage PART1_DIR INIT.pt     # part 1 and the initial weights; times a step
#   bash training/gpu_train.sh train PART2_DIR EPOCHS      # part 2, then both runs side by side
#
# The two runs share one GPU: 224 px evaluated at 256, and 256 px evaluated at 288, both with
# context crops, CutMix and a moving average of the weights. Each leaves its log and, a file
# each, its weights and their moving average in $OUT (export.py --checkpoint reads either).
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=/tmp/whatcar-pack
OUT=${OUT:-/tmp/whatcar-out}
mkdir -p "$STAGE" "$OUT"

case "${1:-}" in
stage)
    cp -r "$2"/. "$STAGE"/
    cp "$3" "$STAGE/init.pt"
    nvidia-smi -L
    python3 - <<'EOF'
import sys, time, torch
sys.path.insert(0, "training")
import train
from models import build_model
m = build_model("mobilenet_v2", 196).cuda().to(memory_format=torch.channels_last)
opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
images = torch.randint(0, 255, (128, 3, 256, 256), dtype=torch.uint8, device="cuda")
gen = torch.Generator().manual_seed(0)
print("torch", torch.__version__)
for size in (224, 256):
    for i in range(30):
        if i == 10:
            torch.cuda.synchronize()
            t = time.time()
        x = train.normalize(train.augment(images, size, gen), "mobilenet_v2")
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = m(x).float().logsumexp(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.cuda.synchronize()
    print(f"{size} px: {(time.time() - t) / 20 * 1000:.1f} ms a step of 128")
EOF
    ;;
train)
    cp -r "$2"/. "$STAGE"/
    epochs=$3
    crops=$(ls "$STAGE/stanford-cars-rgb/images" | wc -l)
    frames=$(ls "$STAGE/stanford-cars-fullframe/images" | wc -l)
    if [ "$crops" != 7164 ] || [ "$frames" != 6083 ] || [ ! -f "$STAGE/init.pt" ]; then
        echo "gpu_train.sh: $crops crops, $frames frames staged: run the stage call on this machine first" >&2
        exit 2
    fi
    # Caches first, once: the two runs would otherwise both write them.
    python3 - "$STAGE" <<'EOF'
import sys, time
sys.path.insert(0, "training")
import train
t = time.time()
_, (train_x, _), (val_x, _), _, _ = train.load_caches(f"{sys.argv[1]}/stanford-cars-rgb",
                                                      f"{sys.argv[1]}/stanford-cars-fullframe", context=True)
print(f"caches: {len(train_x)} train, {len(val_x)} val in {time.time() - t:.0f} s")
EOF
    common=(--init "$STAGE/init.pt" --data "$STAGE/stanford-cars-rgb" --fullframe "$STAGE/stanford-cars-fullframe"
            --epochs "$epochs" --batch-size 128 --lr 0.1 --freeze-stages 0 --context 0.25 --cutmix 0.5
            --ema 0.995 --device cuda --bf16)
    # Cut at the limit so that whatever epochs finished still come back.
    limit=${TRAIN_LIMIT_S:-450}
    timeout "$limit" python3 training/train.py --name gpu-224 --img-size 224 --eval-size 256 "${common[@]}" \
        > "$OUT/gpu-224.out" 2>&1 &
    timeout "$limit" python3 training/train.py --name gpu-256 --img-size 256 --eval-size 288 "${common[@]}" \
        > "$OUT/gpu-256.out" 2>&1 &
    wait || true
    for name in gpu-224 gpu-256; do
        cp "training/runs/$name.log" "$OUT/" || true
        python3 - "training/runs/$name/last.pt" "$OUT/$name" <<'EOF' || true
import sys, torch
sys.path.insert(0, "training")
from train import ema_weights
ckpt = torch.load(sys.argv[1], map_location="cpu", weights_only=False)
keep = {"args": ckpt["args"], "epoch": ckpt["epoch"]}
torch.save({**keep, "model": ckpt["model"]}, sys.argv[2] + ".pt")
torch.save({**keep, "model": ema_weights(ckpt)}, sys.argv[2] + "-ema.pt")
print(sys.argv[2], "epoch", ckpt["epoch"] + 1)
EOF
    done
    tail -n 3 "$OUT"/*.log
    ;;
*)
    echo "usage: gpu_train.sh stage PART1_DIR INIT.pt | train PART2_DIR EPOCHS" >&2
    exit 2
    ;;
esac
