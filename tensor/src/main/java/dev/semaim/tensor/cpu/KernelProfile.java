package dev.semaim.tensor.cpu;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Opt-in wall-time accounting of {@link CpuBackend} calls by op class, for benchmarks
 * ({@code -Dsemaim.profile=true}; off, each call costs one static final boolean test). A call is
 * timed on the thread that made it, so parallel kernels count their wall time once. GEMM also
 * counts its floating-point operations (2·M·N·K per product). With {@code -Dsemaim.profile.detail=true}
 * as well, time is also kept per call label (op, shapes, layout), for finding the next bottleneck.
 */
public final class KernelProfile {
    /** Op classes: linear-layer products, attention (batched products, softmax), LayerNorm, the rest. */
    public enum Kind { GEMM, ATTENTION, NORM, ELEMENTWISE, OPTIMIZER, OTHER }

    static final boolean ON = Boolean.getBoolean("semaim.profile");
    static final boolean DETAIL = ON && Boolean.getBoolean("semaim.profile.detail");

    private static final int KINDS = Kind.values().length;
    private static final AtomicLongArray NANOS = new AtomicLongArray(KINDS);
    private static final AtomicLongArray CALLS = new AtomicLongArray(KINDS);
    private static final AtomicLongArray FLOPS = new AtomicLongArray(KINDS);
    /** Per label: {nanos, calls}. */
    private static final Map<String, LongAdder[]> BY_LABEL = new ConcurrentHashMap<>();

    private KernelProfile() {}

    /** Whether accounting is on. */
    public static boolean enabled() {
        return ON;
    }

    /**
     * Runs one backend call of {@code flops} floating-point operations (products; 0 otherwise),
     * charging its time to {@code kind}, and in detail mode to {@code label.get()} as well.
     */
    static void timed(Kind kind, long flops, Supplier<String> label, Runnable call) {
        if (!ON) {
            call.run();
            return;
        }
        long start = System.nanoTime();
        try {
            call.run();
        } finally {
            long ns = System.nanoTime() - start;
            int k = kind.ordinal();
            NANOS.addAndGet(k, ns);
            CALLS.incrementAndGet(k);
            FLOPS.addAndGet(k, flops);
            if (DETAIL) {
                LongAdder[] acc = BY_LABEL.computeIfAbsent(kind.name().toLowerCase(java.util.Locale.ROOT) + " " + label.get(),
                        l -> new LongAdder[] {new LongAdder(), new LongAdder()});
                acc[0].add(ns);
                acc[1].increment();
            }
        }
    }

    /** Zeroes all counters. */
    public static void reset() {
        for (int k = 0; k < KINDS; k++) {
            NANOS.set(k, 0);
            CALLS.set(k, 0);
            FLOPS.set(k, 0);
        }
        BY_LABEL.clear();
    }

    /** Detail mode: label -> {nanos, calls} since the last reset (empty unless detail is on). */
    public static Map<String, long[]> detail() {
        Map<String, long[]> m = new TreeMap<>();
        BY_LABEL.forEach((l, acc) -> m.put(l, new long[] {acc[0].sum(), acc[1].sum()}));
        return m;
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
