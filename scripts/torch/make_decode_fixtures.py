"""Writes the Pillow fixtures of ImageDecoderTest.jpegAndResizedCropMatchPillow to
semaim/src/test/resources/dev/semaim/data/ (or OUT_DIR): a 48x40 noisy RGB JPEG written by PIL (quality 90, 4:2:0),
PIL's decoding of it (convert("RGB"), 48*40*3 bytes, row-major RGB) and PIL's crop((7, 5, 40, 35)) then
resize((24, 24), BICUBIC) of that decoding (24*24*3 bytes): what torchvision's RandomResizedCrop does to a PIL image
for the box top 5, left 7, height 30, width 33.

Deterministic (seeded). Needs Debian's python3-pil and python3-numpy (they come with python3-torchvision).
Usage: /usr/bin/python3 scripts/torch/make_decode_fixtures.py [OUT_DIR]
"""
import os
import sys

import numpy as np
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "semaim/src/test/resources/dev/semaim/data"
rng = np.random.default_rng(24)
h, w = 40, 48
ys, xs = np.mgrid[0:h, 0:w]
base = np.stack([xs * 5, ys * 6, (xs + ys) * 3], axis=-1).astype(np.float32)
pixels = np.clip(base + rng.normal(0, 40, (h, w, 3)), 0, 255).astype(np.uint8)
jpeg = os.path.join(out, "pil-noise-48x40.jpg")
Image.fromarray(pixels, "RGB").save(jpeg, "JPEG", quality=90)
decoded = Image.open(jpeg).convert("RGB")
with open(os.path.join(out, "pil-noise-48x40.rgb"), "wb") as f:
    f.write(decoded.tobytes())
with open(os.path.join(out, "pil-noise-48x40-crop-5-7-30-33-to-24.rgb"), "wb") as f:
    f.write(decoded.crop((7, 5, 7 + 33, 5 + 30)).resize((24, 24), Image.BICUBIC).tobytes())
print("wrote", jpeg, "and its Pillow decoding and resized crop")
