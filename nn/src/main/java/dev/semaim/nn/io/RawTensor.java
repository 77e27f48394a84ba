package dev.semaim.nn.io;

import dev.semaim.tensor.HalfFloats;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * A stored tensor as it is in a file: its dtype (the safetensors name), shape and row-major little-endian bytes.
 *
 * <p>Why this exists beside {@link Tensor}: the engine computes in F32/F64/I32/I64 only, but weights in the wild
 * are also F16, BF16, BOOL, I8, U8 and I16. A converter ({@code semaim convert}) only moves tensors between
 * formats, so it carries these bytes untouched and a half-precision file stays half precision both ways. Only
 * where a tensor enters a model does {@link #toTensor()} convert, explicitly and exactly: F16/BF16 to F32, the
 * small integer types and BOOL to I32.
 */
public record RawTensor(String dtype, int[] shape, byte[] data) {
    /** Bytes per element of every dtype this project reads and writes, by safetensors name. */
    private static final Map<String, Integer> ELEMENT_BYTES = Map.of(
            "BOOL", 1, "U8", 1, "I8", 1, "I16", 2, "F16", 2, "BF16", 2, "F32", 4, "I32", 4, "F64", 8, "I64", 8);

    /** The supported dtype names, for error messages. */
    public static final String SUPPORTED = "F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL";

    public RawTensor {
        Integer bytes = ELEMENT_BYTES.get(dtype);
        if (bytes == null) throw new IllegalArgumentException("unknown dtype '" + dtype + "' (supported: " + SUPPORTED + ")");
        long need = (long) Shape.numel(shape) * bytes;
        if (data.length != need) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " of dtype " + dtype + " needs " + need
                    + " bytes, got " + data.length);
        }
    }

    /** Bytes per element of {@code dtype}, or -1 when this project does not know it. */
    public static int elementBytes(String dtype) {
        return ELEMENT_BYTES.getOrDefault(dtype, -1);
    }

    public int numel() {
        return Shape.numel(shape);
    }

    /** The stored bytes of an engine tensor (any backend, any strides), row-major little-endian. */
    public static RawTensor of(Tensor t) {
        Object host = t.toArray();
        int n = t.numel();
        ByteBuffer b = ByteBuffer.allocate(n * t.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().put((float[]) host);
            case F64 -> b.asDoubleBuffer().put((double[]) host);
            case I32 -> b.asIntBuffer().put((int[]) host);
            case I64 -> b.asLongBuffer().put((long[]) host);
        }
        return new RawTensor(t.dtype().safetensorsName, t.shape(), b.array());
    }

    /**
     * The engine tensor holding these values. F16 and BF16 become F32, and BOOL, U8, I8 and I16 become I32: every
     * such value is exactly representable in the wider type, so loading loses nothing.
     */
    public Tensor toTensor() {
        int n = numel();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Object host;
        switch (dtype) {
            case "F32" -> b.asFloatBuffer().get((float[]) (host = new float[n]));
            case "F64" -> b.asDoubleBuffer().get((double[]) (host = new double[n]));
            case "I32" -> b.asIntBuffer().get((int[]) (host = new int[n]));
            case "I64" -> b.asLongBuffer().get((long[]) (host = new long[n]));
            case "F16" -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = HalfFloats.fromF16(b.getShort(2 * i));
                host = f;
            }
            case "BF16" -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = HalfFloats.fromBf16(b.getShort(2 * i));
                host = f;
            }
            case "I16" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = b.getShort(2 * i);
                host = v;
            }
            case "I8" -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = data[i];
                host = v;
            }
            default -> { // U8, BOOL (torch stores a bool as one byte, 0 or 1)
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = data[i] & 0xff;
                host = v;
            }
        }
        return Tensor.of(host, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor r && dtype.equals(r.dtype) && Arrays.equals(shape, r.shape) && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return dtype + Shape.str(shape);
    }
}
