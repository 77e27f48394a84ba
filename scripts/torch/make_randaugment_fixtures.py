#!/usr/bin/python3
"""Write PIL reference outputs of the RandAugment ops for dev.semaim.data.augment's tests.

Usage (from the repo root):  /usr/bin/python3 scripts/torch/make_randaugment_fixtures.py [out_dir]
Default out_dir: semaim/src/test/resources/dev/semaim/data/augment.  Needs Debian's python3-pil + numpy.

timm's RandAugment ops are thin wrappers around these PIL calls (ImageOps, ImageEnhance, Image.rotate,
Image.transform(AFFINE)); the op arguments below are the values timm's level functions produce, called here
directly so that every case is deterministic. Files:
  pil_ops_input_rgb.bin  uint8 (3, 24, 20) CHW, numpy seed 0, levels 30..199 (so autocontrast stretches)
  pil_ops_input_l.bin    uint8 (1, 23, 17), numpy seed 1, levels 10..239
(more than 256 pixels per channel, else equalize is the identity)
  pil_ops.txt            one case per line: "<input> <op> <args...> <byte offset>" into pil_ops.bin
  pil_ops.bin            the outputs, CHW uint8, concatenated
"""
import os
import sys

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'semaim/src/test/resources/dev/semaim/data/augment')
FILL = (124, 116, 104)  # create_transform's img_mean for the ImageNet mean
INTERP = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}


def to_pil(chw):
    return Image.fromarray(chw[0]) if chw.shape[0] == 1 else Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)))


def to_chw(img):
    a = np.asarray(img)
    return a[None] if a.ndim == 2 else a.transpose(2, 0, 1)


def solarize_add(img, add, thresh=128):
    lut = [min(255, i + add) if i < thresh else i for i in range(256)]
    return img.point(lut * len(img.getbands()))


def fill_of(img):
    return FILL[0] if img.mode == 'L' else FILL


def run(img, op, args):
    if op == 'autocontrast':
        return ImageOps.autocontrast(img)
    if op == 'equalize':
        return ImageOps.equalize(img)
    if op == 'invert':
        return ImageOps.invert(img)
    if op == 'posterize':
        return ImageOps.posterize(img, int(args[0]))
    if op == 'solarize':
        return ImageOps.solarize(img, int(args[0]))
    if op == 'solarize_add':
        return solarize_add(img, int(args[0]))
    if op in ('color', 'contrast', 'brightness', 'sharpness'):
        enhancer = {'color': ImageEnhance.Color, 'contrast': ImageEnhance.Contrast,
                    'brightness': ImageEnhance.Brightness, 'sharpness': ImageEnhance.Sharpness}[op]
        return enhancer(img).enhance(float(args[0]))
    if op == 'rotate':
        return img.rotate(float(args[0]), resample=INTERP[args[1]], fillcolor=fill_of(img))
    if op == 'affine':  # args: interpolation, then the 6 coefficients
        return img.transform(img.size, Image.AFFINE, tuple(float(a) for a in args[1:]), resample=INTERP[args[0]],
                             fillcolor=fill_of(img))
    raise ValueError(op)


def inputs_shape(name):
    return (24, 20) if name == 'rgb' else (23, 17)


def cases():
    out = []
    for name in ('rgb', 'l'):
        out += [(name, 'autocontrast', []), (name, 'equalize', []), (name, 'invert', [])]
        out += [(name, 'posterize', [b]) for b in (0, 1, 2, 4)]
        out += [(name, 'solarize', [t]) for t in (0, 26, 128, 256)]
        out += [(name, 'solarize_add', [a]) for a in (0, 99, 110)]
        for op in ('color', 'contrast', 'brightness', 'sharpness'):
            out += [(name, op, [f]) for f in (0.1, 0.55, 1.0, 1.45, 1.9)]
        for interp in ('bilinear', 'bicubic'):
            out += [(name, 'rotate', [d, interp]) for d in (90, 180, -27, 13.5, 270)]
            for f in (0.27, -0.3):
                out.append((name, 'affine', [interp, 1, f, 0, 0, 1, 0]))  # ShearX
                out.append((name, 'affine', [interp, 1, 0, 0, f, 1, 0]))  # ShearY
            h, w = inputs_shape(name)
            for pct in (0.405, -0.2):
                out.append((name, 'affine', [interp, 1, 0, pct * w, 0, 1, 0]))  # TranslateXRel
                out.append((name, 'affine', [interp, 1, 0, 0, 0, 1, pct * h]))  # TranslateYRel
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    inputs = {'rgb': np.random.RandomState(0).randint(30, 200, size=(3, 24, 20)).astype(np.uint8),
              'l': np.random.RandomState(1).randint(10, 240, size=(1, 23, 17)).astype(np.uint8)}
    for name, a in inputs.items():
        a.tofile(os.path.join(OUT, 'pil_ops_input_%s.bin' % name))
    lines, blob = [], bytearray()
    for name, op, args in cases():
        result = to_chw(run(to_pil(inputs[name]), op, [str(a) for a in args]))
        assert result.shape == inputs[name].shape, (name, op, args, result.shape)
        lines.append(' '.join([name, op] + [repr(a) if isinstance(a, float) else str(a) for a in args] + [str(len(blob))]))
        blob += result.astype(np.uint8).tobytes()
    with open(os.path.join(OUT, 'pil_ops.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(OUT, 'pil_ops.bin'), 'wb') as f:
        f.write(bytes(blob))
    print('wrote', len(lines), 'cases to', OUT)


if __name__ == '__main__':
    main()
