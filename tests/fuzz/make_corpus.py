"""Generate the seed corpus for fuzz_image: valid JPEG/PNG/BMP/GIF/WebP/TIFF files of a few sizes,
JPEGs with every EXIF orientation, and deliberately broken headers (HEIC, AVIF, JPEG XL and the
other formats' seeds are tests/fixtures/formats, which the fuzz tests read too). Crash reproducers found by the
fuzzer are kept beside it in tests/fuzz/regressions/ (committed) and replayed by the test.

    /usr/bin/python3 tests/fuzz/make_corpus.py OUT_DIR
"""
import io
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def picture(w, h, seed):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for i, (w, h) in enumerate([(1, 1), (7, 3), (33, 17), (64, 64)]):
        img = picture(w, h, i)
        files[f"rgb_{w}x{h}.jpg"] = encode(img, "JPEG", quality=80)
        files[f"rgb_{w}x{h}_progressive.jpg"] = encode(img, "JPEG", quality=80, progressive=True)
        files[f"rgb_{w}x{h}.png"] = encode(img, "PNG")
        files[f"rgba_{w}x{h}.png"] = encode(img.convert("RGBA"), "PNG")
        files[f"gray_{w}x{h}.png"] = encode(img.convert("L"), "PNG")
        files[f"rgb_{w}x{h}.bmp"] = encode(img, "BMP")
        files[f"rgb_{w}x{h}.gif"] = encode(img, "GIF")
        files[f"rgb_{w}x{h}.tga"] = encode(img, "TGA")
        files[f"rgb_{w}x{h}.ppm"] = encode(img, "PPM")
        files[f"rgb_{w}x{h}.webp"] = encode(img, "WEBP", quality=80)
        files[f"rgba_{w}x{h}_lossless.webp"] = encode(img.convert("RGBA"), "WEBP", lossless=True)
        files[f"rgb_{w}x{h}.tiff"] = encode(img, "TIFF", compression="tiff_lzw")
        files[f"cmyk_{w}x{h}.tiff"] = encode(img.convert("CMYK"), "TIFF")
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        files[f"orientation_{o}.jpg"] = encode(picture(12, 8, o), "JPEG", exif=exif.tobytes())
    # Broken headers: bombs, truncation, EXIF with offsets and counts out of range.
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    chunk = lambda kind, body: (struct.pack(">I", len(body)) + kind + body +
                                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    files["bomb.png"] = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 99))
    jpeg = files["rgb_33x17.jpg"]
    files["truncated.jpg"] = jpeg[:len(jpeg) // 2]
    bad_exif = b"Exif\0\0II*\0" + struct.pack("<I", 0xFFFFFF00)
    files["exif_bad_offset.jpg"] = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(bad_exif) + 2) + bad_exif + jpeg[2:]
    loop_exif = b"Exif\0\0II*\0" + struct.pack("<IH", 8, 0xFFFF) + b"\x12\x01\x03\0\x01\0\0\0\x06\0\0\0"
    files["exif_huge_count.jpg"] = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(loop_exif) + 2) + loop_exif + jpeg[2:]
    files["gif_huge_frame.gif"] = files["rgb_7x3.gif"][:6] + struct.pack("<HH", 65535, 65535) + files["rgb_7x3.gif"][10:]
    for name, data in files.items():
        (out / name).write_bytes(data)
    print(f"wrote {len(files)} seed files to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
