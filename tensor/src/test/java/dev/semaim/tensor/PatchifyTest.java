package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Patch layouts: (y, x, c) for loss targets, (c, y, x) for the patch embedding, and the inverse. */
class PatchifyTest {
    @Test
    void roundTrip() {
        Tensor img = Tensor.randn(new Rng(3), DType.F32, 2, 3, 8, 8);
        Tensor p = img.patchify(4);
        assertArrayEquals(new int[] {2, 4, 48}, p.shape());
        assertArrayEquals(img.toFloatArray(), p.unpatchify(4, 3).toFloatArray());
    }

    @Test
    void orders() {
        // value = 1000·c + 100·y + x in a (1, 2, 4, 4) image, patch 2
        float[] v = new float[2 * 4 * 4];
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) v[c * 16 + y * 4 + x] = 1000 * c + 100 * y + x;
        Tensor img = Tensor.of(v, 1, 2, 4, 4);
        // patch 1 is row 0, column 1: pixels y in {0,1}, x in {2,3}
        float[] yxc = img.patchify(2).select(0, 0).select(0, 1).toFloatArray();
        assertArrayEquals(new float[] {2, 1002, 3, 1003, 102, 1102, 103, 1103}, yxc);
        float[] cyx = img.patchifyChannelMajor(2).select(0, 0).select(0, 1).toFloatArray();
        assertArrayEquals(new float[] {2, 3, 102, 103, 1002, 1003, 1102, 1103}, cyx);
        // patch 2 is row 1, column 0
        assertEquals(200, img.patchify(2).get(0, 2, 0));
    }

    @Test
    void errors() {
        Tensor img = Tensor.zeros(1, 3, 6, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> img.patchify(4));
        assertTrue(e.getMessage().contains("patchify") && e.getMessage().contains("(1, 3, 6, 6)"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 5, 12).unpatchify(2, 3)).getMessage().contains("unpatchify"));
    }
}
