package dev.semaim.tensor.cpu;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds pooled buffers that nobody released: while tracing, every float storage of a pooled size ({@link
 * BufferPool#MIN_FLOATS} or more) gets a phantom reference, and {@link #stop} reports those the collector found
 * unreachable before anyone {@linkplain CpuBackend#release released} them. Each such buffer is memory the next step
 * allocates afresh instead of taking from the pool (and garbage for the collector to copy): a hole in the ownership
 * of scopes and graph (see {@link dev.semaim.tensor.TensorScope}). A test tool: tracing records the allocation site
 * of every traced buffer.
 */
public final class LeakTracer {
    /** A traced storage's fate, shared by the storage and its phantom reference. */
    static final class Ticket {
        final int size;
        final Throwable allocatedAt = new Throwable("allocated here");
        volatile boolean released;

        Ticket(int size) {
            this.size = size;
        }
    }

    private static volatile boolean tracing;
    private static final ReferenceQueue<CpuStorage> QUEUE = new ReferenceQueue<>();
    private static final Map<Reference<CpuStorage>, Ticket> TRACED = new IdentityHashMap<>();

    private LeakTracer() {}

    /** A pooled buffer that became unreachable unreleased: its length in floats and where it was allocated. */
    public record Leak(int floats, Throwable allocatedAt) {
        @Override public String toString() {
            StringBuilder s = new StringBuilder(floats + " floats, allocated at");
            int shown = 0;
            for (StackTraceElement f : allocatedAt.getStackTrace()) {
                if (f.getClassName().startsWith(LeakTracer.class.getPackageName() + ".")) continue; // the backend's own frames
                s.append("\n    ").append(f);
                if (++shown == 12) break;
            }
            return s.toString();
        }
    }

    /** Starts tracing the pooled buffers allocated from now on. */
    public static synchronized void start() {
        while (QUEUE.poll() != null) { /* stale references of an earlier run */ }
        TRACED.clear();
        tracing = true;
    }

    /**
     * Stops tracing and returns the traced buffers that became unreachable without a release, after running the
     * collector until it finds no more (buffers still reachable, e.g. a model's weights, are not leaks).
     */
    public static synchronized List<Leak> stop() throws InterruptedException {
        tracing = false;
        List<Leak> leaks = new ArrayList<>();
        for (int quiet = 0; quiet < 3 && !TRACED.isEmpty(); ) {
            System.gc();
            Reference<? extends CpuStorage> r = QUEUE.remove(200);
            if (r == null) {
                quiet++;
                continue;
            }
            for (; r != null; r = QUEUE.poll()) {
                Ticket t = TRACED.remove(r);
                if (t != null && !t.released) leaks.add(new Leak(t.size, t.allocatedAt));
            }
        }
        TRACED.clear();
        return leaks;
    }

    /** A ticket for a new pooled storage while tracing, else null. */
    static Ticket trace(CpuStorage s, int size) {
        if (!tracing || size < BufferPool.MIN_FLOATS) return null;
        Ticket t = new Ticket(size);
        synchronized (LeakTracer.class) {
            TRACED.put(new PhantomReference<>(s, QUEUE), t);
        }
        return t;
    }
}
