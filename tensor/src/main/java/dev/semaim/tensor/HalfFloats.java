package dev.semaim.tensor;

/**
 * The two 16-bit float formats as bits in a {@code short}: bfloat16 (float32's sign, 8-bit exponent and top 7 fraction
 * bits) and IEEE float16 (5-bit exponent, 10 fraction bits, subnormals down to 2^-24). Narrowing from float32 rounds
 * to nearest, ties to even, overflows to infinity and keeps subnormals, bit for bit as PyTorch 1.13's CPU
 * {@code Tensor.to} does (HalfFloatsTest checks a fixture it wrote); a NaN becomes bfloat16 0xffff (PyTorch's
 * vectorised CPU conversion; its scalar path writes 0x7fc0 and CUDA 0x7fff, all NaN) and float16 0x7e00 with the
 * sign kept. Widening to float32 is exact. The CUDA kernels' loads and stores ({@code common.cuh}) are the same
 * arithmetic.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /** float32 to bfloat16 bits, round to nearest even. */
    public static short toBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) return (short) 0xffff;
        return (short) ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
    }

    /** bfloat16 bits to float32 (exact). */
    public static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** float32 to float16 bits, round to nearest even; at least 65520 in magnitude is infinity, below 2^-25 zero. */
    public static short toF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000, abs = x & 0x7fffffff;
        if (abs > 0x7f800000) return (short) (sign | 0x7e00);                 // NaN
        if (abs >= 0x477ff000) return (short) (sign | 0x7c00);                // rounds to infinity (infinity too)
        if (abs >= 0x38800000) {                                               // normal: rebias 127 -> 15, 23 -> 10 bits
            int m = abs - 0x38000000;
            return (short) (sign | ((m + 0xfff + ((m >>> 13) & 1)) >>> 13));
        }
        if (abs < 0x33000000) return (short) sign;                            // below 2^-25: zero
        int e = abs >>> 23, m = (abs & 0x7fffff) | 0x800000, shift = 126 - e;  // subnormal: units of 2^-24
        int q = m >>> shift, rem = m & ((1 << shift) - 1), half = 1 << (shift - 1);
        if (rem > half || (rem == half && (q & 1) == 1)) q++;                  // may carry into the smallest normal
        return (short) (sign | q);
    }

    /** float16 bits to float32 (exact; a NaN keeps its sign and payload and comes out quiet, as PyTorch's). */
    public static float fromF16(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, e = (bits >>> 10) & 0x1f, m = bits & 0x3ff;
        if (e == 0x1f) return Float.intBitsToFloat(sign | (m == 0 ? 0x7f800000 : 0x7fc00000) | (m << 13));
        if (e != 0) return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
        float v = m * 0x1p-24f;                                                // subnormal or zero, exact
        return sign != 0 ? -v : v;
    }

    /** {@code f} narrowed to {@code dtype} (BF16 or F16) bits. */
    public static short narrow(DType dtype, float f) {
        return switch (dtype) {
            case BF16 -> toBf16(f);
            case F16 -> toF16(f);
            default -> throw new IllegalArgumentException("not a 16-bit float type: " + dtype);
        };
    }

    /** {@code dtype} (BF16 or F16) bits widened to float32. */
    public static float widen(DType dtype, short h) {
        return switch (dtype) {
            case BF16 -> fromBf16(h);
            case F16 -> fromF16(h);
            default -> throw new IllegalArgumentException("not a 16-bit float type: " + dtype);
        };
    }

    /** {@code v} rounded to the nearest value of {@code dtype} (BF16 or F16), through float32 as a float32 kernel stores. */
    public static float round(DType dtype, double v) {
        return widen(dtype, narrow(dtype, (float) v));
    }
}
