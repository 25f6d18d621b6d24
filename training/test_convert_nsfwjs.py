"""The converted MobileNetV2 computes what the TF.js model describes.

    NSFWJS_TARBALL=/path/nsfwjs-4.3.0.tgz /usr/bin/python3 -m unittest training/test_convert_nsfwjs.py

Without NSFWJS_TARBALL the test runs `npm pack nsfwjs@4.3.0` itself when
WHATCAR_FETCH_NSFWJS=1, and is skipped otherwise.
"""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convert_nsfwjs  # noqa: E402
import tfjs  # noqa: E402
import tfjs_reference  # noqa: E402
from models import build_model  # noqa: E402

# (number of torchvision feature stages applied, the Keras layer that ends at)
DEPTHS = [(1, "Conv1_relu"), (9, "block_7_add"), (19, "out_relu")]
TOLERANCE = 1e-3


def _rel_err(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


class ConversionMatchesTfjs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        tarball = os.environ.get("NSFWJS_TARBALL")
        if not tarball:
            if os.environ.get("WHATCAR_FETCH_NSFWJS") != "1":
                raise unittest.SkipTest("no nsfwjs tarball: set NSFWJS_TARBALL=path or WHATCAR_FETCH_NSFWJS=1")
            try:
                tarball = tfjs.fetch_tarball(cls._tmp.name)
            except (OSError, subprocess.CalledProcessError) as e:
                raise unittest.SkipTest(f"npm pack nsfwjs@4.3.0 failed ({e}); set NSFWJS_TARBALL=path")
        cls.layers, cls.weights, sd = convert_nsfwjs.convert(tarball)
        cls.model = build_model("mobilenet_v2", 1000).eval()
        cls.model.load_state_dict(sd, strict=False)
        rng = np.random.default_rng(0)
        cls.x = rng.uniform(-1, 1, size=(2, 224, 224, 3))

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_features_agree_at_several_depths(self):
        ref = tfjs_reference.run(self.layers, self.weights, self.x, until=DEPTHS[-1][1])
        h = torch.from_numpy(self.x.transpose(0, 3, 1, 2)).float()
        with torch.no_grad():
            for i, layer in enumerate(self.model.features):
                h = layer(h)
                for depth, keras_name in DEPTHS:
                    if depth == i + 1:
                        ours = h.numpy().transpose(0, 2, 3, 1)
                        err = _rel_err(ours, ref[keras_name])
                        print(f"{keras_name}: max relative error {err:.2e}")
                        self.assertLess(err, TOLERANCE, keras_name)
        pooled = h.mean((2, 3)).numpy()
        err = _rel_err(pooled, ref["out_relu"].mean((1, 2)))
        print(f"pooled features: max relative error {err:.2e}")
        self.assertLess(err, TOLERANCE)

    def test_torchvision_padding_would_not_agree(self):
        """The check can fail: stock torchvision padding shifts the grid and is caught."""
        import torchvision
        stock = torchvision.models.mobilenet_v2().eval()
        stock.load_state_dict(self.model.state_dict())
        ref = tfjs_reference.run(self.layers, self.weights, self.x, until="Conv1_relu")
        with torch.no_grad():
            ours = stock.features[0](torch.from_numpy(self.x.transpose(0, 3, 1, 2)).float())
        self.assertGreater(_rel_err(ours.numpy().transpose(0, 2, 3, 1), ref["Conv1_relu"]), TOLERANCE)


if __name__ == "__main__":
    unittest.main()
