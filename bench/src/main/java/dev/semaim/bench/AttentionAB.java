package dev.semaim.bench;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * The fused CPU attention, forward and backward, of two builds of the tensor module in one JVM, alternating: the
 * StepAB method (both builds meet the same moments of a shared host) for the attention alone, on vit-t1's shapes
 * (128 images × 3 heads of 50 tokens × 64, q, k and v slices of one projection). Each build's tensor classes get a
 * class loader of their own, with this class's {@link Work} on top of them (it uses only the public Backend API,
 * which both builds have), so any two revisions compare, e.g. one built from an older commit.
 *
 * <p>Usage: {@code AttentionAB <rounds> <tensor classes A> <tensor classes B>}; run it with
 * {@code -Dsemaim.threads=1} for the per-core cost. Per round each build runs a 150 ms burst of forwards, then of
 * backwards, in alternating order; prints the medians of CPU µs per head (all threads' CPU time) and of B's per-round
 * time over A's.
 */
public final class AttentionAB {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AttentionAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: AttentionAB <rounds> <tensor classes A> <tensor classes B>");
        int rounds = Integer.parseInt(args[0]);
        URL bench = AttentionAB.class.getProtectionDomain().getCodeSource().getLocation();
        @SuppressWarnings("unchecked")
        IntFunction<Double>[] builds = new IntFunction[2];
        for (int i = 0; i < 2; i++) {
            ClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[1 + i]).toUri().toURL(), bench},
                    ClassLoader.getPlatformClassLoader());
            // by name: this loader (without the tensor classes) must not link Work
            builds[i] = (IntFunction<Double>) loader.loadClass("dev.semaim.bench.AttentionAB$Work").getConstructor().newInstance();
        }
        for (int w = 0; w < 8; w++) for (IntFunction<Double> b : builds) for (int kind = 0; kind < 2; kind++) b.apply(kind);
        for (int kind = 0; kind < 2; kind++) {
            double[] a = new double[rounds], b = new double[rounds], ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    a[r] = builds[0].apply(kind);
                    b[r] = builds[1].apply(kind);
                } else {
                    b[r] = builds[1].apply(kind);
                    a[r] = builds[0].apply(kind);
                }
                ratio[r] = b[r] / a[r];
            }
            Arrays.sort(a);
            Arrays.sort(b);
            Arrays.sort(ratio);
            System.out.printf(Locale.ROOT, "%s: A %.2f, B %.2f CPU-µs per head (medians of %d), B / A %.3f (quartiles %.3f-%.3f)%n",
                    kind == 0 ? "forward " : "backward", a[rounds / 2], b[rounds / 2], rounds, ratio[rounds / 2],
                    ratio[rounds / 4], ratio[3 * rounds / 4]);
        }
    }

    /**
     * One build's attention on vit-t1's shapes: apply(0) times a burst of forwards, apply(1) of backwards, in CPU-µs
     * per head; {@link #call} gives the calls themselves (GemmBenchmark times them too).
     */
    public static final class Work implements IntFunction<Double> {
        static final int IMAGES = 128, HEADS = 3, TOKENS = 50, HD = 64;
        private final Runnable forward, backward;

        public Work() {
            Random rnd = new Random(1);
            int d = HEADS * HD;
            Tensor qkv = Tensor.of(floats(rnd, IMAGES * TOKENS * 3 * d), IMAGES, TOKENS, 3 * d);
            Tensor q = qkv.narrow(2, 0, d), k = qkv.narrow(2, d, d), v = qkv.narrow(2, 2 * d, d);
            Tensor out = Tensor.empty(DType.F32, IMAGES, TOKENS, d), probs = Tensor.empty(DType.F32, IMAGES, HEADS, TOKENS, TOKENS);
            Tensor dOut = Tensor.of(floats(rnd, IMAGES * TOKENS * d), IMAGES, TOKENS, d);
            Tensor grads = Tensor.empty(DType.F32, IMAGES, TOKENS, 3 * d);
            Tensor dq = grads.narrow(2, 0, d), dk = grads.narrow(2, d, d), dv = grads.narrow(2, 2 * d, d);
            Backend cpu = Backends.cpu();
            double scale = Math.pow(HD, -0.5);
            forward = () -> cpu.attention(q, k, v, HEADS, scale, null, out, probs);
            backward = () -> cpu.attentionBackward(dOut, q, k, v, probs, HEADS, scale, dq, dk, dv);
            forward.run();
        }

        /** The fused forward (kind 0: out and probs from q, k, v) or backward (kind 1: dq, dk, dv). */
        public Runnable call(int kind) {
            return kind == 0 ? forward : backward;
        }

        @Override
        public Double apply(int kind) {
            Runnable call = call(kind);
            long end = System.nanoTime() + 150_000_000L, c0 = cpuNanos();
            int n = 0;
            do {
                call.run();
                n++;
            } while (System.nanoTime() < end);
            return (cpuNanos() - c0) / 1e3 / n / (IMAGES * HEADS);
        }

        private static long cpuNanos() {
            long sum = 0;
            for (long id : THREADS.getAllThreadIds()) sum += Math.max(0, THREADS.getThreadCpuTime(id));
            return sum;
        }

        private static float[] floats(Random rnd, int n) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
            return x;
        }
    }
}
