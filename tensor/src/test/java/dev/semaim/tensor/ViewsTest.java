package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Strided views: which reshapes share storage, and what each view operation selects. */
class ViewsTest {
    private static Tensor iota(int... shape) {
        return Tensor.arange(Shape.numel(shape), DType.F32).reshape(shape);
    }

    @Test
    void reshapeOfContiguousIsAView() {
        Tensor x = iota(2, 3, 4);
        Tensor r = x.reshape(6, -1);
        assertSame(x.storage(), r.storage());
        assertArrayEquals(new int[] {6, 4}, r.shape());
        assertArrayEquals(x.toFloatArray(), r.toFloatArray());
    }

    @Test
    void reshapeMergingTransposedAxesCopies() {
        Tensor t = iota(2, 3).transpose(0, 1); // (3, 2), strides (1, 3)
        Tensor r = t.reshape(6);
        assertNotSame(t.storage(), r.storage());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("view") && e.getMessage().contains("(6)") && e.getMessage().contains("(3, 2)"), e.getMessage());
    }

    @Test
    void reshapeThatKeepsNonContiguousAxesApartIsAView() {
        // (4, 6) narrowed to columns 1..3 → (4, 3) with row stride 6; splitting rows needs no copy
        Tensor n = iota(4, 6).narrow(1, 1, 3);
        Tensor v = n.view(2, 2, 3);
        assertSame(n.storage(), v.storage());
        assertArrayEquals(n.toFloatArray(), v.toFloatArray());
        assertArrayEquals(new int[] {12, 6, 1}, v.strides());
        // a size-1 axis inserted anywhere is free too
        assertSame(n.storage(), n.view(4, 1, 3).storage());
        assertThrows(IllegalArgumentException.class, () -> n.view(12));
    }

    @Test
    void reshapeErrors() {
        Tensor x = iota(2, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.reshape(4, 2)).getMessage().contains("(2, 3)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1)).getMessage().contains("two -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.reshape(4, -1)).getMessage().contains("infer"));
    }

    @Test
    void expandUsesZeroStrides() {
        Tensor x = iota(3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        assertEquals(2.0, e.get(1, 2, 3));
        assertArrayEquals(new int[] {3, 4}, x.expand(-1, 4).shape());
        IllegalArgumentException err = assertThrows(IllegalArgumentException.class, () -> x.expand(2, 4));
        assertTrue(err.getMessage().contains("expand") && err.getMessage().contains("(3, 1)") && err.getMessage().contains("(2, 4)"), err.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.expand(4));
    }

    @Test
    void narrowSelectSqueezeUnsqueeze() {
        Tensor x = iota(3, 4);
        Tensor n = x.narrow(1, 1, 2);
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, n.toFloatArray());
        assertEquals(1, n.offset());
        assertArrayEquals(new float[] {4, 5, 6, 7}, x.select(0, 1).toFloatArray());
        assertArrayEquals(new float[] {2, 6, 10}, x.select(-1, 2).toFloatArray());
        assertArrayEquals(new int[] {3, 1, 4}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {3, 4, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {3, 4}, x.unsqueeze(0).squeeze(0).shape());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.narrow(1, 3, 2)).getMessage().contains("narrow"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.select(0, 3)).getMessage().contains("select"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.squeeze(0)).getMessage().contains("size 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0)).getMessage().contains("repeated"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.transpose(0, 2)).getMessage().contains("out of range"));
    }

    @Test
    void viewsShareStorageWithTheirBase() {
        Tensor x = iota(2, 3);
        x.select(0, 1).narrow(0, 1, 1).fillInPlace(-1);
        assertEquals(-1, x.get(1, 1));
        x.transpose(0, 1).select(0, 2).addInPlace(Tensor.of(new float[] {10, 20}, 2));
        assertArrayEquals(new float[] {0, 1, 12, 3, -1, 25}, x.toFloatArray());
    }

    @Test
    void copyAndConversion() {
        Tensor t = iota(2, 3).transpose(0, 1);
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertSame(c, c.contiguous());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, t.to(DType.I64).toLongArray());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.to(DType.F64).toDoubleArray());
        assertSame(t, t.to(DType.F32));
    }
}
