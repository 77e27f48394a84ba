package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Helpers for the GPU-versus-CPU tests: the GPU backend (the test is skipped, saying why, where CUDA is
 * unavailable), seeded random inputs, awkward views, and a comparison that reports seed, shapes and the
 * largest difference.
 */
final class GpuTestSupport {
    private GpuTestSupport() {}

    static final Backend CPU = Backends.cpu();

    /** The CUDA backend, or the test is skipped with the reason. */
    static Backend gpu() {
        String why = new CudaBackendProvider().unavailableReason();
        assumeTrue(why == null, () -> "skipped: no usable GPU here (" + why + ")");
        return CudaBackend.get();
    }

    /** Normal(0, 1) values on the CPU. */
    static Tensor randn(Rng rng, DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, CPU, shape);
        CPU.random(t, dev.semaim.tensor.RandomKind.NORMAL, rng.seed(), rng.take(t.numel()), 0, 1);
        return t;
    }

    /** A shape of the given rank with sizes drawn from awkward values (1, primes, just past powers of two). */
    static int[] awkwardShape(Rng rng, int rank) {
        int[] sizes = {1, 2, 3, 5, 7, 13, 17, 31, 33, 65};
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) s[i] = sizes[rng.nextInt(sizes.length)];
        return s;
    }

    /**
     * The same view of t on either backend: per {@code kind}, t itself (0), a transposed (1), a
     * narrowed interior (2) or a broadcast size-1 axis (3, the first axis of size 1, if any).
     */
    static Tensor view(Tensor t, int kind) {
        if (t.rank() < 2) return t;
        switch (kind) {
            case 1: return t.transpose(0, t.rank() - 1).contiguous().transpose(0, t.rank() - 1);
            case 2: {
                int[] s = t.shape();
                s[0] += 2;
                Tensor big = Tensor.empty(t.dtype(), t.backend(), s);
                t.backend().fill(big, 7);
                Tensor inner = big.narrow(0, 1, t.size(0));
                t.backend().copy(t, inner);
                return inner;
            }
            default: return t;
        }
    }

    static void assertClose(String what, long seed, Tensor expected, Tensor actual, double atol, double rtol) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape()))
            fail(what + " (seed " + seed + "): shape " + Shape.str(actual.shape()) + " != expected " + Shape.str(expected.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            boolean bothNaN = Double.isNaN(e[i]) && Double.isNaN(a[i]);
            if (bothNaN || e[i] == a[i]) continue;
            double d = Math.abs(e[i] - a[i]);
            double excess = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d - (atol + rtol * Math.abs(e[i]));
            if (excess > 0 && (at < 0 || excess > worst)) { worst = excess; at = i; }
        }
        if (at >= 0)
            fail(what + " (seed " + seed + ", shape " + Shape.str(expected.shape()) + ", " + expected.dtype() + "): largest difference at flat index "
                    + at + ": expected " + e[at] + ", GPU gave " + a[at] + " (atol " + atol + ", rtol " + rtol + ")");
    }

    /** Tolerances of a dtype: float32 kernels may round differently from the CPU's. */
    static double tol(DType dt) {
        return dt == DType.F64 ? 1e-11 : 2e-5;
    }
}
