package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** cat/stack/split, index selection and scatter, sorting and top-k. */
class JoinIndexSortTest {
    private static Tensor iota(int... shape) {
        return Tensor.arange(Shape.numel(shape), DType.F32).reshape(shape);
    }

    @Test
    void catStackSplit() {
        Tensor a = iota(2, 2), b = iota(2, 1).add(10);
        Tensor c = Tensor.cat(1, a, b);
        assertArrayEquals(new float[] {0, 1, 10, 2, 3, 11}, c.toFloatArray());
        Tensor[] parts = c.split(-1, 2, 1);
        assertArrayEquals(a.toFloatArray(), parts[0].toFloatArray());
        assertArrayEquals(b.toFloatArray(), parts[1].toFloatArray());
        assertSame(c.storage(), parts[1].storage());
        Tensor s = Tensor.stack(0, a, a.add(4));
        assertArrayEquals(new int[] {2, 2, 2}, s.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, s.toFloatArray());
        assertArrayEquals(new int[] {2, 2, 2}, Tensor.stack(-1, a, a).shape());
        // a transposed input is copied by value, not by storage order
        assertArrayEquals(new float[] {0, 2, 1, 3}, Tensor.cat(0, a.transpose(0, 1)).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, a, b));
        assertTrue(e.getMessage().contains("cat") && e.getMessage().contains("(2, 1)"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.split(1, 2, 2)).getMessage().contains("add up"));
    }

    @Test
    void indexSelectAndIndexAdd() {
        Tensor x = iota(3, 2);
        Tensor idx = Tensor.of(new int[] {2, 0, 2}, 3);
        assertArrayEquals(new float[] {4, 5, 0, 1, 4, 5}, x.indexSelect(0, idx).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 3, 3, 5, 5}, x.indexSelect(1, Tensor.of(new long[] {1, 1}, 2)).toFloatArray());
        Tensor acc = Tensor.zeros(3, 2);
        acc.backend().indexAdd(acc, 0, idx, Tensor.ones(DType.F32, 3, 2));
        assertArrayEquals(new float[] {1, 1, 0, 0, 2, 2}, acc.toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.of(new int[] {3}, 1)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new float[] {1}, 1)))
                .getMessage().contains("integer"));
    }

    @Test
    void gatherAndScatterAddFollowTorch() {
        Tensor x = iota(2, 3);
        Tensor idx = Tensor.of(new long[] {2, 2, 0, 1}, 2, 2);
        assertArrayEquals(new float[] {2, 2, 3, 4}, x.gather(1, idx).toFloatArray());
        Tensor out = Tensor.zeros(2, 3).scatterAdd(1, idx, Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        assertArrayEquals(new float[] {0, 0, 3, 3, 4, 0}, out.toFloatArray());
        Tensor idx0 = Tensor.of(new long[] {1, 0, 1}, 1, 3);
        assertArrayEquals(new float[] {3, 1, 5}, x.gather(0, idx0).toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.of(new long[] {3}, 1, 1)));
        // the index may be longer than x along the axis, not across it
        assertArrayEquals(new float[] {0, 0, 0, 0}, x.gather(1, Tensor.of(new long[] {0, 0, 0, 0}, 1, 4)).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new long[] {0, 0, 0}, 3, 1)));
        assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("(3, 1)") && e.getMessage().contains("(2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.scatterAdd(1, Tensor.of(new long[] {0, 0}, 1, 2), Tensor.ones(DType.F32, 1, 1)));
        assertTrue(e.getMessage().contains("scatterAdd") && e.getMessage().contains("(1, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.scatterAdd(0, Tensor.of(new long[] {0, 0, 0, 0}, 1, 4), Tensor.ones(DType.F32, 1, 4)));
        assertTrue(e.getMessage().contains("scatterAdd"), e.getMessage());
    }

    @Test
    void argsortIsStableAndTopkOrdered() {
        Tensor v = Tensor.of(new float[] {3, 1, 2, 1, 3, 0}, 2, 3);
        assertArrayEquals(new long[] {1, 2, 0, 2, 0, 1}, v.argsort(false).toLongArray());
        assertArrayEquals(new long[] {0, 2, 1, 1, 0, 2}, v.argsort(true).toLongArray());
        Tensor ties = Tensor.of(new float[] {5, 5, 5, 1}, 4);
        assertArrayEquals(new long[] {3, 0, 1, 2}, ties.argsort(false).toLongArray());
        assertArrayEquals(new long[] {0, 1, 2, 3}, ties.argsort(true).toLongArray());
        assertArrayEquals(new float[] {1, 2, 3, 0, 1, 3}, v.sort(false).toFloatArray());
        Tensor[] top = v.topk(2, true);
        assertArrayEquals(new float[] {3, 2, 3, 1}, top[0].toFloatArray());
        assertArrayEquals(new long[] {0, 2, 1, 0}, top[1].toLongArray());
        Tensor[] low = v.topk(1, false);
        assertArrayEquals(new float[] {1, 0}, low[0].toFloatArray());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> v.topk(4, true)).getMessage().contains("topk"));
    }

    @Test
    void argmaxFirstWins() {
        Tensor v = Tensor.of(new float[] {1, 3, 3, 0, -1, -1}, 2, 3);
        assertArrayEquals(new long[] {1, 0}, v.argmax(1).toLongArray());
        assertArrayEquals(new long[] {0, 1}, v.argmin(1).toLongArray());
        assertArrayEquals(new long[] {0, 0, 0}, v.argmax(0).toLongArray());
    }
}
