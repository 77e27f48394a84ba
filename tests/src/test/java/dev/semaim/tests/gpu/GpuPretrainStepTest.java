package dev.semaim.tests.gpu;

import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One full pre-training step of a small AimViT (order pass, masked two-stream forward, L2 norm-pix loss,
 * backward; the GPU's releases its activations as the training loop's does) on the GPU against the CPU, from the
 * same weights, images and noise. The GPU backend is found at run time (Backends.byName), so without the cuda
 * module or a GPU the test is skipped.
 */
class GpuPretrainStepTest {
    static Backend cudaOrSkip() {
        try {
            return Backends.byName("cuda");
        } catch (IllegalArgumentException e) {
            assumeTrue(false, "skipped: " + e.getMessage());
            return null;
        }
    }

    @Test
    void lossOrderMapAndGradientsMatchCpu() {
        Backend gpu = cudaOrSkip();
        AimConfig config = AimConfig.builder().imgSize(32).patchSize(4).embedDim(64).depth(4).numHeads(4).queryDepth(2)
                .gaussianKernelSize(5).build();
        Backend before = Backends.defaultBackend();
        try {
            Backends.setDefault(Backends.cpu());
            AimViT cpuModel = new AimViT(config, new Rng(0));
            Rng data = new Rng(11);
            Tensor images = Tensor.randn(data, DType.F32, 4, 3, 32, 32);
            Tensor noise = Tensor.rand(data, DType.F32, 4, config.numPatches());
            Tensor attnCpu = cpuModel.orderPass(images);
            Tensor priority = cpuModel.priority(images, noise, null);
            AimOutput cpuOut = cpuModel.forward(images, priority);
            cpuOut.loss().backward();

            Backends.setDefault(gpu);
            AimViT gpuModel = new AimViT(config, new Rng(0));
            StateDict.load(gpuModel, StateDict.of(cpuModel), true);
            // as the training loop does: the step in a scope, the GPU's activations back to its allocator during the
            // pass and the rest when the scope closes; a kernel that read one after its release would fail on the
            // storage's pointer, and the gradients (the parameters' own) outlive the scope
            try (TensorScope step = TensorScope.open()) {
                Tensor imagesG = images.to(gpu);
                Tensor attnGpu = gpuModel.orderPass(imagesG);
                compare("order-pass attention map", attnCpu, attnGpu, 1e-4);
                AimOutput gpuOut = gpuModel.forward(imagesG, priority.to(gpu));
                assertEquals(cpuOut.loss().item(), gpuOut.loss().item(), 1e-4 * Math.abs(cpuOut.loss().item()), "loss");
                compare("loss map", cpuOut.lossMap(), gpuOut.lossMap(), 1e-4);
                gpuOut.loss().backwardAndRelease();
            }

            Map<String, Parameter> gp = gpuModel.namedParameters();
            double global = 0;
            for (Parameter p : cpuModel.namedParameters().values())
                if (p.grad() != null) global = Math.max(global, p.grad().abs().max(false).item());
            for (Map.Entry<String, Parameter> e : cpuModel.namedParameters().entrySet()) {
                Tensor gc = e.getValue().grad(), gg = gp.get(e.getKey()).grad();
                if (gc == null && gg == null) continue;
                if (gc == null || gg == null) fail(e.getKey() + ": gradient present on one device only");
                double scale = gc.abs().max(false).item();
                compareAbs("grad " + e.getKey(), gc, gg, 2e-3 * scale + 1e-5 * global);
            }
        } finally {
            Backends.setDefault(before);
        }
    }

    private static void compare(String what, Tensor cpu, Tensor gpu, double rel) {
        compareAbs(what, cpu, gpu, rel * Math.max(1e-30, cpu.abs().max(false).item()));
    }

    private static void compareAbs(String what, Tensor cpu, Tensor gpu, double tol) {
        double[] c = cpu.toDoubleArray(), g = gpu.toDoubleArray();
        int worst = 0;
        for (int i = 1; i < c.length; i++) if (Math.abs(c[i] - g[i]) > Math.abs(c[worst] - g[worst])) worst = i;
        if (!(Math.abs(c[worst] - g[worst]) <= tol))
            fail(what + " " + java.util.Arrays.toString(cpu.shape()) + ": largest difference at " + worst + ": CPU " + c[worst] + ", GPU " + g[worst]
                    + " (tolerance " + tol + ", seed 11)");
    }
}
