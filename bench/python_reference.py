"""The Python way to classify many photos, for comparison: the same TorchScript model with
torch + PIL + a DataLoader, under the same 2-core budget (1 decoding worker process,
2 torch threads). Prints the number of images classified; the caller times the whole process,
as it times whatcar's, since start-up (import torch, model load) is part of what a user waits for.

    /usr/bin/python3 bench/python_reference.py MODEL LIST_FILE [BATCH]
"""
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import preprocess  # noqa: E402
from export import read_metadata  # noqa: E402


class Files(Dataset):
    def __init__(self, paths, cfg):
        self.paths, self.cfg = paths, cfg

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return preprocess.eval_tensor(preprocess.load_rgb(self.paths[i]), self.cfg)


def main():
    model_path, list_file = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    torch.set_num_threads(2)
    model, meta = read_metadata(model_path)
    cfg = meta["preprocess"]
    paths = Path(list_file).read_text().split()
    loader = DataLoader(Files(paths, cfg), batch_size=batch, num_workers=1)
    n = 0
    with torch.inference_mode():
        for x in loader:
            top = torch.softmax(model(x), 1).topk(5, 1)
            n += len(top.indices)
    print(n)


if __name__ == "__main__":
    main()
