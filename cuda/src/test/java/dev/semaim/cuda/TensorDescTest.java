package dev.semaim.cuda;

import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Desc packing and axis merging (pure Java: runs everywhere). */
class TensorDescTest {
    private static int rank(int[] d) { return d[0]; }

    private static int size(int[] d, int a) { return d[2 + a]; }

    private static int stride(int[] d, int a) { return d[2 + TensorDesc.MAX_RANK + a]; }

    @Test
    void contiguousOperandsMergeToOneAxis() {
        Tensor a = Tensor.empty(DType.F32, Backends.cpu(), 4, 5, 6);
        int[][] d = TensorDesc.coalesced("t", a, a.narrow(0, 1, 3).contiguous().reshape(3, 5, 6).expand(3, 5, 6).contiguous());
        int[][] e = TensorDesc.coalesced("t", a.narrow(0, 0, 3), a.narrow(0, 1, 3));
        assertEquals(1, rank(e[0]));
        assertEquals(90, size(e[0], 0));
        assertEquals(1, stride(e[1], 0));
        assertEquals(30, e[1][1], "offset kept");
        assertEquals(18, d[0].length);
    }

    @Test
    void transposedAndBroadcastAxesStaySeparate() {
        Tensor a = Tensor.empty(DType.F32, Backends.cpu(), 4, 5, 6);
        Tensor t = a.transpose(0, 2);  // (6, 5, 4) strides (1, 6, 30)
        Tensor b = Tensor.empty(DType.F32, Backends.cpu(), 1, 5, 1).expand(6, 5, 4);
        int[][] d = TensorDesc.coalesced("t", t, b);
        assertEquals(3, rank(d[0]));
        assertArrayEquals(new int[] {1, 6, 30}, new int[] {stride(d[0], 0), stride(d[0], 1), stride(d[0], 2)});
        assertArrayEquals(new int[] {0, 1, 0}, new int[] {stride(d[1], 0), stride(d[1], 1), stride(d[1], 2)});
    }

    @Test
    void sizeOneAxesAreDroppedAndScalarsHaveRankZero() {
        Tensor s = Tensor.empty(DType.F32, Backends.cpu(), 1, 1);
        assertEquals(0, rank(TensorDesc.coalesced("t", s)[0]));
        Tensor u = Tensor.empty(DType.F32, Backends.cpu(), 3, 1, 4).transpose(0, 2);
        assertEquals(2, rank(TensorDesc.coalesced("t", u)[0]));
    }

    @Test
    void rankAboveEightIsAClearError() {
        int[] shape = new int[9], strides = new int[9];
        java.util.Arrays.fill(shape, 2);
        for (int i = 0; i < 9; i++) strides[i] = 1 << (2 * (8 - i));  // gaps everywhere: nothing merges
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorDesc.coalesced(shape, new int[][] {strides}, new int[] {0}, "copy"));
        assertTrue(e.getMessage().contains("copy has rank 9"), e.getMessage());
    }
}
