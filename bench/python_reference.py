"""The Python way to classify many photos, for comparison: the same TorchScript models with
torch + PIL + a DataLoader, under the same 2-core budget (1 decoding worker process,
2 torch threads). With DETECTOR, the same job as `whatcar batch`: the worker decodes and
makes the detector's input, the main process detects, crops the largest car with whatcar's
margin and classifies the crops of a batch together (training/detect.py). Prints the number of
images done; the caller times the whole process, as it times whatcar's, since start-up (import
torch, model load) is part of what a user waits for.

    /usr/bin/python3 bench/python_reference.py MODEL LIST_FILE [BATCH] [DETECTOR]
"""
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import detect  # noqa: E402
import preprocess  # noqa: E402
from export import read_metadata  # noqa: E402
from python_single import CROP_MARGIN  # noqa: E402


class Files(Dataset):
    def __init__(self, paths, cfg, detector_meta):
        self.paths, self.cfg, self.detector_meta = paths, cfg, detector_meta

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        image = preprocess.load_rgb(self.paths[i])
        if self.detector_meta is None:
            return preprocess.eval_tensor(image, self.cfg)
        return detect.detector_input(image, self.detector_meta), image


def main():
    model_path, list_file = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    detector, detector_meta = detect.load_detector(sys.argv[4]) if len(sys.argv) > 4 else (None, None)
    torch.set_num_threads(2)
    model, meta = read_metadata(model_path)
    cfg = meta["preprocess"]
    paths = Path(list_file).read_text().split()
    collate = (lambda items: items) if detector else None
    loader = DataLoader(Files(paths, cfg, detector_meta), batch_size=batch, num_workers=1, collate_fn=collate)
    n = 0
    with torch.inference_mode():
        for items in loader:
            if detector:
                crops = []
                for x, image in items:
                    cars = detect.vehicles_from_rows(detector(x.unsqueeze(0))[0], detector_meta, image.width, image.height)
                    if cars:
                        region = detect.crop_region(cars[0][:4], CROP_MARGIN, image.width, image.height)
                        crops.append(preprocess.eval_tensor(image.crop(region), cfg))
                n += len(items)
                if not crops:
                    continue
                x = torch.stack(crops)
            else:
                x = items
                n += len(x)
            torch.softmax(model(x), 1).topk(5, 1)
    print(n)


if __name__ == "__main__":
    main()
