package dev.semaim.tensor.cpu;

import java.util.Arrays;
import java.util.Random;

/**
 * GEMM throughput benchmark (a main class, not a test). Run after {@code mvn -pl tensor compile}:
 * {@code java --add-modules jdk.incubator.vector -cp tensor/target/classes dev.semaim.tensor.cpu.GemmBenchmark [runs]}
 *
 * <p>Per shape: warm-up, then the median of {@code runs} (default 9, at least 7) timed calls,
 * reported as GFLOP/s (2·M·N·K per product) and as a fraction of the FMA peak given by
 * {@code -Dsemaim.peakGflops} (default 228: 2 cores × 32 FLOP/cycle × ~3.55 GHz).
 */
public final class GemmBenchmark {
    private static final double PEAK = Double.parseDouble(System.getProperty("semaim.peakGflops", "228"));

    private GemmBenchmark() {}

    public static void main(String[] args) {
        int runs = Math.max(7, args.length > 0 ? Integer.parseInt(args[0]) : 9);
        System.out.printf("threads=%d species=%s runs=%d%n", CpuThreads.threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, runs);
        System.out.printf("%-44s %10s %8s%n", "shape", "GFLOP/s", "of peak");
        // name, transA, transB, batch, M, N, K
        bench("1024x1024 · 1024x1024", false, false, 1, 1024, 1024, 1024, runs);
        bench("qkv  X(6400x192) · W(192x576)", false, false, 1, 6400, 576, 192, runs);
        bench("qkv  dX = dY(6400x576) · Wt", false, true, 1, 6400, 192, 576, runs);
        bench("qkv  dW = Xt · dY (192x6400·6400x576)", true, false, 1, 192, 576, 6400, runs);
        bench("mlp2 X(6400x768) · W(768x192)", false, false, 1, 6400, 192, 768, runs);
        bench("mlp2 dX = dY(6400x192) · Wt", false, true, 1, 6400, 768, 192, runs);
        bench("mlp2 dW = Xt · dY (768x6400·6400x192)", true, false, 1, 768, 192, 6400, runs);
        bench("attn 384 x Q(50x64) · Kt", false, true, 384, 50, 50, 64, runs);
        bench("attn 384 x P(50x50) · V(50x64)", false, false, 384, 50, 64, 50, runs);
    }

    private static void bench(String name, boolean transA, boolean transB, int batch, int M, int N, int K, int runs) {
        Random rnd = new Random(1);
        int lda = transA ? M : K, ldb = transB ? K : N;
        float[] a = random(rnd, batch * M * K);
        float[] b = random(rnd, batch * K * N);
        float[] c = new float[batch * M * N];
        double flops = 2.0 * batch * M * N * K;
        Runnable call = () -> Gemm.sgemmBatched(transA, transB, batch, M, N, K,
                a, 0, lda, (long) M * K, b, 0, ldb, (long) K * N, 0f, c, 0, N, (long) M * N);
        // Warm-up: at least 1 s or 20 calls, so C2 has compiled the kernel.
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warmEnd; i++) {
            call.run();
        }
        // Each timed run repeats the call until >= 50 ms have passed, to beat timer resolution.
        double[] gflops = new double[runs];
        for (int r = 0; r < runs; r++) {
            int reps = 0;
            long t0 = System.nanoTime(), t1;
            do {
                call.run();
                reps++;
                t1 = System.nanoTime();
            } while (t1 - t0 < 50_000_000L);
            gflops[r] = flops * reps / (t1 - t0);
        }
        Arrays.sort(gflops);
        double median = gflops[runs / 2];
        System.out.printf("%-44s %10.1f %7.0f%%%n", name, median, 100 * median / PEAK);
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
