package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Storage;

/**
 * Host memory: exactly one of the four arrays is set, matching the dtype. A float32 storage made by
 * {@link CpuBackend#allocate} may take its array from the {@link BufferPool} and give it back once released.
 */
public final class CpuStorage implements Storage {
    final DType dtype;
    public final float[] f;
    public final double[] d;
    public final int[] i;
    public final long[] l;
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
    }

    /** Wraps (does not copy) a host array. */
    CpuStorage(Object array) {
        this.poolable = false;
        this.ticket = null;
        this.f = array instanceof float[] ? (float[]) array : null;
        this.d = array instanceof double[] ? (double[]) array : null;
        this.i = array instanceof int[] ? (int[]) array : null;
        this.l = array instanceof long[] ? (long[]) array : null;
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
            default: return l.length;
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
            default: return l[k];
        }
    }

    public void set(int k, double v) {
        switch (dtype) {
            case F32: f[k] = (float) v; break;
            case F64: d[k] = v; break;
            case I32: i[k] = (int) v; break;
            default: l[k] = (long) v; break;
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
