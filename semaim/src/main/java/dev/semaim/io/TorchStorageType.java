package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The torch storage classes a checkpoint may name ({@code torch.FloatStorage} ...), their element size and the
 * {@link DType} a loaded tensor gets. Half and bfloat16 have no DType here: they are widened to F32, which is
 * exact.
 */
enum TorchStorageType {
    FLOAT("FloatStorage", 4, DType.F32),
    DOUBLE("DoubleStorage", 8, DType.F64),
    LONG("LongStorage", 8, DType.I64),
    INT("IntStorage", 4, DType.I32),
    HALF("HalfStorage", 2, DType.F32),
    BFLOAT16("BFloat16Storage", 2, DType.F32);

    /** The global's qualified name, e.g. "torch.FloatStorage". */
    final String qualifiedName;
    /** Bytes per element in the file. */
    final int bytes;
    /** Element type of the loaded tensor. */
    final DType dtype;

    TorchStorageType(String className, int bytes, DType dtype) {
        this.qualifiedName = "torch." + className;
        this.bytes = bytes;
        this.dtype = dtype;
    }

    /** The storage class torch uses for tensors of {@code dtype} (for writing). */
    static TorchStorageType of(DType dtype) {
        return switch (dtype) {
            case F32 -> FLOAT;
            case F64 -> DOUBLE;
            case I64 -> LONG;
            case I32 -> INT;
        };
    }

    /** Decodes {@code numel} elements to a host array of {@link #dtype}'s Java type (float[], double[], long[], int[]). */
    Object decode(byte[] raw, ByteOrder order, int numel) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        switch (this) {
            case FLOAT: {
                float[] out = new float[numel];
                b.asFloatBuffer().get(out);
                return out;
            }
            case DOUBLE: {
                double[] out = new double[numel];
                b.asDoubleBuffer().get(out);
                return out;
            }
            case LONG: {
                long[] out = new long[numel];
                b.asLongBuffer().get(out);
                return out;
            }
            case INT: {
                int[] out = new int[numel];
                b.asIntBuffer().get(out);
                return out;
            }
            case HALF: {
                float[] out = new float[numel];
                for (int i = 0; i < numel; i++) out[i] = Safetensors.halfToFloat(b.getShort(2 * i));
                return out;
            }
            default: { // BFLOAT16: the top 16 bits of a float32
                float[] out = new float[numel];
                for (int i = 0; i < numel; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                return out;
            }
        }
    }

    /** Little-endian bytes of a host array of {@link #dtype}'s Java type (the inverse of decode for the 4 native types). */
    byte[] encode(Object host, int numel) {
        ByteBuffer b = ByteBuffer.allocate(numel * bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case FLOAT -> b.asFloatBuffer().put((float[]) host);
            case DOUBLE -> b.asDoubleBuffer().put((double[]) host);
            case LONG -> b.asLongBuffer().put((long[]) host);
            case INT -> b.asIntBuffer().put((int[]) host);
            default -> throw new IllegalStateException(this + " is never written");
        }
        return b.array();
    }
}
