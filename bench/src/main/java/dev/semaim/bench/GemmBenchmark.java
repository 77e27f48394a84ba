package dev.semaim.bench;

import dev.semaim.tensor.cpu.AttentionProducts;
import dev.semaim.tensor.cpu.CpuThreads;
import dev.semaim.tensor.cpu.Gemm;
import dev.semaim.tensor.cpu.KernelConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of the CPU GEMM ({@link Gemm}) on the ViT-Ti shapes, as a fraction of this machine's FMA peak measured
 * in the same run. Usage: see bench/README.md; {@code GemmBenchmark [runs] [shape filter]} (the filter, e.g.
 * {@code 1024} or {@code attn}, runs only the shapes whose name contains it).
 *
 * <p>Prints the CPU and the kernel configuration chosen for it ({@link KernelConfig#describe}), then per shape:
 * warm-up (>= 1 s), then {@code runs} (default 9, at least 5) pairs of an {@link FmaPeak} probe (100 ms) and a
 * timed run repeating the call for >= 200 ms, and reports the medians of GEMM GFLOP/s (2·M·N·K per product), of
 * the probe's GFLOP/s, of their ratio per pair ("of peak": the two share the machine's clock and load), of
 * GFLOP per CPU-second (see {@link #measure}) and of its ratio to the probe's per CPU-second ("of core": the
 * fraction of a core's FMA peak while the GEMM runs on it, the steadier figure on a shared machine). The per-head
 * attention products are timed four ways: the fused attention's own kernels ({@link AttentionProducts}, what
 * training runs), the whole fused forward and backward around them (their products' FLOPs over the time of all
 * their work), the general GEMM on the same shapes, and a naive i-k-j loop on the same threads, the baseline the
 * small-matrix paths must beat. The last line sums up: the lowest fraction on the large products and on the fused
 * attention products.
 */
public final class GemmBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int PROBE_MS = 100;

    /** Runs only the shapes whose name contains this (the second argument; all when empty). */
    private static String only = "";

    /** Ratios of the shapes measured so far: the large products and the per-head attention ones. */
    private static double lowestLarge = Double.MAX_VALUE, lowestAttention = Double.MAX_VALUE;

    private GemmBenchmark() {}

    public static void main(String[] args) {
        int runs = Math.max(5, args.length > 0 ? Integer.parseInt(args[0]) : 9);
        only = args.length > 1 ? args[1] : "";
        System.out.println(KernelConfig.describe());
        System.out.printf("java %s, runs %d, probe %d ms + >= 200 ms of GEMM per run%n",
                System.getProperty("java.version"), runs, PROBE_MS);
        for (int i = 0; i < 10; i++) FmaPeak.measure(PROBE_MS); // compiles the probe
        double[] wall = new double[10], perCpu = new double[10];
        for (int i = 0; i < 10; i++) {
            double[] probe = FmaPeak.measure(PROBE_MS);
            wall[i] = probe[0];
            perCpu[i] = probe[1];
        }
        System.out.printf("FMA peak probe, median of 10: %.1f GFLOP/s on %d threads, %.1f GFLOP per CPU-second%n",
                median(wall), CpuThreads.threads(), median(perCpu));
        System.out.printf("%-46s %10s %10s %8s %12s %8s%n", "shape", "GFLOP/s", "peak", "of peak", "per CPU-s", "of core");
        // Square.
        gemm("1024x1024 · 1024x1024", false, false, 1, 1024, 1024, 1024, runs);
        // ViT-Ti linear layers on 128 images × 50 tokens, as LinearAlgebra.linear runs them with W stored (out, in):
        // qkv (192 -> 576) and mlp fc2 (768 -> 192).
        gemm("qkv  Y = X(6400x192) · Wt (W 576x192)", false, true, 1, 6400, 576, 192, runs);
        gemm("qkv  dX = dY(6400x576) · W", false, false, 1, 6400, 192, 576, runs);
        lowestLarge = Math.min(lowestLarge, weightGradient("qkv  dW = dYt · X, db (576x6400 · 6400x192)", 576, 192, 6400, runs));
        gemm("fc2  Y = X(6400x768) · Wt (W 192x768)", false, true, 1, 6400, 192, 768, runs);
        gemm("fc2  dX = dY(6400x192) · W", false, false, 1, 6400, 768, 192, runs);
        lowestLarge = Math.min(lowestLarge, weightGradient("fc2  dW = dYt · X, db (192x6400 · 6400x768)", 192, 768, 6400, runs));
        lowestLarge = Math.min(lowestLarge, weightGradient("fc1  dW = dYt · X, db (768x6400 · 6400x192)", 768, 192, 6400, runs));
        // The qkv weight gradient over 768 rows instead of 6400: 2.3 MB of operands that stay in cache from call to
        // call, where the 6400-row ones (19.7 MB) stream from memory: the gap between the two rows is memory's share.
        weightGradient("qkv  dW, db over 768 rows (operands cached)", 576, 192, 768, runs);
        // Per-head attention, 128 images × 3 heads: the fused attention's own products (what training runs), then the
        // general GEMM on the same shapes.
        heads("attn 384 x S = Q(50x64) · Kt, fused kernel", true, 128, 3, 50, 64, runs);
        heads("attn 384 x O = P(50x50) · V(50x64), fused kernel", false, 128, 3, 50, 64, runs);
        fused("attn 384 heads, fused forward (S, softmax, O)", false, runs);
        fused("attn 384 heads, fused backward (4 products)", true, runs);
        gemm("attn 384 x S = Q · Kt, general GEMM", false, true, 384, 50, 50, 64, runs);
        gemm("attn 384 x O = P · V, general GEMM", false, false, 384, 50, 64, 50, runs);
        naive("attn 384 x S = Q · Kt, naive loop", true, 384, 50, 50, 64, runs);
        naive("attn 384 x O = P · V, naive loop", false, 384, 50, 64, 50, runs);
        if (lowestLarge < Double.MAX_VALUE) System.out.printf("lowest of peak, large products: %.0f%%%n", 100 * lowestLarge);
        if (lowestAttention < Double.MAX_VALUE) System.out.printf("lowest of peak, attention products (fused kernels): %.0f%%%n", 100 * lowestAttention);
    }

    private static void gemm(String name, boolean transA, boolean transB, int batch, int M, int N, int K, int runs) {
        if (!name.contains(only)) return;
        Random rnd = new Random(1);
        int lda = transA ? M : K, ldb = transB ? K : N;
        float[] a = random(rnd, batch * M * K);
        float[] b = random(rnd, batch * K * N);
        float[] c = new float[batch * M * N];
        double ratio = measure(name, 2.0 * batch * M * N * K, runs, () -> Gemm.sgemmBatched(transA, transB, batch, M, N, K,
                a, 0, lda, (long) M * K, b, 0, ldb, (long) K * N, 0f, c, 0, N, (long) M * N));
        if (batch == 1) lowestLarge = Math.min(lowestLarge, ratio);
    }

    /**
     * A linear layer's weight and bias gradients as training runs them ({@code LinearAlgebra.linear}'s backward):
     * dW (out × in) = dYᵀ · X over K = images × tokens rows, dY read transposed in place, and db = the row sums of dYᵀ
     * taken by the same call ({@code MatmulEpilogue.rowSumsOfA}); returns the median fraction of the peak.
     */
    private static double weightGradient(String name, int out, int in, int rows, int runs) {
        if (!name.contains(only)) return Double.MAX_VALUE;
        Random rnd = new Random(1);
        float[] dy = random(rnd, rows * out);
        float[] x = random(rnd, rows * in);
        float[] dw = new float[out * in];
        float[] db = new float[out];
        return measure(name, 2.0 * out * in * rows, runs,
                () -> Gemm.sgemm(true, false, out, in, rows, dy, 0, out, x, 0, in, 0f, dw, 0, in, null, db, 0));
    }

    /**
     * The fused attention's per-head products ({@link AttentionProducts}) on images × heads heads of tokens × hd, with
     * q, k and v slices of one (images, tokens, 3·heads·hd) projection as the model feeds them: S = Q·Kᵀ·scale (K
     * transposed per head inside the timing) or O = P·V (V packed per head inside the timing). Each head's result is
     * copied out of its padded scratch, which the fused forward does too (into probs, and into the output).
     */
    private static void heads(String name, boolean scores, int images, int heads, int tokens, int hd, int runs) {
        if (!name.contains(only)) return;
        Random rnd = new Random(1);
        int d = heads * hd, row = 3 * d;
        float[] qkv = random(rnd, images * tokens * row);
        float[] p = random(rnd, images * heads * tokens * tokens);
        float[] out = new float[images * tokens * d];
        double ratio = measure(name, 2.0 * images * heads * tokens * tokens * hd, runs, scores
                ? () -> AttentionProducts.scores(images, heads, tokens, tokens, hd, qkv, 0, row, qkv, d, row, 0.125f, p)
                : () -> AttentionProducts.weighted(images, heads, tokens, tokens, hd, p, qkv, 2 * d, row, out, d));
        lowestAttention = Math.min(lowestAttention, ratio);
    }

    /**
     * The whole fused attention forward or backward on the CPU backend (what a training step calls), on vit-t1's
     * shapes ({@link AttentionAB.Work}); the FLOPs counted are its products' (2 forward, 4 backward), so the figure is
     * the products' rate after the softmax, the packing and the copies have taken their share. Not in the summary line.
     */
    private static void fused(String name, boolean backward, int runs) {
        if (!name.contains(only)) return;
        AttentionAB.Work work = new AttentionAB.Work();
        int heads = AttentionAB.Work.IMAGES * AttentionAB.Work.HEADS, t = AttentionAB.Work.TOKENS;
        measure(name, (backward ? 4.0 : 2.0) * 2 * heads * t * t * AttentionAB.Work.HD, runs, work.call(backward ? 1 : 0));
    }

    /** Batched C = A·op(B) by the textbook i-k-j loop (C2 vectorises the j loop), items on the pool. */
    private static void naive(String name, boolean transB, int batch, int M, int N, int K, int runs) {
        if (!name.contains(only)) return;
        Random rnd = new Random(1);
        float[] a = random(rnd, batch * M * K);
        float[] b = random(rnd, batch * K * N);
        float[] c = new float[batch * M * N];
        measure(name, 2.0 * batch * M * N * K, runs, () -> CpuThreads.parallelFor(batch, t -> {
            int ao = t * M * K, bo = t * K * N, co = t * M * N;
            Arrays.fill(c, co, co + M * N, 0f);
            for (int i = 0; i < M; i++) {
                for (int k = 0; k < K; k++) {
                    float aik = a[ao + i * K + k];
                    for (int j = 0; j < N; j++) {
                        c[co + i * N + j] += aik * (transB ? b[bo + j * K + k] : b[bo + k * N + j]);
                    }
                }
            }
        }));
    }

    /**
     * Prints the medians of wall-clock GFLOP/s, of the FMA peak probed just before each run, of their ratio, and of
     * GFLOP per CPU-second of all live threads (after warm-up, that is the GEMM threads); returns the median ratio.
     * On a shared, loaded machine the wall number drops with the share of the cores we get, and so does the probe
     * beside it, while the CPU-time number stays close to the per-core throughput.
     */
    private static double measure(String name, double flops, int runs, Runnable call) {
        long warmEnd = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warmEnd; i++) {
            call.run();
        }
        double[] wall = new double[runs];
        double[] peak = new double[runs];
        double[] ratio = new double[runs];
        double[] cpu = new double[runs];
        double[] cpuRatio = new double[runs];
        for (int r = 0; r < runs; r++) {
            double[] probe = FmaPeak.measure(PROBE_MS);
            peak[r] = probe[0];
            int reps = 0;
            long c0 = cpuTimeNanos();
            long t0 = System.nanoTime(), t1;
            do {
                call.run();
                reps++;
                t1 = System.nanoTime();
            } while (t1 - t0 < 200_000_000L);
            wall[r] = flops * reps / (t1 - t0);
            cpu[r] = flops * reps / Math.max(1, cpuTimeNanos() - c0);
            ratio[r] = wall[r] / peak[r];
            cpuRatio[r] = cpu[r] / probe[1];
        }
        double median = median(ratio);
        System.out.printf("%-46s %10.1f %10.1f %7.0f%% %12.1f %7.0f%%%n", name, median(wall), median(peak), 100 * median,
                median(cpu), 100 * median(cpuRatio));
        return median;
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** CPU time consumed so far by all live threads (JIT and GC threads are idle after warm-up). */
    private static long cpuTimeNanos() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            sum += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return sum;
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
