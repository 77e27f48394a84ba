package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark (not a test): heap allocated by one steady-state training step of a stack of
 * Linear-GELU-LayerNorm layers on (128·50, 192) float32 activations (a ViT-Tiny-sized token batch),
 * with a plain SGD update. Counts the bytes allocated by every live thread (the caller and the CPU
 * pool) with com.sun.management.ThreadMXBean, and reports the median step time (wall and CPU) and
 * GC activity. The GC threads' own CPU time is not counted.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx4g \
 *   -cp autograd/target/test-classes:autograd/target/classes:tensor/target/classes \
 *   dev.semaim.autograd.TrainingStepAllocation [layers=4] [steps=10]
 * </pre>
 */
public final class TrainingStepAllocation {
    static final int ROWS = 128 * 50, DIM = 192;

    public static void main(String[] args) {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Rng rng = new Rng(0);
        List<Var[]> params = new ArrayList<>();
        for (int l = 0; l < layers; l++)
            params.add(new Var[] {
                    Var.leaf(Tensor.randn(rng, DType.F32, DIM, DIM).mul(1 / Math.sqrt(DIM)), true), // linear weight (out, in)
                    Var.leaf(Tensor.zeros(DIM), true), // linear bias
                    Var.leaf(Tensor.ones(DType.F32, DIM), true), // layer-norm weight
                    Var.leaf(Tensor.zeros(DIM), true)}); // layer-norm bias
        Var x = Var.constant(Tensor.randn(rng, DType.F32, ROWS, DIM)); // x: (B·L, C)

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int warmup = Integer.getInteger("warmup", 3);
        long[] bytes = new long[steps];
        double[] millis = new double[steps], cpuMillis = new double[steps];
        long gcCount0 = 0, gcTime0 = 0;
        for (int s = -warmup; s < steps; s++) {
            if (s == 0) {
                gcCount0 = gcCount();
                gcTime0 = gcTime();
            }
            long b0 = allocated(threads), c0 = cpu(threads), t0 = System.nanoTime();
            step(x, params);
            long t1 = System.nanoTime(), c1 = cpu(threads), b1 = allocated(threads);
            if (Boolean.getBoolean("trace")) System.out.printf("step %d: %.1f MiB, %.1f ms%n", s, (b1 - b0) / (double) (1 << 20), (t1 - t0) / 1e6);
            if (s >= 0) {
                bytes[s] = b1 - b0;
                millis[s] = (t1 - t0) / 1e6;
                cpuMillis[s] = (c1 - c0) / 1e6;
            }
        }
        Arrays.sort(bytes);
        Arrays.sort(millis);
        Arrays.sort(cpuMillis);
        double activation = (double) ROWS * DIM * 4;
        System.out.printf("layers %d, activations (%d, %d) float32 = %.2f MiB%n", layers, ROWS, DIM, activation / (1 << 20));
        System.out.printf("allocated per step: median %.1f MiB (%.1f activation-sized buffers, %.1f per layer)%n",
                bytes[steps / 2] / (double) (1 << 20), bytes[steps / 2] / activation, bytes[steps / 2] / activation / layers);
        System.out.printf("step time: median %.1f ms wall, %.1f ms CPU (all threads); GC over %d steps: %d collections, %d ms%n",
                millis[steps / 2], cpuMillis[steps / 2], steps, gcCount() - gcCount0, gcTime() - gcTime0);
    }

    /**
     * Forward, loss = mean(y²), backward, SGD update, gradients cleared. With {@code -Drelease=true} it recycles as
     * the training loops do: the step runs in a {@link TensorScope} (its update temporaries go at the end), the
     * backward releases the activations ({@link Var#backwardAndRelease}) and zero grad the gradients.
     */
    static void step(Var x, List<Var[]> params) {
        boolean release = Boolean.getBoolean("release");
        try (TensorScope scope = release ? TensorScope.open() : null) {
            Var h = x;
            for (Var[] p : params) h = Normalization.layerNorm(LinearAlgebra.linear(h, p[0], p[1]).gelu(), p[2], p[3], 1e-6);
            Var loss = h.square().mean();
            if (release) loss.backwardAndRelease();
            else loss.backward();
            try (GradMode.Scope s = GradMode.noGrad()) {
                for (Var[] p : params)
                    for (Var v : p) {
                        v.data().subInPlace(v.grad().mul(0.01));
                        v.zeroGrad();
                    }
            }
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }

    /** CPU time of every live thread, less sensitive than wall time to other load on a shared machine. */
    private static long cpu(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) sum += t;
        }
        return sum;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += gc.getCollectionCount();
        return n;
    }

    private static long gcTime() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) n += gc.getCollectionTime();
        return n;
    }
}
