"""Writes the synthetic JPEG folder of the loader benchmark (scripts/bench-loader.sh): an ImageFolder tree
root/class_<k>/img_<i>.jpg of ImageNet-like photos, 500x375 RGB, quality 90, 4:2:0 (PIL's default), about 96 KB each.

Content is seeded noise at several octaves (smooth colour regions, edges and fine texture), so the files compress
like photographs rather than like flat test patterns. Deterministic: the same arguments give the same bytes.

Needs Debian's python3-pil and python3-numpy (both come with `apt-get install -y python3-torchvision`).
Usage: /usr/bin/python3 scripts/torch/make_jpeg_folder.py OUT_DIR [--images 512] [--classes 4] [--width 500]
       [--height 375] [--quality 90] [--seed 0]
"""
import argparse
import os

import numpy as np
from PIL import Image


def octave_noise(rng, h, w, cells, channels):
    """Random values on a (cells+1) grid, bilinearly upsampled to (h, w, channels)."""
    gh, gw = cells + 1, max(2, cells * w // h + 1)
    grid = rng.random((gh, gw, channels), dtype=np.float32)
    ys = np.linspace(0, gh - 1, h, dtype=np.float32)
    xs = np.linspace(0, gw - 1, w, dtype=np.float32)
    y0 = np.minimum(ys.astype(np.int32), gh - 2)
    x0 = np.minimum(xs.astype(np.int32), gw - 2)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    a = grid[y0][:, x0]
    b = grid[y0][:, x0 + 1]
    c = grid[y0 + 1][:, x0]
    d = grid[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def photo(rng, h, w):
    img = np.zeros((h, w, 3), dtype=np.float32)
    for cells, amp in ((2, 120), (6, 70), (24, 50), (96, 40), (250, 30)):
        img += amp * (octave_noise(rng, h, w, cells, 3) - 0.5)
    img += 128 + rng.normal(0, 16, (h, w, 3)).astype(np.float32)  # sensor-like grain
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--images", type=int, default=512)
    p.add_argument("--classes", type=int, default=4)
    p.add_argument("--width", type=int, default=500)
    p.add_argument("--height", type=int, default=375)
    p.add_argument("--quality", type=int, default=90)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    total = 0
    for i in range(a.images):
        d = os.path.join(a.out, f"class_{i % a.classes}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"img_{i:05d}.jpg")
        photo(rng, a.height, a.width).save(path, "JPEG", quality=a.quality)
        total += os.path.getsize(path)
    print(f"{a.images} JPEGs of {a.width}x{a.height}, quality {a.quality}, in {a.out}: "
          f"mean {total / a.images / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
