"""Read a TF.js Keras model (topology + uint8-quantised weights) out of the nsfwjs npm tarball.

nsfwjs ships model.json and the weight shards wrapped in UMD JavaScript modules
(model.min.js exports the manifest object, each shard exports a base64 string).
Rather than re-implement a JavaScript parser we let node evaluate them: node is
present wherever `npm pack` could fetch the tarball in the first place.
"""
import base64
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

NSFWJS_SPEC = "nsfwjs@4.3.0"


def fetch_tarball(dest_dir):
    """Run `npm pack nsfwjs@4.3.0` into dest_dir and return the tarball's path."""
    out = subprocess.run(["npm", "pack", NSFWJS_SPEC, "--silent"], cwd=dest_dir,
                         check=True, capture_output=True, text=True).stdout.split()
    return Path(dest_dir) / out[-1]


def _node_eval(module_path):
    script = ("process.stdout.write(JSON.stringify(require(process.argv[1])))")
    out = subprocess.run(["node", "-e", script, str(module_path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def load_model(tarball, name="mobilenet_v2"):
    """Return (layers, weights): the Keras layer configs and a dict name -> float32 ndarray."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"package/dist/models/{name}/"
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
            if not members:
                raise SystemExit(f"{tarball}: no model '{name}' in this tarball")
            tar.extractall(tmp, members=members)
        model_dir = Path(tmp) / prefix
        manifest = _node_eval(model_dir / "model.min.js")
        layers = manifest["modelTopology"]["model_config"]["config"]["layers"]
        weights = {}
        for group in manifest["weightsManifest"]:
            blob = b"".join(base64.b64decode(_node_eval(model_dir / f"{p}.min.js"))
                            for p in group["paths"])
            offset = 0
            for entry in group["weights"]:
                count = int(np.prod(entry["shape"])) if entry["shape"] else 1
                q = entry.get("quantization")
                if q is None:
                    raw = np.frombuffer(blob, np.float32, count, offset)
                    offset += 4 * count
                    value = raw.astype(np.float32)
                else:
                    if q["dtype"] != "uint8":
                        raise SystemExit(f"unsupported quantisation {q['dtype']} for {entry['name']}")
                    raw = np.frombuffer(blob, np.uint8, count, offset)
                    offset += count
                    value = (q["min"] + q["scale"] * raw.astype(np.float64)).astype(np.float32)
                weights[entry["name"]] = value.reshape(entry["shape"])
            if offset != len(blob):
                raise SystemExit(f"weight shards hold {len(blob)} bytes, manifest describes {offset}")
    return layers, weights
