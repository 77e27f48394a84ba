package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bfloat16 and float16 conversions bit for bit against PyTorch 1.13's CPU {@code Tensor.to}: half_conversions.txt
 * (scripts/torch/make_half_fixture.py) holds float32 inputs with their two narrowed bit patterns (specials, ties,
 * overflow, subnormals, NaNs, random bits) and a CRC-32 of PyTorch's float32 value of every 16-bit pattern.
 */
class HalfFloatsTest {
    private static String fixture() throws IOException {
        try (InputStream in = HalfFloatsTest.class.getResourceAsStream("half_conversions.txt")) {
            if (in == null) fail("half_conversions.txt is missing from the test resources");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void narrowingMatchesPyTorchBitForBit() throws IOException {
        int checked = 0;
        for (String line : fixture().split("\n")) {
            String[] f = line.trim().split(" ");
            if (!f[0].equals("to")) continue;
            float x = Float.intBitsToFloat((int) Long.parseLong(f[1], 16));
            int bf = Integer.parseInt(f[2], 16), hf = Integer.parseInt(f[3], 16);
            assertEquals(bf, HalfFloats.toBf16(x) & 0xffff, () -> "bfloat16 of float32 bits " + f[1] + " (" + x + ")");
            assertEquals(hf, HalfFloats.toF16(x) & 0xffff, () -> "float16 of float32 bits " + f[1] + " (" + x + ")");
            checked++;
        }
        assertTrue(checked > 3000, "only " + checked + " conversions in the fixture");
    }

    @Test
    void wideningMatchesPyTorchForEveryPattern() throws IOException {
        for (String line : fixture().split("\n")) {
            String[] f = line.trim().split(" ");
            if (!f[0].equals("crc")) continue;
            DType dt = f[1].equals("bf16") ? DType.BF16 : DType.F16;
            ByteBuffer b = ByteBuffer.allocate(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
            for (int h = 0; h < 65536; h++) b.putFloat(HalfFloats.widen(dt, (short) h));
            CRC32 crc = new CRC32();
            crc.update(b.array());
            assertEquals(Long.parseLong(f[2], 16), crc.getValue(), "CRC-32 of every " + dt + " pattern widened to float32");
        }
    }

    @Test
    void narrowingThenWideningIsTheIdentityOnRepresentableValues() {
        for (DType dt : new DType[] {DType.BF16, DType.F16})
            for (int h = 0; h < 65536; h++) {
                float v = HalfFloats.widen(dt, (short) h);
                if (Float.isNaN(v)) continue;
                assertEquals(h, HalfFloats.narrow(dt, v) & 0xffff, dt + " pattern " + Integer.toHexString(h));
            }
    }

    @Test
    void halfTensorsStoreRoundedValuesAndConvert() {
        Tensor x = Tensor.of(new float[] {1.00390625f, 1.01171875f, 65520f, 1e-8f, -3.5f, Float.NaN}, 6);
        Tensor bf = x.to(DType.BF16), hf = x.to(DType.F16);
        assertEquals(DType.BF16, bf.dtype());
        float[] b = bf.toFloatArray(), h = hf.toFloatArray();
        assertEquals(1f, b[0]);                                  // tie to even
        assertEquals(1.015625f, b[1]);                           // tie to even, upwards
        assertEquals(65536f, b[2]);
        assertEquals(Float.POSITIVE_INFINITY, h[2]);             // float16 overflow
        assertEquals(0f, h[3]);                                  // 1e-8 is below half the smallest subnormal (2^-25)
        assertEquals(-3.5f, h[4]);
        assertTrue(Float.isNaN(b[5]) && Float.isNaN(h[5]));
        short[] bits = (short[]) bf.toArray();
        assertEquals(HalfFloats.toBf16(-3.5f), bits[4]);
        assertEquals(DType.F32, bf.add(x).dtype(), "BF16 with F32 promotes to F32");
        assertEquals(DType.F32, bf.add(hf).dtype(), "BF16 with F16 promotes to F32");
        assertEquals(DType.BF16, bf.mul(2).dtype());
    }
}
