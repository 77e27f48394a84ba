package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;

/** The GPU's Philox stream gives the CPU's numbers; AdamW matches the CPU update. */
class CudaRandomAdamwTest {
    @Test
    void randomMatchesCpuPhilox() {
        Backend gpu = gpu();
        long[] seeds = {0, 1, 0xDEADBEEFCAFEL, -7};
        for (long seed : seeds)
            for (RandomKind kind : RandomKind.values())
                for (DType dt : new DType[] {DType.F64, DType.F32}) {
                    double a = kind == RandomKind.TRUNC_NORMAL ? 0.02 : -1, b = kind == RandomKind.TRUNC_NORMAL ? 0.04 : 3;
                    long counter = (1L << 32) - 100;  // crosses the low counter word
                    Tensor oc = Tensor.empty(dt, CPU, 1000, 3), og = Tensor.empty(dt, gpu, 1000, 3);
                    CPU.random(oc, kind, seed, counter, a, b);
                    gpu.random(og, kind, seed, counter, a, b);
                    // UNIFORM is exact; the others go through log/cos/erfinv, equal to a few ulps
                    double t = kind == RandomKind.UNIFORM ? 0 : (dt == DType.F64 ? 1e-13 : 1e-6);
                    assertClose("random " + kind + " seed " + seed, seed, oc, og, t, t);
                }
    }

    @Test
    void adamwMatchesCpu() {
        Backend gpu = gpu();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            Rng rng = new Rng(3);
            Tensor p = randn(rng, dt, 65, 33), g = randn(rng, dt, 65, 33), m = randn(rng, dt, 65, 33).mul(0.1);
            Tensor v = randn(rng, dt, 65, 33).abs().mul(0.01);
            Tensor pg = p.to(gpu), gg = g.to(gpu), mg = m.to(gpu), vg = v.to(gpu);
            for (int t = 1; t <= 3; t++) {
                double bc1 = 1 - Math.pow(0.9, t), bc2 = 1 - Math.pow(0.999, t);
                CPU.adamw(p, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0.05, bc1, bc2);
                gpu.adamw(pg, gg, mg, vg, 1e-3, 0.9, 0.999, 1e-8, 0.05, bc1, bc2);
            }
            assertClose("adamw p", 3, p, pg, 1e-6, 1e-6);
            assertClose("adamw m", 3, m, mg, 1e-6, 1e-6);
            assertClose("adamw v", 3, v, vg, 1e-7, 1e-6);
        }
    }
}
