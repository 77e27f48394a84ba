package dev.semaim.tensor.cpu;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Opt-in wall-time accounting of {@link CpuBackend} calls by op class, for benchmarks
 * ({@code -Dsemaim.profile=true}; off, each call costs one static final boolean test). A call is
 * timed on the thread that made it, so parallel kernels count their wall time once. GEMM also
 * counts its floating-point operations (2·M·N·K per product).
 */
public final class KernelProfile {
    /** Op classes: linear-layer products, attention (batched products, softmax), LayerNorm, the rest. */
    public enum Kind { GEMM, ATTENTION, NORM, ELEMENTWISE, OPTIMIZER, OTHER }

    static final boolean ON = Boolean.getBoolean("semaim.profile");

    private static final int KINDS = Kind.values().length;
    private static final AtomicLongArray NANOS = new AtomicLongArray(KINDS);
    private static final AtomicLongArray CALLS = new AtomicLongArray(KINDS);
    private static final AtomicLongArray FLOPS = new AtomicLongArray(KINDS);

    private KernelProfile() {}

    /** Whether accounting is on. */
    public static boolean enabled() {
        return ON;
    }

    /** Runs one backend call, charging its time to {@code kind} when accounting is on. */
    static void timed(Kind kind, Runnable call) {
        timed(kind, 0, call);
    }

    /** Runs one backend call of {@code flops} floating-point operations, charged to {@code kind}. */
    static void timed(Kind kind, long flops, Runnable call) {
        if (!ON) {
            call.run();
            return;
        }
        long start = System.nanoTime();
        try {
            call.run();
        } finally {
            int k = kind.ordinal();
            NANOS.addAndGet(k, System.nanoTime() - start);
            CALLS.incrementAndGet(k);
            FLOPS.addAndGet(k, flops);
        }
    }

    /** Zeroes all counters. */
    public static void reset() {
        for (int k = 0; k < KINDS; k++) {
            NANOS.set(k, 0);
            CALLS.set(k, 0);
            FLOPS.set(k, 0);
        }
    }

    /** Nanoseconds spent per class since the last {@link #reset}. */
    public static Map<Kind, Long> nanos() {
        return read(NANOS);
    }

    /** Calls per class since the last reset. */
    public static Map<Kind, Long> calls() {
        return read(CALLS);
    }

    /** Floating-point operations per class since the last reset (products only). */
    public static Map<Kind, Long> flops() {
        return read(FLOPS);
    }

    private static Map<Kind, Long> read(AtomicLongArray a) {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) m.put(k, a.get(k.ordinal()));
        return m;
    }
}
