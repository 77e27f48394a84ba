package dev.semaim.tensor;

/**
 * Element types. {@link #F32} is the compute type, {@link #F64} the reference type used by gradient
 * checks and reference kernels; the integer types hold indices and labels.
 */
public enum DType {
    F32(4, true, "F32"),
    F64(8, true, "F64"),
    I32(4, false, "I32"),
    I64(8, false, "I64");

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

    /** The dtype whose safetensors name is {@code name}, or an exception naming it. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "' (supported: F32, F64, I32, I64)");
    }
}
