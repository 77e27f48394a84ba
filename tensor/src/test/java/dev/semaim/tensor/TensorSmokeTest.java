package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorSmokeTest {
    @Test
    void viewsAndArithmetic() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, a.transpose(0, 1).contiguous().toFloatArray());
        assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, a.add(1).toFloatArray());
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, a.add(b).toFloatArray());
        assertArrayEquals(new float[] {6, 15}, a.sum(1).toFloatArray());
        assertArrayEquals(new float[] {5, 7, 9}, a.sum(0).toFloatArray());
        assertEquals(21, a.sum().item(), 0);
        Tensor m = a.matmul(a.transpose(0, 1));
        assertArrayEquals(new float[] {14, 32, 32, 77}, m.toFloatArray());
        assertArrayEquals(new float[] {14, 32, 32, 77}, a.to(DType.F64).matmul(a.to(DType.F64).transpose(0, 1)).toFloatArray());
        assertArrayEquals(new long[] {2, 2}, a.argmax(1).toLongArray());
        Tensor t = a.transpose(0, 1).reshape(6);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
        float[] sm = Tensor.of(new float[] {1, 2, 3}, 1, 3).softmax(1).toFloatArray();
        assertEquals(0.66524096, sm[2], 1e-6);
    }
}
