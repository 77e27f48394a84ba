package dev.semaim.model;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Orders on grids other than 14×14 (the documented generalisation) and the masks' invariants. */
class OrdersTest {
    @Test
    void everyTypeOnOtherGrids() {
        for (int grid : new int[] {1, 2, 4, 7, 16}) {
            int l = grid * grid;
            Orders.Noise n = Orders.draw(new Rng(grid), 3, l);
            Tensor attn = Tensor.rand(new Rng(99), DType.F32, 3, l);
            for (OrderType type : OrderType.values()) {
                Tensor p = Orders.priority(type, grid, n.tieBreak(), attn, n.centre());
                assertArrayEquals(new int[] {3, l}, p.shape(), type + " on " + grid);
                for (float v : p.toFloatArray()) assertTrue(Float.isFinite(v), type.spelling());
            }
        }
    }

    @Test
    void boxLevelsOnFourByFour() {
        // table row 7 scaled by 4/14: boxes [1,3) [1,3) [0,4) → centre 2×2 at −3, the rest of the grid at −1
        float[] lev = Orders.center2out(Tensor.zeros(1, 16), 4).toFloatArray();
        float[] expected = {
                -1, -1, -1, -1,
                -1, -3, -3, -1,
                -1, -3, -3, -1,
                -1, -1, -1, -1};
        assertArrayEquals(expected, lev);
        // attention_guided around the corner patch 0: table row 0 → boxes [0,1) [0,2) [0,3)
        float[] a = new float[16];
        a[0] = 1;
        float[] g = Orders.attentionGuided(Tensor.zeros(1, 16), Tensor.of(a, 1, 16), 4).toFloatArray();
        assertEquals(-3, g[0]);
        assertEquals(-2, g[5]);
        assertEquals(-1, g[10]);
        assertEquals(0, g[15]);
    }

    @Test
    void snakeOnOtherGrid() {
        assertArrayEquals(new float[] {0, 1, 2, 5, 4, 3, 6, 7, 8}, Orders.raster(1, 3).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, Orders.zigzag(1, 2).toFloatArray());
    }

    @Test
    void attentionCenterStartsAtArgmax() {
        Tensor attn = Tensor.rand(new Rng(3), DType.F32, 4, 49);
        Tensor p = Orders.attentionCenter(Tensor.rand(new Rng(4), DType.F32, 4, 49), attn, 7);
        assertArrayEquals(attn.argmax(1).toLongArray(), p.argmin(1).toLongArray());
    }

    @Test
    void clearErrors() {
        Tensor noise = Tensor.zeros(2, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Orders.priority(OrderType.ATTENTION_CENTER, 4, noise, null, null));
        assertTrue(e.getMessage().contains("attention map"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Orders.priority(OrderType.STOCHASTIC, 5, noise, null, null));
        assertTrue(e.getMessage().contains("(B, 25)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Orders.priority(OrderType.STOCHASTIC_CENTER, 4, noise, null, null));
    }

    /** §3 consequences: column 0 always open, cls row sees only column 0, query never sees itself. */
    @Test
    void maskInvariants() {
        Tensor prio = Tensor.rand(new Rng(8), DType.F32, 2, 9);
        float[] h = Masks.blocked(Masks.content(prio)).toFloatArray(), g = Masks.blocked(Masks.query(prio)).toFloatArray();
        int t = 10;
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < t; i++) {
                assertEquals(0f, h[b * t * t + i * t]);
                assertEquals(0f, g[b * t * t + i * t]);
                if (i > 0) {
                    assertEquals(1f, g[b * t * t + i * t + i], "query never sees its own patch");
                    assertEquals(0f, h[b * t * t + i * t + i], "content sees itself");
                    assertEquals(1f, h[b * t * t + i], "cls row sees only the cls column");
                }
            }
        // equal priorities see each other in the content stream, not in the query stream
        Tensor tie = Tensor.of(new float[] {0.5f, 0.5f}, 1, 2);
        assertEquals(0.0, Masks.content(tie).get(0, 0, 1, 2));
        assertTrue(Double.isInfinite(Masks.query(tie).get(0, 0, 1, 2)));
    }
}
