"""Unpack the photos without cars listed in training/no_car_photos.txt from their Debian packages.

    /usr/bin/python3 training/no_car_photos.py [--out DIR]

Downloads each package with `apt-get download` (no installation, no root needed) and extracts
only the listed files to DIR (default ~/.cache/whatcar/no-car), named <package>-<file name>.
They are the negatives of training/evaluate_detection.py; never commit them.
"""
import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

LIST = Path(__file__).resolve().parent / "no_car_photos.txt"
DEFAULT_OUT = Path.home() / ".cache" / "whatcar" / "no-car"


def read_list(path=LIST):
    """[(package, path inside it, output name)] in file order."""
    entries = []
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, inside, *name = line.split()
            entries.append((package, inside, f"{package}-{name[0] if name else Path(inside).name}"))
    return entries


def unpack(out=DEFAULT_OUT):
    entries = read_list()
    out = Path(out)
    if all((out / name).exists() for _, _, name in entries):
        return [out / name for _, _, name in entries]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package in dict.fromkeys(p for p, _, _ in entries):
            subprocess.run(["apt-get", "download", package], cwd=tmp, check=True, capture_output=True)
            deb = next(Path(tmp).glob(f"{package}_*.deb"))
            tree = Path(tmp) / package
            subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
            for p, inside, name in entries:
                if p == package:
                    shutil.copyfile(tree / inside.lstrip("/"), out / name)
            shutil.rmtree(tree)
            deb.unlink()
    return [out / name for _, _, name in entries]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    args = ap.parse_args()
    photos = unpack(args.out)
    print(f"{len(photos)} photos without cars in {args.out}")


if __name__ == "__main__":
    main()
