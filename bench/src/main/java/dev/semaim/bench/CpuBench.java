package dev.semaim.bench;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Losses;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.Module;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.tensor.cpu.CpuThreads;
import dev.semaim.tensor.cpu.KernelConfig;
import dev.semaim.tensor.cpu.KernelProfile;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU throughput of one configuration (a main class, not a test), the Java half of
 * {@code scripts/bench-cpu.sh}; {@code scripts/torch/bench_cpu.py} is the PyTorch half and prints the
 * same RESULT line. Configurations (float32, fixed seed, random inputs):
 * <ul>
 *   <li>{@code vit-t1}: ViT classifier, 28x28x1, patch 4, width 192, depth 12, 3 heads, 10 classes, global pool;
 *       train = forward + cross-entropy + backward + AdamW step;</li>
 *   <li>{@code aim-t1}: SemAIM pre-training step of the same encoder, query depth 12, MLP head, Gaussian blur,
 *       norm-pix L2, attention_center order pass included; train = order pass + forward + backward + AdamW;</li>
 *   <li>{@code vit-s}: ViT-S/16 on 224x224x3, 1000 classes.</li>
 * </ul>
 * Mode {@code infer} is the no-grad forward (for aim-t1: order pass + forward + loss). Prints per-step times,
 * then one line {@code RESULT {json}} with the median step, images/s, GFLOP/s (products counted by
 * {@link KernelProfile} in one profiled step after the timed ones) and its fraction of the machine's FMA peak
 * ({@link FmaPeak}, probed for 200 ms before each timed step; the median), the kernel configuration
 * ({@link KernelConfig#describe}), peak resident memory (VmHWM) and, with
 * {@code -Dsemaim.profile=true}, the profiled step's time per op class (and with
 * {@code -Dsemaim.profile.detail=true} its costliest calls).
 *
 * <p>Usage: {@code CpuBench <config> <train|infer> [batch] [warmup] [timed] [patch]}; patch overrides the patch
 * size of the 28x28 configurations (token-count scaling).
 */
public final class CpuBench {
    /** Length of one FMA peak probe ({@link FmaPeak}), run before each timed step. */
    private static final int PEAK_PROBE_MS = 200;

    private CpuBench() {
    }

    /** One step of the configured work on fresh inputs. */
    interface Step {
        void run(Tensor images, Tensor labels);
    }

    /**
     * A configuration's model, its step and the step's backward-and-update (where a data-parallel run hooks its
     * gradient all-reduce); inputs are (B, C, img, img) images and (B) labels of {@code classes}.
     */
    record Workload(Module model, Step step, GradientUpdate update, int img, int chans, int classes) {}

    /** Builds a configuration (see the class comment) for train or infer at the given patch size. */
    static Workload workload(String config, boolean train, int patch) {
        boolean small = !config.equals("vit-s");
        int img = small ? 28 : 224, chans = small ? 1 : 3, classes = small ? 10 : 1000;
        Rng rng = new Rng(0);
        switch (config) {
            case "vit-t1", "vit-s" -> {
                int dim = small ? 192 : 384, heads = small ? 3 : 6;
                VisionTransformer vit = new VisionTransformer(img, patch, chans, dim, 12, heads, 4.0, classes, true, 0.0, rng);
                GradientUpdate update = update(new AdamW(ParamGroups.weightDecay(vit, 0.05), 0.9, 0.999, 1e-8), vit);
                Step step = train ? (x, y) -> update.apply(Losses.crossEntropy(vit.forward(x), y), 1e-4, true) : (x, y) -> {
                    try (GradMode.Scope s = GradMode.noGrad()) {
                        vit.forward(x);
                    }
                };
                return new Workload(vit, step, update, img, chans, classes);
            }
            case "aim-t1" -> {
                AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(img).patchSize(patch).inChans(chans).build();
                AimViT aim = new AimViT(c, rng);
                GradientUpdate update = update(new AdamW(ParamGroups.weightDecay(aim, 0.05), 0.9, 0.95, 1e-8), aim);
                Rng orderRng = rng.fork(0xA1);
                Step step = train ? (x, y) -> update.apply(aim.forward(x, aim.priority(x, orderRng)).loss(), 1.5e-4, true) : (x, y) -> {
                    try (GradMode.Scope s = GradMode.noGrad()) {
                        aim.forward(x, aim.priority(x, orderRng));
                    }
                };
                return new Workload(aim, step, update, img, chans, classes);
            }
            default -> throw new IllegalArgumentException("CpuBench: unknown configuration '" + config + "' (vit-t1, aim-t1, vit-s)");
        }
    }

    /** The training loops' backward, optimizer step and release of gradients (no clipping, no accumulation). */
    private static GradientUpdate update(Optimizer optimizer, Module model) {
        return new GradientUpdate(optimizer, model.trainableParameters().values(), Double.NaN, 1);
    }

    /** The default batch of a configuration: 128 for the 28x28 ones, 16 for vit-s. */
    private static int defaultBatch(String config) {
        return config.equals("vit-s") ? 16 : 128;
    }

    /** The default patch size of a configuration: 4 for the 28x28 ones, 16 for vit-s. */
    private static int defaultPatch(String config) {
        return config.equals("vit-s") ? 16 : 4;
    }

    /** Fresh random inputs: images (B, C, img, img) and labels (B). */
    static Tensor[] inputs(Workload w, int batch, Rng data) {
        Tensor images = Tensor.randn(data, DType.F32, batch, w.chans(), w.img(), w.img());
        long[] y = new long[batch];
        for (int j = 0; j < batch; j++) y[j] = data.nextInt(w.classes());
        return new Tensor[] {images, Tensor.of(y, batch)};
    }

    /**
     * One training step of a configuration at its default batch and patch, on one fixed random batch: what
     * {@link StepAB} times, each build's own copy loaded by its own class loader.
     */
    public static Runnable trainStep(String config) {
        Workload w = workload(config, true, defaultPatch(config));
        Tensor[] in = inputs(w, defaultBatch(config), new Rng(1));
        return () -> {
            try (TensorScope scope = TensorScope.open()) { // as a training loop's step: its buffers go at its end
                w.step().run(in[0], in[1]);
            }
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2)
            throw new IllegalArgumentException("usage: CpuBench <vit-t1|aim-t1|vit-s> <train|infer> [batch] [warmup] [timed] [patch]");
        String config = args[0];
        boolean train = switch (args[1]) {
            case "train" -> true;
            case "infer" -> false;
            default -> throw new IllegalArgumentException("CpuBench: mode '" + args[1] + "' is not train or infer");
        };
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : defaultBatch(config);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int timed = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int patch = args.length > 5 ? Integer.parseInt(args[5]) : defaultPatch(config);
        Workload w = workload(config, train, patch);
        int img = w.img(), chans = w.chans();
        Module model = w.model();
        Step step = w.step();
        System.out.printf(Locale.ROOT, "ours %s %s: batch %d, %dx%dx%d patch %d, %,d parameters, %d warm-up + %d timed steps, java %s, %d threads%n",
                config, args[1], batch, img, img, chans, patch, model.parameterCount(true), warmup, timed,
                System.getProperty("java.version"), CpuThreads.threads());
        System.out.println("kernels: " + KernelConfig.describe());
        for (int i = 0; i < 10; i++) FmaPeak.measure(PEAK_PROBE_MS); // compiles the probe
        Rng data = new Rng(1);
        List<Double> seconds = new ArrayList<>(), cpuSeconds = new ArrayList<>(), peaks = new ArrayList<>();
        double dataSeconds = 0;
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmup + timed + 1; i++) {
            boolean profiled = i == warmup + timed;
            if (i >= warmup && !profiled) peaks.add(FmaPeak.measure(PEAK_PROBE_MS)[0]); // the roof, beside each timed step
            double ds;
            long gc0, cpu0, alloc0, t0;
            try (TensorScope scope = TensorScope.open()) { // as a training loop's step: its buffers, the batch too, go at its end
                long d0 = System.nanoTime();
                Tensor[] in = inputs(w, batch, data);                              // images (B, C, H, W), labels (B)
                ds = (System.nanoTime() - d0) / 1e9;
                if (profiled) KernelProfile.reset();
                gc0 = gcMillis();
                cpu0 = os.getProcessCpuTime();
                alloc0 = allocatedBytes();
                t0 = System.nanoTime();
                step.run(in[0], in[1]);
            }
            double s = (System.nanoTime() - t0) / 1e9, cpu = (os.getProcessCpuTime() - cpu0) / 1e9, gc = (gcMillis() - gc0) / 1e3;
            double allocGb = (allocatedBytes() - alloc0) / 1e9;
            if (profiled) {
                report(config, args[1], batch, patch, seconds, cpuSeconds, peaks, s, gc, allocGb, dataSeconds / timed);
                return;
            }
            System.out.printf(Locale.ROOT, "step %d%s: %.3f s, %.1f images/s, %.3f CPU-s, GC %.3f s%n", i, i < warmup ? " (warm-up)" : "",
                    s, batch / s, cpu, gc);
            if (i >= warmup) {
                seconds.add(s);
                cpuSeconds.add(cpu);
                dataSeconds += ds;
            }
        }
    }

    static double median(List<Double> xs) {
        double[] sorted = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** Heap bytes allocated so far by all live threads (the pool threads included). */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) total += Math.max(0, b);
        return total;
    }

    /** Total collection time of all collectors so far, ms. */
    private static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
        return ms;
    }

    private static void report(String config, String mode, int batch, int patch, List<Double> seconds, List<Double> cpuSeconds,
                               List<Double> peaks, double profiledSeconds, double gcSeconds, double allocGb, double dataSeconds) throws IOException {
        double median = median(seconds);
        double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<KernelProfile.Kind, Long> nanos = KernelProfile.nanos(), flops = KernelProfile.flops();
        long productFlops = flops.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"side\": \"ours\", \"config\": \"%s\", \"mode\": \"%s\", \"batch\": %d, \"patch\": %d, "
                        + "\"median_step_s\": %.4f, \"images_per_s\": %.2f, \"steps_s\": %s, \"median_cpu_s\": %.4f, \"peak_rss_mib\": %.1f, "
                + "\"allocated_gb\": %.2f, \"fma_peak_gflops\": %.1f, \"kernels\": \"%s\"",
                config, mode, batch, patch, median, batch / median, Arrays.toString(sorted), median(cpuSeconds), peakRssMib(), allocGb,
                median(peaks), KernelConfig.describe()));
        if (KernelProfile.enabled()) {
            json.append(String.format(Locale.ROOT, ", \"flops\": %d, \"gflops_per_s\": %.1f, \"of_peak\": %.3f, \"profiled_step_s\": %.4f, \"split_s\": {",
                    productFlops, productFlops / median / 1e9, productFlops / median / 1e9 / median(peaks), profiledSeconds));
            long inKernels = 0;
            for (KernelProfile.Kind k : KernelProfile.Kind.values()) {
                json.append(String.format(Locale.ROOT, "\"%s\": %.4f, ", k.name().toLowerCase(Locale.ROOT), nanos.get(k) / 1e9));
                inKernels += nanos.get(k);
            }
            json.append(String.format(Locale.ROOT, "\"gc\": %.4f, \"framework\": %.4f, \"data\": %.4f}", gcSeconds,
                    profiledSeconds - inKernels / 1e9 - gcSeconds, dataSeconds));
        }
        System.out.println("RESULT " + json.append('}'));
        printDetail(profiledSeconds);
    }

    /** With -Dsemaim.profile.detail=true: the profiled step's 30 costliest call labels, to stderr. */
    private static void printDetail(double profiledSeconds) {
        Map<String, long[]> detail = KernelProfile.detail();
        if (detail.isEmpty()) return;
        System.err.printf(Locale.ROOT, "%9s %6s %6s  %s%n", "seconds", "share", "calls", "call (op, operand shapes; ' column-major, * other view)");
        detail.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(30)
                .forEach(e -> System.err.printf(Locale.ROOT, "%9.4f %5.1f%% %6d  %s%n", e.getValue()[0] / 1e9,
                        100 * e.getValue()[0] / 1e9 / profiledSeconds, e.getValue()[1], e.getKey()));
    }

    /** Peak resident set (VmHWM) of this process in MiB, NaN where /proc is missing. */
    private static double peakRssMib() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return Double.NaN;
        for (String line : Files.readAllLines(status))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        return Double.NaN;
    }
}
