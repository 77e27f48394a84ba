package dev.semaim.bench;

import dev.semaim.data.Batch;
import dev.semaim.data.DataLoader;
import dev.semaim.data.TrainingData;
import dev.semaim.model.AimViT;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainStep;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Pre-training throughput (a main class, not a test): aim_tiny (width 192, depth 12, heads 3, query depth 12)
 * on the embedded Fashion-MNIST, 28x28x1, patch 4, attention_center order, norm-pix L2, clip 3.0, batch 128
 * by default. Times {@link PretrainStep#run} (order pass, forward, backward, clip, AdamW step) per batch, after
 * {@code warmup} untimed steps, and prints the median images/s, both per wall second and per CPU second of the
 * whole process (the steadier figure on a shared machine; two idle cores would give about twice it). Usage: see
 * bench/README.md; {@code PretrainBenchmark [batch] [warmup] [timed]}.
 */
public final class PretrainBenchmark {
    private PretrainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int timed = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        PretrainOptions o = new PretrainOptions();
        o.model = "aim_tiny";
        o.inputSize = 28;
        o.patchSize = 4;
        o.inChans = 1;
        o.normPixLoss = true;
        o.batchSize = batch;
        o.clipGrad = 3.0;
        o.dataPath = TrainingData.EMBEDDED;
        AimViT model = new AimViT(o.modelConfig(), new Rng(o.seed));
        // the pre-training's AdamW (betas 0.9, 0.95, eps 1e-8; their values do not change the cost)
        PretrainStep step = new PretrainStep(model, new AdamW(ParamGroups.weightDecay(model, o.weightDecay), 0.9, 0.95, 1e-8), o.clipGrad, 1);
        TrainingData.Source data = TrainingData.open(o.dataPath, o.inChans, System.err::println);
        System.out.printf(Locale.ROOT, "aim_tiny 1x28x28 patch 4, %,d trainable parameters, batch %d, %d warm-up + %d timed steps, java %s, %d cpus%n",
                model.parameterCount(true), batch, warmup, timed, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> seconds = new ArrayList<>(), cpuSeconds = new ArrayList<>();
        try (DataLoader loader = DataLoader.builder(data.dataset()).transform(data.pretrainTransform(o.inputSize))
                .batchSize(batch).shuffle(true).dropLast(true).workers(1).seed(o.seed).build()) {
            Iterator<Batch> it = loader.epoch(0).iterator();
            for (int i = 0; i < warmup + timed; i++) {
                Batch b = it.next();
                long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                double loss;
                try (TensorScope scope = TensorScope.open()) { // as the training loop's step: its buffers go at its end
                    Tensor images = Tensor.of(Backends.defaultBackend(), b.images(), b.size(), b.channels(), b.height(), b.width());
                    loss = step.run(images, new Rng(o.seed).fork(i), 1e-4, true);
                }
                double s = (System.nanoTime() - t0) / 1e9, cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf(Locale.ROOT, "step %d%s: %.2f s (%.2f CPU-s), %.1f images/s, loss %.4f%n", i,
                        i < warmup ? " (warm-up)" : "", s, cpu, batch / s, loss);
                if (i >= warmup) {
                    seconds.add(s);
                    cpuSeconds.add(cpu);
                }
            }
        }
        double wall = median(seconds), cpu = median(cpuSeconds);
        System.out.printf(Locale.ROOT, "median %.2f s per step = %.1f images/s; median %.2f CPU-s per step = %.1f images per CPU-s (wall steps: %s)%n",
                wall, batch / wall, cpu, batch / cpu, seconds);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
