package dev.semaim.tensor.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Float buffers their owners have {@linkplain CpuBackend#release released}, handed out again to allocations of
 * the same length. A training step allocates the same sizes every time, so a buffer released in one backward
 * pass serves the next allocation of its size: that allocation skips the JVM's zeroing (done on the
 * allocating thread while the pool's other threads wait) and adds nothing for the garbage collector to copy.
 *
 * <p>Only buffers of at least {@link #MIN_FLOATS} are pooled (smaller ones are cheap to allocate), and the
 * free buffers together stay under a cap ({@code -Dsemaim.pool.mb}, default three quarters of the maximum
 * heap: a training step that releases its activations hands back its whole working set, which the next step
 * needs again); past it a released buffer is left to the collector. Most recently released first (warmest in
 * cache). Should a new array not fit in the heap, the pool lets go of all its free buffers and the allocation
 * is tried once more, so what the pool keeps never causes an {@link OutOfMemoryError}.
 *
 * <p>{@code -Dsemaim.pool.poison=true} (the test suite runs with it) fills every allocated and every
 * released buffer with NaN, so code that reads an allocation before writing it, or uses a buffer after
 * releasing it, produces NaN instead of silently passing.
 */
final class BufferPool {
    /** Smallest pooled buffer, in floats (64 KiB). */
    static final int MIN_FLOATS = 1 << 14;
    static final boolean POISON = Boolean.getBoolean("semaim.pool.poison");
    private static final long CAP_BYTES = Long.getLong("semaim.pool.mb", Runtime.getRuntime().maxMemory() / 4 * 3 >> 20) << 20;

    static final BufferPool INSTANCE = new BufferPool();

    /** Free buffers by length. */
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long freeBytes;

    private BufferPool() {}

    /** A buffer of {@code size} floats: a released one when there is one (its content unspecified), else a new one. */
    float[] take(int size) {
        float[] a = null;
        if (size >= MIN_FLOATS) {
            synchronized (this) {
                ArrayDeque<float[]> q = free.get(size);
                if (q != null && !q.isEmpty()) {
                    a = q.pop();
                    freeBytes -= 4L * size;
                }
            }
        }
        if (a == null) a = fresh(size);
        if (POISON) Arrays.fill(a, Float.NaN);
        return a;
    }

    /** A new array; when the heap has no room for it, after dropping the free buffers. */
    private float[] fresh(int size) {
        try {
            return new float[size];
        } catch (OutOfMemoryError e) {
            synchronized (this) {
                if (freeBytes == 0) throw e;
                free.clear();
                freeBytes = 0;
            }
            return new float[size];
        }
    }

    /** Takes back a buffer nobody uses any more (dropped when small or when the pool is full). */
    void give(float[] a) {
        if (POISON) Arrays.fill(a, Float.NaN);
        if (a.length < MIN_FLOATS) return;
        synchronized (this) {
            if (freeBytes + 4L * a.length > CAP_BYTES) return;
            free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
            freeBytes += 4L * a.length;
        }
    }
}
