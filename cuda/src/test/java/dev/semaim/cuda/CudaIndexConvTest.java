package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** indexSelect / indexAdd / gather / scatterAdd (duplicate indices) and depthwiseConv2d against the CPU. */
class CudaIndexConvTest {
    private static Tensor indices(Rng rng, DType dt, int bound, int... shape) {
        Tensor u = Tensor.empty(DType.F64, CPU, shape);
        CPU.random(u, dev.semaim.tensor.RandomKind.UNIFORM, rng.seed(), rng.take(u.numel()), 0, bound);
        return u.to(dt);  // truncation toward zero: integers in [0, bound)
    }

    @Test
    void indexSelectAndIndexAddMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            DType idt = seed % 2 == 0 ? DType.I32 : DType.I64;
            int[] shape = awkwardShape(rng, 3);
            int axis = (int) (seed % 3);
            Tensor x = randn(rng, DType.F32, shape), idx = indices(rng, idt, shape[axis], 9);
            int[] os = shape.clone();
            os[axis] = 9;
            Tensor oc = Tensor.empty(DType.F32, CPU, os), og = Tensor.empty(DType.F32, gpu, os);
            CPU.indexSelect(view(x, 1), axis, idx, oc);
            gpu.indexSelect(view(x.to(gpu), 1), axis, idx.to(gpu), og);
            assertClose("indexSelect axis " + axis, seed, oc, og, 0, 0);
            Tensor src = randn(rng, DType.F32, os);
            Tensor ac = x.copy(), ag = x.to(gpu);
            CPU.indexAdd(ac, axis, idx, src);
            gpu.indexAdd(ag, axis, idx.to(gpu), src.to(gpu));
            assertClose("indexAdd axis " + axis, seed, ac, ag, 1e-5, 1e-5);
        }
    }

    @Test
    void gatherAndScatterAddMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            int[] shape = awkwardShape(rng, 3);
            int axis = (int) (seed % 3);
            int[] is = shape.clone();
            is[axis] = 5;
            Tensor x = randn(rng, DType.F64, shape), idx = indices(rng, DType.I64, shape[axis], is);
            Tensor oc = Tensor.empty(DType.F64, CPU, is), og = Tensor.empty(DType.F64, gpu, is);
            CPU.gather(x, axis, idx, oc);
            gpu.gather(x.to(gpu), axis, idx.to(gpu), og);
            assertClose("gather axis " + axis, seed, oc, og, 0, 0);
            int[] ss = is.clone();
            ss[(axis + 1) % 3] += 2;  // src larger than index: its leading corner is read
            Tensor src = randn(rng, DType.F64, ss);
            Tensor ac = x.copy(), ag = x.to(gpu);
            CPU.scatterAdd(ac, axis, idx, src);
            gpu.scatterAdd(ag, axis, idx.to(gpu), src.to(gpu));
            assertClose("scatterAdd axis " + axis, seed, ac, ag, 1e-12, 1e-12);
        }
    }

    @Test
    void outOfRangeIndexIsReportedAtTheNextSynchronisation() {
        Backend gpu = gpu();
        Tensor x = Tensor.zeros(DType.F32, 1).to(gpu).expand(4).contiguous();
        Tensor idx = Tensor.of(gpu, new long[] {0, 4}, 2);
        Tensor out = Tensor.empty(DType.F32, gpu, 2);
        gpu.indexSelect(x, 0, idx, out);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, gpu::synchronize);
        assertTrue(e.getMessage().contains("indexSelect: index 4 out of range for axis of size 4"), e.getMessage());
        gpu.synchronize();  // the flag is cleared
    }

    @Test
    void depthwiseConv2dMatchesCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 4; seed++) {
            Rng rng = new Rng(seed);
            int k = (int) (2 * seed - 1), pad = (int) (seed - 1) + (int) (seed % 2), h = 5 + (int) seed * 3, w = 4 + (int) seed * 5;
            Tensor x = randn(rng, DType.F32, 2, 3, h, w), wt = randn(rng, DType.F32, 3, 1, k, k);
            int ho = h + 2 * pad - k + 1, wo = w + 2 * pad - k + 1;
            Tensor oc = Tensor.empty(DType.F32, CPU, 2, 3, ho, wo), og = Tensor.empty(DType.F32, gpu, 2, 3, ho, wo);
            CPU.depthwiseConv2d(view(x, 1), wt, pad, oc);
            gpu.depthwiseConv2d(view(x.to(gpu), 1), wt.to(gpu), pad, og);
            assertClose("depthwiseConv2d k " + k + " pad " + pad, seed, oc, og, 1e-5, 1e-5);
        }
    }
}
