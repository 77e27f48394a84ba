package dev.semaim.tensor;

/**
 * Element types. {@link #F32} is the compute type, {@link #F64} the reference type used by gradient
 * checks and reference kernels; the integer types hold indices and labels. {@link #BF16} and {@link #F16} are the
 * 16-bit storage types of mixed precision ({@code dev.semaim.autograd.Autocast}): kernels compute on them in float32
 * (or wider) and round on store ({@link HalfFloats}).
 */
public enum DType {
    F32(4, true, "F32"),
    F64(8, true, "F64"),
    I32(4, false, "I32"),
    I64(8, false, "I64"),
    BF16(2, true, "BF16"),
    F16(2, true, "F16");

    /** Bytes per element. */
    public final int bytes;
    /** Whether values are floating point. */
    public final boolean floating;
    /** Name of the type in the safetensors header. */
    public final String safetensorsName;

    DType(int bytes, boolean floating, String safetensorsName) {
        this.bytes = bytes;
        this.floating = floating;
        this.safetensorsName = safetensorsName;
    }

    /** Whether this is one of the 16-bit float types ({@link #BF16}, {@link #F16}). */
    public boolean isHalf() {
        return this == BF16 || this == F16;
    }

    /** The dtype whose safetensors name is {@code name}, or an exception naming it. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "' (supported: F32, F64, I32, I64, BF16, F16)");
    }
}
