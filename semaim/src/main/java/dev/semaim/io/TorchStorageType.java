package dev.semaim.io;

import dev.semaim.nn.io.RawTensor;

/**
 * The torch storage classes a checkpoint may name ({@code torch.FloatStorage} ...), their element size and the
 * safetensors dtype name of their elements. Every one is read and written as raw bytes ({@link RawTensor}), so a
 * half-precision checkpoint stays half precision through {@code convert}.
 */
enum TorchStorageType {
    FLOAT("FloatStorage", "F32"),
    DOUBLE("DoubleStorage", "F64"),
    HALF("HalfStorage", "F16"),
    BFLOAT16("BFloat16Storage", "BF16"),
    LONG("LongStorage", "I64"),
    INT("IntStorage", "I32"),
    SHORT("ShortStorage", "I16"),
    CHAR("CharStorage", "I8"), // torch.int8
    BYTE("ByteStorage", "U8"), // torch.uint8
    BOOL("BoolStorage", "BOOL");

    /** The global's qualified name, e.g. "torch.FloatStorage". */
    final String qualifiedName;
    /** The safetensors dtype name of the elements ({@link RawTensor#dtype()}). */
    final String dtype;
    /** Bytes per element in the file. */
    final int bytes;

    TorchStorageType(String className, String dtype) {
        this.qualifiedName = "torch." + className;
        this.dtype = dtype;
        this.bytes = RawTensor.elementBytes(dtype);
    }

    /** The storage class torch uses for tensors of safetensors dtype {@code dtype} (for writing). */
    static TorchStorageType of(String dtype) {
        for (TorchStorageType t : values()) if (t.dtype.equals(dtype)) return t;
        throw new IllegalArgumentException("no torch storage class for dtype " + dtype);
    }

    /** The storage's bytes in little-endian element order: swapped per element when the file is big-endian. */
    byte[] toLittleEndian(byte[] raw, boolean bigEndian) {
        if (!bigEndian || bytes == 1) return raw;
        byte[] out = new byte[raw.length];
        for (int at = 0; at < raw.length; at += bytes) {
            for (int i = 0; i < bytes; i++) out[at + i] = raw[at + bytes - 1 - i];
        }
        return out;
    }
}
