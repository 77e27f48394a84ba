package dev.semaim.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input fails with an IllegalArgumentException whose message names the op and the shapes. */
class ErrorMessagesTest {
    private static void assertNames(Executable bad, String... parts) {
        String m = assertThrows(IllegalArgumentException.class, bad).getMessage();
        for (String p : parts) assertTrue(m.contains(p), "message \"" + m + "\" lacks \"" + p + "\"");
    }

    @Test
    void broadcastingOps() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        assertNames(() -> a.add(b), "add", "(2, 3)", "(4)");
        assertNames(() -> a.mul(b), "mul", "(2, 3)", "(4)");
        assertNames(() -> Tensor.where(Tensor.zeros(5), a, a), "where", "(5)");
    }

    @Test
    void matmul() {
        assertNames(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "matmul", "(2, 3)", "(4, 5)");
        assertNames(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 5)), "matmul", "(2)", "(3)");
        assertNames(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(DType.F64, 3, 5)), "matmul", "F32", "F64");
    }

    @Test
    void fusedOps() {
        assertNames(() -> Tensor.zeros(2, 4).layerNorm(Tensor.zeros(3), null, 1e-5), "layerNorm", "(2, 4)", "(4)");
        assertNames(() -> Tensor.zeros(1, 3, 8, 8).depthwiseConv2d(Tensor.zeros(2, 1, 3, 3), 1), "depthwiseConv2d", "(1, 3, 8, 8)", "(2, 1, 3, 3)");
        assertNames(() -> Tensor.zeros(2, 3).softmax(2), "softmax", "axis 2", "rank 2");
        assertNames(() -> Tensor.zeros(2, 3).sum(false, 3), "sum", "axis 3");
    }

    @Test
    void emptyArgReductionsAndWritesIntoExpandedViews() {
        assertNames(() -> Tensor.zeros(0, 3).argmax(0), "argmax", "axis 0", "(0, 3)", "empty");
        assertNames(() -> Tensor.zeros(2, 0).argmin(1), "argmin", "axis 1", "(2, 0)", "empty");
        assertArrayEquals(new long[0], Tensor.zeros(0, 3).argmax(1).toLongArray()); // nothing to reduce: fine
        Tensor shared = Tensor.zeros(1, 3).expand(2, 3);
        assertNames(() -> shared.addInPlace(Tensor.ones(DType.F32, 2, 3)), "addInPlace", "(2, 3)", "axis 0 is expanded");
        assertNames(() -> shared.mulInPlace(2), "mulInPlace", "axis 0 is expanded");
        assertNames(() -> shared.copyFrom(Tensor.ones(DType.F32, 2, 3)), "copyFrom", "axis 0 is expanded");
        assertNames(() -> shared.fillInPlace(1), "fillInPlace", "axis 0 is expanded");
        Tensor one = Tensor.zeros(1, 3).expand(1, 3);                        // a size-1 axis shares nothing
        assertArrayEquals(new float[] {1, 1, 1}, one.addInPlace(Tensor.ones(DType.F32, 1, 3)).toFloatArray());
    }

    /** Four sizes of 65536 multiply to 2^64, which a long wraps to 0: such a shape was taken for an empty tensor. */
    @Test
    void shapesBeyondTwoToThe31ElementsAreRefused() {
        assertNames(() -> Tensor.zeros(65536, 65536, 65536, 65536), "(65536, 65536, 65536, 65536)", "more than 2^31-1 elements");
        assertEquals(0, Shape.numel(new int[] {65536, 65536, 65536, 0}), "an empty axis: no elements, whatever the others");
    }

    @Test
    void varianceOverTooFewValuesIsNaN() {
        for (boolean unbiased : new boolean[] {true, false}) {
            for (float v : Tensor.zeros(3, 0).var(unbiased, false, 1).toFloatArray()) assertTrue(Float.isNaN(v), "unbiased " + unbiased);
        }
        for (float v : Tensor.ones(DType.F32, 3, 1).var(true, false, 1).toFloatArray()) assertTrue(Float.isNaN(v));
        assertArrayEquals(new float[] {0, 0, 0}, Tensor.ones(DType.F32, 3, 1).var(false, false, 1).toFloatArray());
    }

    @Test
    void creation() {
        assertNames(() -> Tensor.of(new float[5], 2, 3), "of", "5", "(2, 3)");
        assertNames(() -> Tensor.zeros(2, -1), "negative", "(2, -1)");
        assertNames(() -> Tensor.zeros(2, 3).item(), "item", "(2, 3)");
    }
}
