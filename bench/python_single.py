"""One photo, the Python way the original tool worked: import torch and PIL, load the
TorchScript model, preprocess with PIL (the same transform whatcar reproduces), print the
top 5. Timed from outside, as a whole process, by bench/cold_single.sh.

    /usr/bin/python3 bench/python_single.py MODEL IMAGE
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import preprocess  # noqa: E402
from export import read_metadata  # noqa: E402


def main():
    torch.set_num_threads(2)
    model, meta = read_metadata(sys.argv[1])
    cfg = meta["preprocess"]
    labels = [c["label"] for c in meta["classes"]]
    x = preprocess.eval_tensor(preprocess.load_rgb(sys.argv[2]), cfg).unsqueeze(0)
    with torch.inference_mode():
        top = torch.softmax(model(x), 1)[0].topk(5)
    for p, i in zip(top.values.tolist(), top.indices.tolist()):
        print(f"{p:7.2%}  {labels[i]}")


if __name__ == "__main__":
    main()
