package dev.semaim.bench;

import dev.semaim.tensor.cpu.CpuThreads;
import dev.semaim.tensor.cpu.KernelConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's FMA peak, measured in Java: every thread of the {@link CpuThreads} pool runs independent chains
 * of vector FMAs at the kernels' own vector width ({@link KernelConfig#SPECIES}) for a fixed time, and the FLOPs
 * of all of them (2 per lane per FMA) are divided by the wall time. No memory traffic, no dependency stalls: 12
 * chains cover the FMA latency times the pipes of every current x86 and ARM core (Zen 4: 4 cycles × 1 512-bit FMA
 * a cycle; Zen 5 and Intel: 4 × 2), and 12 accumulators + 2 operands fit 16 registers. It is the roof the GEMM
 * benchmarks divide by; measured in the same run, beside each figure, so the machine's clock and its other tenants
 * weigh on both alike.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    /** FMAs per chain between two clock reads. */
    private static final int BURST = 4096;
    private static final int CHAINS = 12;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Keeps the chains' results alive (else the JIT could drop the loop). */
    private static volatile float sink;

    private FmaPeak() {}

    /**
     * One probe: every pool thread spins FMAs for about {@code millis} ms. Returns {GFLOP/s of all threads together
     * by the wall clock, GFLOP per CPU-second of the probing threads}; the second is the per-core peak whatever
     * share of the cores the machine's other tenants leave us.
     */
    public static double[] measure(int millis) {
        int threads = CpuThreads.threads();
        long[] flops = new long[threads];
        long[] cpuNanos = new long[threads];
        long t0 = System.nanoTime();
        CpuThreads.parallelFor(threads, t -> {
            long c0 = THREADS.getCurrentThreadCpuTime();
            flops[t] = spin(System.nanoTime() + millis * 1_000_000L);
            cpuNanos[t] = THREADS.getCurrentThreadCpuTime() - c0;
        });
        long elapsed = System.nanoTime() - t0;
        long total = 0, cpu = 0;
        for (int t = 0; t < threads; t++) {
            total += flops[t];
            cpu += cpuNanos[t];
        }
        return new double[] {(double) total / elapsed, (double) total / Math.max(1, cpu)};
    }

    /** Runs FMA bursts until {@code deadline} (System.nanoTime); returns the FLOPs done. */
    private static long spin(long deadline) {
        long bursts = 0;
        float[] lanes = new float[S.length()];
        do {
            burst(lanes);
            bursts++;
        } while (System.nanoTime() < deadline);
        sink = lanes[0];
        return bursts * BURST * CHAINS * 2L * S.length();
    }

    /**
     * BURST steps of 12 independent chains acc = acc·x + y (x below 1: the chains converge to y/(1-x), no overflow,
     * no denormals); the sum lands in {@code lanes}, so the work is observable. Written two steps per iteration so
     * that its bytecode is past C2's inlining limit for hot methods (FreqInlineSize, 325 bytes): inlined into its
     * caller, after a few dozen probes, C2 recompiled it to 40% of the peak (-XX:CompileCommand=dontinline on the
     * one-step version kept it at the peak), and a version with the bursts' loop inside this method ran at 4%.
     */
    private static void burst(float[] lanes) {
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 1e-3f);
        FloatVector a0 = FloatVector.fromArray(S, lanes, 0), a1 = a0.add(y), a2 = a1.add(y), a3 = a2.add(y);
        FloatVector a4 = a3.add(y), a5 = a4.add(y), a6 = a5.add(y), a7 = a6.add(y), a8 = a7.add(y), a9 = a8.add(y);
        FloatVector a10 = a9.add(y), a11 = a10.add(y);
        for (int i = 0; i < BURST; i += 2) { // two steps per iteration: see the method comment
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .mul(1f / 64).intoArray(lanes, 0);
    }
}
