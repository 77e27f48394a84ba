package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;

/** softmax / log-softmax and layerNorm, forward and backward, against the CPU. */
class CudaNormSoftmaxTest {
    @Test
    void softmaxAndBackwardMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 8; seed++) {
            Rng rng = new Rng(seed);
            DType dt = seed % 4 == 0 ? DType.F64 : DType.F32;
            int[] shape = awkwardShape(rng, 3);
            shape[2] = seed == 8 ? 1000 : shape[2];
            Tensor x = randn(rng, dt, shape).mul(3), dy = randn(rng, dt, shape);
            for (int axis = 0; axis < 3; axis++)
                for (boolean log : new boolean[] {false, true}) {
                    Tensor yc = Tensor.empty(dt, CPU, shape), yg = Tensor.empty(dt, gpu, shape);
                    CPU.softmax(view(x, 1), axis, log, yc);
                    gpu.softmax(view(x.to(gpu), 1), axis, log, yg);
                    assertClose("softmax log=" + log + " axis " + axis, seed, yc, yg, tol(dt), tol(dt));
                    Tensor dc = Tensor.empty(dt, CPU, shape), dg = Tensor.empty(dt, gpu, shape);
                    CPU.softmaxBackward(yc, view(dy, 2), axis, log, dc);
                    gpu.softmaxBackward(yc.to(gpu), view(dy.to(gpu), 2), axis, log, dg);
                    assertClose("softmaxBackward log=" + log + " axis " + axis, seed, dc, dg, 1e-4, 1e-4);
                }
        }
    }

    @Test
    void layerNormAndBackwardMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            DType dt = seed % 3 == 0 ? DType.F64 : DType.F32;
            int d = new int[] {1, 7, 64, 768, 33, 1025}[(int) seed - 1];
            int[] shape = {3, 1 + (int) seed * 37 % 50, d};
            int[] rows = {shape[0], shape[1]};
            Tensor x = randn(rng, dt, shape).mul(2).add(1), dy = randn(rng, dt, shape);
            boolean affine = seed % 2 == 1;
            Tensor w = affine ? randn(rng, dt, d) : null, b = affine ? randn(rng, dt, d) : null;
            Tensor oc = Tensor.empty(dt, CPU, shape), mc = Tensor.empty(dt, CPU, rows), rc = Tensor.empty(dt, CPU, rows);
            Tensor og = Tensor.empty(dt, gpu, shape), mg = Tensor.empty(dt, gpu, rows), rg = Tensor.empty(dt, gpu, rows);
            CPU.layerNorm(view(x, 1), w, b, 1e-6, oc, mc, rc);
            gpu.layerNorm(view(x.to(gpu), 1), affine ? w.to(gpu) : null, affine ? b.to(gpu) : null, 1e-6, og, mg, rg);
            assertClose("layerNorm out", seed, oc, og, 1e-4, 1e-4);
            assertClose("layerNorm mean", seed, mc, mg, 1e-5, 1e-5);
            assertClose("layerNorm rstd", seed, rc, rg, 1e-4, 1e-4);
            Tensor dxc = Tensor.empty(dt, CPU, shape), dxg = Tensor.empty(dt, gpu, shape);
            Tensor dwc = affine ? Tensor.full(0.5, dt, CPU, d) : null, dbc = affine ? Tensor.full(-0.5, dt, CPU, d) : null;
            Tensor dwg = affine ? dwc.to(gpu) : null, dbg = affine ? dbc.to(gpu) : null;
            CPU.layerNormBackward(view(dy, 2), x, w, mc, rc, dxc, dwc, dbc);
            gpu.layerNormBackward(view(dy.to(gpu), 2), x.to(gpu), affine ? w.to(gpu) : null, mc.to(gpu), rc.to(gpu), dxg, dwg, dbg);
            assertClose("layerNormBackward dx", seed, dxc, dxg, 1e-4, 1e-4);
            if (affine) {
                assertClose("layerNormBackward dw (accumulated)", seed, dwc, dwg, 1e-3, 1e-4);
                assertClose("layerNormBackward db (accumulated)", seed, dbc, dbg, 1e-3, 1e-4);
            }
        }
    }
}
