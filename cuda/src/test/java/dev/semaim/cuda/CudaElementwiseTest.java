package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;

/** copy, fill, unary, binary and where on the GPU against the CPU backend, over random shapes and views. */
class CudaElementwiseTest {
    /** Inputs valid for every op: |x| + 0.1 keeps log, sqrt, pow and reciprocal finite. */
    private static Tensor positive(Tensor t) {
        return t.abs().add(0.1);
    }

    @Test
    void unaryOpsMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 12; seed++) {
            Rng rng = new Rng(seed);
            DType dt = seed % 3 == 0 ? DType.F64 : DType.F32;
            int[] shape = awkwardShape(rng, 1 + (int) (seed % 4));
            Tensor x = randn(rng, dt, shape).mul(2);
            for (UnaryOp op : UnaryOp.values()) {
                Tensor in = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.RECIPROCAL ? positive(x) : x;
                Tensor xc = view(in, (int) (seed % 3)), xg = view(in.to(gpu), (int) (seed % 3));
                Tensor oc = Tensor.empty(dt, CPU, shape), og = Tensor.empty(dt, gpu, shape);
                CPU.unary(op, xc, oc, -0.5, 0.75);
                gpu.unary(op, xg, og, -0.5, 0.75);
                assertClose("unary " + op, seed, oc, og, tol(dt), tol(dt));
            }
        }
    }

    @Test
    void binaryOpsWithBroadcastMatchCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 12; seed++) {
            Rng rng = new Rng(seed);
            DType dt = seed % 4 == 0 ? DType.F64 : DType.F32;
            int[] shape = awkwardShape(rng, 2 + (int) (seed % 3));
            int[] bshape = shape.clone();
            bshape[0] = 1;  // b broadcasts along axis 0
            Tensor a = positive(randn(rng, dt, shape)), b = positive(randn(rng, dt, bshape));
            for (BinaryOp op : BinaryOp.values()) {
                Tensor ac = view(a, (int) (seed % 3)), ag = view(a.to(gpu), (int) (seed % 3));
                Tensor oc = Tensor.empty(dt, CPU, shape), og = Tensor.empty(dt, gpu, shape);
                CPU.binary(op, ac, b.expand(shape), oc);
                gpu.binary(op, ag, b.to(gpu).expand(shape), og);
                assertClose("binary " + op, seed, oc, og, tol(dt), tol(dt));
            }
        }
    }

    @Test
    void inPlaceBinaryAliasesItsOutput() {
        Backend gpu = gpu();
        Rng rng = new Rng(5);
        Tensor a = randn(rng, DType.F32, 33, 17), b = randn(rng, DType.F32, 33, 17);
        Tensor ag = a.to(gpu), bg = b.to(gpu);
        CPU.binary(BinaryOp.ADD, a, b, a);
        gpu.binary(BinaryOp.ADD, ag, bg, ag);
        assertClose("a += b", 5, a, ag, 0, 0);
    }

    @Test
    void copyConvertsDtypesAndLayouts() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            int[] shape = awkwardShape(rng, 3);
            Tensor x = randn(rng, DType.F64, shape).mul(1000);
            for (DType from : DType.values())
                for (DType to : DType.values()) {
                    Tensor src = x.to(from);
                    Tensor oc = Tensor.empty(to, CPU, shape), og = Tensor.empty(to, gpu, shape);
                    CPU.copy(view(src, 1), oc);
                    gpu.copy(view(src.to(gpu), 1), og);
                    assertClose("copy " + from + " -> " + to, seed, oc, og, 0, 0);
                }
        }
        long[] big = {Long.MAX_VALUE - 3, -(1L << 60) + 1, 12345678901234567L};
        Tensor l = Tensor.of(gpu, big, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(big, l.transpose(0, 0).copy().toLongArray(), "I64 copies are exact");
    }

    @Test
    void fillAndWhereMatchCpu() {
        Backend gpu = gpu();
        Rng rng = new Rng(9);
        int[] shape = {7, 1, 33};
        Tensor cond = randn(rng, DType.F32, shape).gt(0).to(DType.I64);
        Tensor a = randn(rng, DType.F32, shape), b = randn(rng, DType.F32, 7, 5, 33);
        int[] out = {7, 5, 33};
        Tensor oc = Tensor.empty(DType.F32, CPU, out), og = Tensor.empty(DType.F32, gpu, out);
        CPU.where(cond.expand(out), a.expand(out), b, oc);
        gpu.where(cond.to(gpu).expand(out), a.to(gpu).expand(out), b.to(gpu), og);
        assertClose("where", 9, oc, og, 0, 0);
        Tensor fc = Tensor.empty(DType.I32, CPU, 5, 3), fg = Tensor.empty(DType.I32, gpu, 5, 3);
        CPU.fill(fc.transpose(0, 1), -3);
        gpu.fill(fg.transpose(0, 1), -3);
        assertClose("fill", 9, fc, fg, 0, 0);
    }
}
