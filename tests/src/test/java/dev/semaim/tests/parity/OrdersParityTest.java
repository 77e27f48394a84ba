package dev.semaim.tests.parity;

import dev.semaim.model.Masks;
import dev.semaim.model.OrderType;
import dev.semaim.model.Orders;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every §4.1 order type from injected noise, and the §3 masks, against golden/orders.safetensors. */
class OrdersParityTest {
    private static final Golden G = Golden.load("orders.safetensors");
    private static final int GRID = 14;

    @Test
    void everyTypeMatchesTorchExactly() {
        Tensor noise = G.get("noise"), attn = G.get("attn"), centreU = G.get("center_u");
        for (OrderType type : OrderType.values())
            Golden.assertClose("prio." + type.spelling(), G.get("prio." + type.spelling()), Orders.priority(type, GRID, noise, attn, centreU), 0, 0);
        assertArrayEquals(G.get("center").toLongArray(), Orders.stochasticCentres(centreU, GRID).toLongArray());
    }

    @Test
    void masksMatchTorch() {
        Tensor prio = G.get("prio.attention_center").narrow(0, 0, 1);
        Golden.assertClose("mask_content", G.get("mask_content"), Masks.blocked(Masks.content(prio)).select(0, 0).select(0, 0), 0, 0);
        Golden.assertClose("mask_query", G.get("mask_query"), Masks.blocked(Masks.query(prio)).select(0, 0).select(0, 0), 0, 0);
    }

    /** §3 worked example, both matrices written out as in the spec (1 = blocked). */
    @Test
    void fourPatchExample() {
        Tensor prio = Tensor.of(new float[] {0.3f, 0.1f, 0.4f, 0.2f}, 1, 4);
        float[] content = {
                0, 1, 1, 1, 1,
                0, 0, 0, 1, 0,
                0, 1, 0, 1, 1,
                0, 0, 0, 0, 0,
                0, 1, 0, 1, 0};
        float[] query = {
                0, 1, 1, 1, 1,
                0, 1, 0, 1, 0,
                0, 1, 1, 1, 1,
                0, 0, 0, 1, 0,
                0, 1, 0, 1, 1};
        assertArrayEquals(content, Masks.blocked(Masks.content(prio)).toFloatArray());
        assertArrayEquals(query, Masks.blocked(Masks.query(prio)).toFloatArray());
        Golden.assertClose("example.prio", G.get("example.prio"), prio, 0, 0);
        Golden.assertClose("example.mask_content", G.get("example.mask_content"), Masks.blocked(Masks.content(prio)).reshape(5, 5), 0, 0);
        Golden.assertClose("example.mask_query", G.get("example.mask_query"), Masks.blocked(Masks.query(prio)).reshape(5, 5), 0, 0);
        // additive form: 0 where allowed, −inf where blocked
        float[] add = Masks.content(prio).toFloatArray();
        for (int i = 0; i < add.length; i++) assertEquals(content[i] == 1 ? Float.NEGATIVE_INFINITY : 0f, add[i]);
    }

    /** §4.3 / §13.4: distinct distances from the argmax: 34 for the centre 105, 94 for a corner; ranks of the first groups. */
    @Test
    void attentionCenterTieGroups() {
        Tensor noise = G.get("noise");
        for (int m : new int[] {105, 0, 13, 182, 195}) {
            float[] a = new float[196];
            a[m] = 1;
            float[] p = Orders.attentionCenter(noise.narrow(0, 0, 1), Tensor.of(a, 1, 196), GRID).toFloatArray();
            java.util.Arrays.sort(p);
            int groups = 1;
            for (int i = 1; i < p.length; i++) if (p[i] - p[i - 1] > 0.01) groups++;   // noise < 0.001, distance gaps > 0.0359
            assertEquals(m == 105 ? 34 : 94, groups, "groups for argmax " + m);
        }
        float[] a = new float[196];
        a[105] = 1;
        long[] order = Orders.attentionCenter(noise.narrow(0, 0, 1), Tensor.of(a, 1, 196), GRID).argsort(false).toLongArray();
        assertEquals(105, order[0]);
        assertEquals(new TreeSet<>(java.util.List.of(91L, 104L, 106L, 119L)), set(order, 1, 5));
        assertEquals(new TreeSet<>(java.util.List.of(90L, 92L, 118L, 120L)), set(order, 5, 9));
        assertEquals(new TreeSet<>(java.util.List.of(77L, 103L, 107L, 133L)), set(order, 9, 13));
        assertEquals(new TreeSet<>(java.util.List.of(76L, 78L, 89L, 93L, 117L, 121L, 132L, 134L)), set(order, 13, 21));
    }

    /** §13.5: snake row 1 = 27 … 14; center2out levels 4/32/64/96 at −3/−2/−1/0. */
    @Test
    void snakeAndCenter2outLevels() {
        float[] snake = Orders.raster(1, GRID).toFloatArray();
        for (int c = 0; c < 14; c++) assertEquals(27 - c, snake[14 + c]);
        float[] lev = Orders.center2out(Tensor.zeros(1, 196), GRID).toFloatArray();
        int[] count = new int[4];
        for (float v : lev) count[(int) -v]++;
        assertArrayEquals(new int[] {96, 64, 32, 4}, count);
    }

    private static TreeSet<Long> set(long[] a, int from, int to) {
        TreeSet<Long> s = new TreeSet<>();
        for (int i = from; i < to; i++) s.add(a[i]);
        return s;
    }
}
