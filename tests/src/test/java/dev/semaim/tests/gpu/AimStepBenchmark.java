package dev.semaim.tests.gpu;

import dev.semaim.autograd.Autocast;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.Arrays;

/**
 * Images per second of one full pre-training step (priority with the order pass, masked forward, loss,
 * backward, AdamW step) on a backend, the numbers BENCHMARKS.md records:
 * {@code AimStepBenchmark <device> <config> <batch> <imgSize> <timedSteps>}, e.g. {@code cuda aim_base 64 224 5}.
 * Prints one line per step and a final "RESULT" line with the median. When the device runs out of
 * memory the batch is halved and the run says so. -Dbench.phases=true waits for the device after the
 * priority, forward and backward phases (with -Dsemaim.cuda.profile=true each wait prints a kernel profile).
 * Like the training loop, the step releases activations during the backward and gradients after the update;
 * -Dbench.release=false keeps them for the collector instead (plain backward and zero grad), for comparison.
 * -Dbench.amp=bf16 or fp16 runs the forward under autocast and the update as the training loops do under {@code --amp}
 * ({@link GradientUpdate}: float32 master weights, fp16 with PyTorch's loss scaling; it also measures the gradient norm).
 */
public final class AimStepBenchmark {
    private static final boolean PHASES = Boolean.getBoolean("bench.phases");
    private static final boolean RELEASE = Boolean.parseBoolean(System.getProperty("bench.release", "true"));
    /** The forward's 16-bit type under -Dbench.amp=bf16|fp16; null (float32) otherwise. */
    private static final DType AMP = switch (System.getProperty("bench.amp", "off")) {
        case "bf16" -> DType.BF16;
        case "fp16" -> DType.F16;
        default -> null;
    };

    private AimStepBenchmark() {}

    public static void main(String[] args) {
        String device = args.length > 0 ? args[0] : "cuda";
        String name = args.length > 1 ? args[1] : "aim_base";
        AimConfig config = AimConfig.preset(name).toBuilder().imgSize(args.length > 3 ? Integer.parseInt(args[3]) : 224).build();
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64, steps = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Backend backend = Backends.byName(device);
        Backends.setDefault(backend);
        System.out.println("device " + backend + ", " + config);
        while (true) {
            try {
                run(backend, name, config, batch, steps);
                return;
            } catch (RuntimeException e) {
                if (batch == 1 || e.getMessage() == null || !e.getMessage().contains("out of GPU memory")) throw e;
                System.out.println("batch " + batch + " ran out of memory (" + e.getMessage() + "); retrying with batch " + batch / 2);
                batch /= 2;
            }
        }
    }

    /** With -Dbench.phases=true: waits for the device and prints the phase's wall time (and the kernel profile if enabled). */
    private static void phase(Backend backend, String name) {
        if (!PHASES) return;
        long t0 = System.nanoTime();
        backend.synchronize();
        System.out.printf("phase %s done (waited %.1f ms for the device)%n", name, (System.nanoTime() - t0) / 1e6);
    }

    private static void run(Backend backend, String name, AimConfig config, int batch, int steps) {
        AimViT model = new AimViT(config, new Rng(0));
        AdamW opt = new AdamW(ParamGroups.weightDecay(model, 0.05), 0.9, 0.95, 1e-8);
        GradientUpdate update = new GradientUpdate(opt, model.trainableParameters().values(), Double.NaN, 1,
                AMP == DType.F16 ? new GradScaler() : null);
        Rng rng = new Rng(1);
        Tensor images = Tensor.randn(rng, DType.F32, batch, config.inChans(), config.imgSize(), config.imgSize());
        double[] secs = new double[steps];
        for (int s = -2; s < steps; s++) {  // two warm-up steps (PTX JIT, allocator growth)
            long t0 = System.nanoTime();
            double loss;
            // with release (the training loops' way) the step runs in a scope; without, everything waits for the collector
            try (TensorScope step = RELEASE ? TensorScope.open() : null) {
                Tensor priority = model.priority(images, rng);
                phase(backend, "priority (order pass)");
                AimOutput out;
                try (Autocast.Scope amp = Autocast.enable(AMP)) {
                    out = model.forward(images, priority);
                }
                phase(backend, "forward");
                if (AMP != null) {
                    loss = update.apply(out.loss(), 1.5e-4, true); // backward, unscale, step, zero grad
                } else {
                    if (RELEASE) out.loss().backwardAndRelease();
                    else out.loss().backward();
                    phase(backend, "backward");
                    opt.step(1.5e-4);
                    opt.zeroGrad();
                    loss = out.loss().item();
                }
            }
            backend.synchronize();
            double dt = (System.nanoTime() - t0) / 1e9;
            System.out.printf("step %d: loss %.5f, %.3f s, %.1f images/s; %s%n", s, loss, dt, batch / dt, backend);
            if (s >= 0) secs[s] = dt;
        }
        double[] sorted = secs.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2];
        System.out.printf("RESULT device=%s config=%s batch=%d img=%d release=%b amp=%s median_step_s=%.4f images_per_s=%.2f%n",
                backend.name(), name, batch, config.imgSize(), RELEASE, System.getProperty("bench.amp", "off"), median, batch / median);
        System.out.println("backend state: " + backend);
    }
}
