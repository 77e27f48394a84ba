package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.HalfFloats;
import dev.semaim.tensor.Storage;

/**
 * Host memory: exactly one of the five arrays is set, matching the dtype ({@link #h} holds the bits of BF16 and F16,
 * see {@link HalfFloats}). A float32 storage made by
 * {@link CpuBackend#allocate} may take its array from the {@link BufferPool} and give it back once released.
 */
public final class CpuStorage implements Storage {
    final DType dtype;
    public final float[] f;
    public final double[] d;
    public final int[] i;
    public final long[] l;
    /** The bits of a BF16 or F16 storage. */
    public final short[] h;
    private final long serial = Storage.nextSerial();
    /** Whether the array came from {@link CpuBackend#allocate} (a wrapped caller's array is never pooled). */
    private final boolean poolable;
    private boolean released;
    /** Set while {@link LeakTracer} traces this storage. */
    private final LeakTracer.Ticket ticket;

    CpuStorage(DType dtype, int size) {
        this.dtype = dtype;
        this.poolable = dtype == DType.F32;
        this.ticket = poolable ? LeakTracer.trace(this, size) : null;
        this.f = dtype == DType.F32 ? BufferPool.INSTANCE.take(size) : null;
        this.d = dtype == DType.F64 ? new double[size] : null;
        this.i = dtype == DType.I32 ? new int[size] : null;
        this.l = dtype == DType.I64 ? new long[size] : null;
        this.h = dtype.isHalf() ? new short[size] : null;
    }

    /** Wraps (does not copy) the bits of a BF16 or F16 array. */
    CpuStorage(DType dtype, short[] bits) {
        if (!dtype.isHalf()) throw new IllegalArgumentException("a short[] holds BF16 or F16 bits, not " + dtype);
        this.dtype = dtype;
        this.poolable = false;
        this.ticket = null;
        this.f = null;
        this.d = null;
        this.i = null;
        this.l = null;
        this.h = bits;
    }

    /** Wraps (does not copy) a host array. */
    CpuStorage(Object array) {
        this.poolable = false;
        this.ticket = null;
        this.f = array instanceof float[] ? (float[]) array : null;
        this.d = array instanceof double[] ? (double[]) array : null;
        this.i = array instanceof int[] ? (int[]) array : null;
        this.l = array instanceof long[] ? (long[]) array : null;
        this.h = null;
        if (f != null) dtype = DType.F32;
        else if (d != null) dtype = DType.F64;
        else if (i != null) dtype = DType.I32;
        else if (l != null) dtype = DType.I64;
        else throw new IllegalArgumentException("not a float[], double[], int[] or long[]: " + (array == null ? "null" : array.getClass().getSimpleName()));
    }

    @Override public DType dtype() { return dtype; }

    @Override public int size() {
        switch (dtype) {
            case F32: return f.length;
            case F64: return d.length;
            case I32: return i.length;
            case I64: return l.length;
            default: return h.length;
        }
    }

    @Override public Backend backend() { return CpuBackend.INSTANCE; }

    @Override public long serial() { return serial; }

    /** Gives the array to the pool, once (a second release of the same storage does nothing). */
    void release() {
        if (!poolable || released) return;
        released = true;
        if (ticket != null) ticket.released = true;
        BufferPool.INSTANCE.give(f);
    }

    /** Element k as a double (the reference kernels' view of every dtype). */
    public double get(int k) {
        switch (dtype) {
            case F32: return f[k];
            case F64: return d[k];
            case I32: return i[k];
            case I64: return l[k];
            default: return HalfFloats.widen(dtype, h[k]);
        }
    }

    /** Stores v converted to the dtype; a 16-bit float rounds through float32, as a float32 kernel's store would. */
    public void set(int k, double v) {
        switch (dtype) {
            case F32: f[k] = (float) v; break;
            case F64: d[k] = v; break;
            case I32: i[k] = (int) v; break;
            case I64: l[k] = (long) v; break;
            default: h[k] = HalfFloats.narrow(dtype, (float) v); break;
        }
    }

    /** Element k as an index (exact for I64 beyond 2^53). */
    public long getLong(int k) {
        switch (dtype) {
            case I32: return i[k];
            case I64: return l[k];
            default: return (long) get(k);
        }
    }
}
