"""Writes tensor/src/test/resources/dev/semaim/tensor/half_conversions.txt: what PyTorch's CPU Tensor.to makes of
float32 values as bfloat16 and float16 (round to nearest even, overflow to inf, subnormals, NaN), bit for bit, and a
CRC-32 of what it makes of every 16-bit pattern back in float32. HalfFloatsTest reads it; tests never run Python.

Run from the repository root with Debian's PyTorch 1.13: /usr/bin/python3 scripts/torch/make_half_fixture.py
"""
import random
import struct
import sys
import zlib

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "tensor/src/test/resources/dev/semaim/tensor/half_conversions.txt"


def f32(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def inputs():
    rnd = random.Random(20)
    bits = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFFA00000,
            0x7FFFFFFF, 0x7F7FFFFF, 0xFF7FFFFF, 0x00800000, 0x00000001, 0x807FFFFF, 0x3F800000, 0x3F808000,
            0x3F818000, 0x3F80FFFF, 0x7F7F8000, 0x7F7F7FFF]
    for v in [65504.0, 65519.0, 65520.0, -65520.0, 65536.0, 6.103515625e-05, 6.1035152e-05, 5.9604645e-08,
              2.9802322e-08, 2.9802326e-08, 8.940697e-08, 1.0 + 2 ** -11, 1.0 + 3 * 2 ** -11, 1e-10, -1e-10, 3.14159265]:
        bits.append(struct.unpack("<I", struct.pack("<f", v))[0])
    bits += [rnd.getrandbits(32) for _ in range(1200)]                                       # anything, NaNs too
    bits += [(rnd.getrandbits(1) << 31) | (rnd.randint(96, 146) << 23) | rnd.getrandbits(23) for _ in range(1200)]
    bits += [(rnd.getrandbits(32) & 0xFFFF0000) | 0x8000 for _ in range(200)]                # bfloat16 ties
    bits += [(rnd.getrandbits(1) << 31) | (rnd.randint(113, 142) << 23) | (rnd.getrandbits(10) << 13) | 0x1000
             for _ in range(200)]                                                            # float16 ties, normal
    bits += [struct.unpack("<I", struct.pack("<f", (2 * rnd.randint(0, 1023) + 1) * 2.0 ** -25))[0]
             for _ in range(200)]                                                            # float16 ties, subnormal
    return bits


def main():
    bits = inputs()
    x = torch.tensor([f32(b) for b in bits], dtype=torch.float32)
    raw = x.view(torch.int32).tolist()
    bf = x.to(torch.bfloat16).view(torch.int16).tolist()
    hf = x.to(torch.float16).view(torch.int16).tolist()
    every = torch.arange(0, 65536, dtype=torch.int32).to(torch.int16)
    crc = {}
    for name, dt in (("bf16", torch.bfloat16), ("f16", torch.float16)):
        wide = every.view(dt).to(torch.float32).numpy().tobytes()  # little-endian float32, pattern order
        crc[name] = zlib.crc32(wide)
    with open(OUT, "w") as f:
        f.write("# PyTorch %s CPU Tensor.to conversions, written by scripts/torch/make_half_fixture.py\n" % torch.__version__)
        f.write("# to F32BITS BF16BITS F16BITS: float32 -> bfloat16 and float16\n")
        f.write("# crc DTYPE CRC32: CRC-32 of the little-endian float32 values of the 65536 patterns 0000..ffff, in order\n")
        for r, b, h in zip(raw, bf, hf):
            f.write("to %08x %04x %04x\n" % (r & 0xFFFFFFFF, b & 0xFFFF, h & 0xFFFF))
        for name in ("bf16", "f16"):
            f.write("crc %s %08x\n" % (name, crc[name]))
    print("wrote", OUT, len(raw), "conversions")


if __name__ == "__main__":
    main()
