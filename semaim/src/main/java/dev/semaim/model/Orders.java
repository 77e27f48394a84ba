package dev.semaim.model;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * Autoregressive orders (spec §4.1): each type gives a priority (B, L) over the raster-indexed patches,
 * lower = earlier, on the noise's backend (zigzag and raster, which take none, on the default one).
 * All randomness comes in as tensors (noise u (B, L) in U[0,1), centre draws (B, 2)), so a caller can
 * inject the exact draws of a reference run; {@link #draw} draws them from an Rng.
 *
 * <p>Grids other than 14×14. zigzag, raster (snake with G−1 in place of 13), stochastic, attention and
 * attention_center are defined for any G. The box-based types (center2out, stochastic_center,
 * attention_guided) use the 14×14 box table of §4.1 exactly when G = 14; for another G the table is
 * scaled by G/14: a centre coordinate c reads table row min(13, floor(c·14/G)), and each box [s, e)
 * becomes [floor(s·G/14), ceil(e·G/14)) so no box vanishes. The center2out centre is table row 7, and
 * the stochastic_center centre coordinate is floor(u·(G−1)) per axis (= floor(u·13) on 14×14).
 */
public final class Orders {
    private Orders() {}

    /** §4.1 box table: per centre coordinate 0..13, three half-open [start, end) intervals; box j subtracts 1. */
    private static final int[][][] BOXES = {
            {{0, 2}, {0, 6}, {0, 10}}, {{0, 2}, {0, 6}, {0, 10}}, {{0, 2}, {0, 6}, {0, 10}},
            {{2, 4}, {0, 6}, {0, 10}}, {{3, 5}, {1, 7}, {0, 10}}, {{4, 6}, {2, 8}, {0, 10}},
            {{5, 7}, {3, 9}, {1, 11}}, {{6, 8}, {4, 10}, {2, 12}}, {{7, 9}, {5, 11}, {3, 13}},
            {{8, 10}, {6, 12}, {3, 13}}, {{9, 11}, {7, 13}, {3, 13}},
            {{11, 13}, {7, 13}, {3, 13}}, {{11, 13}, {7, 13}, {3, 13}}, {{11, 13}, {7, 13}, {3, 13}}};
    private static final int TABLE_GRID = 14;

    /** The random inputs of one priority computation. */
    public record Noise(Tensor tieBreak, Tensor centre) {}

    /** Draws u (B, L) and the centre draws (B, 2), both U[0,1) float32, in that order. */
    public static Noise draw(Rng rng, int batch, int numPatches) {
        return new Noise(Tensor.rand(rng, DType.F32, batch, numPatches), Tensor.rand(rng, DType.F32, batch, 2));
    }

    /**
     * The priority of a type. noise: (B, L) U[0,1); attn: (B, L) map A, needed by the attention types
     * (else may be null); centreU: (B, 2) U[0,1), needed by stochastic_center (else may be null).
     */
    public static Tensor priority(OrderType type, int grid, Tensor noise, Tensor attn, Tensor centreU) {
        checkNoise(noise, grid);
        int b = noise.size(0);
        switch (type) {
            case ZIGZAG: return zigzag(b, grid);
            case RASTER: return raster(b, grid);
            case STOCHASTIC: return stochastic(noise);
            case CENTER2OUT: return center2out(noise, grid);
            case STOCHASTIC_CENTER: return stochasticCenter(noise, centreU, grid);
            case ATTENTION: return attention(need(attn, type, b, grid));
            case ATTENTION_GUIDED: return attentionGuided(noise, need(attn, type, b, grid), grid);
            case ATTENTION_CENTER: return attentionCenter(noise, need(attn, type, b, grid), grid);
        }
        throw new IllegalStateException("Orders: no priority for " + type);
    }

    /** π[p] = p: the plain row-major raster (named "zigzag" in the reference, §12.5). */
    public static Tensor zigzag(int batch, int grid) {
        int l = grid * grid;
        float[] p = new float[batch * l];
        for (int i = 0; i < p.length; i++) p[i] = i % l;
        return Tensor.of(p, batch, l);
    }

    /** Snake: row r even → G·r + c, odd → G·r + (G−1−c) (named "raster" in the reference). */
    public static Tensor raster(int batch, int grid) {
        int l = grid * grid;
        float[] p = new float[batch * l];
        for (int i = 0; i < p.length; i++) {
            int r = (i % l) / grid, c = (i % l) % grid;
            p[i] = r % 2 == 0 ? grid * r + c : grid * r + (grid - 1 - c);
        }
        return Tensor.of(p, batch, l);
    }

    /** π = u (SAIM's order). */
    public static Tensor stochastic(Tensor noise) {
        return noise.copy();
    }

    /** u + level of the nested boxes around the fixed centre (table row 7): −3/−2/−1/0 on 14×14. */
    public static Tensor center2out(Tensor noise, int grid) {
        int[] row7 = new int[noise.size(0)];
        java.util.Arrays.fill(row7, 7);
        return noise.add(levels(row7, row7, grid).to(noise.backend()));
    }

    /** u + box levels around a random centre: row = floor(u0·(G−1)), col = floor(u1·(G−1)). */
    public static Tensor stochasticCenter(Tensor noise, Tensor centreU, int grid) {
        int b = noise.size(0);
        if (centreU == null || centreU.rank() != 2 || centreU.size(0) != b || centreU.size(1) != 2)
            throw new IllegalArgumentException("Orders: stochastic_center needs centre draws of shape (" + b + ", 2), got " + centreU);
        double[] u = centreU.contiguous().toDoubleArray();
        int[] rows = new int[b], cols = new int[b];
        for (int i = 0; i < b; i++) {
            // the reference computes (u·13).floor() in float32
            rows[i] = tableRow((int) Math.floor((float) u[2 * i] * (float) (grid - 1)), grid);
            cols[i] = tableRow((int) Math.floor((float) u[2 * i + 1] * (float) (grid - 1)), grid);
        }
        return noise.add(levels(rows, cols, grid).to(noise.backend()));
    }

    /** The (row, col) centres stochastic_center uses for these draws (B, 2) I64. */
    public static Tensor stochasticCentres(Tensor centreU, int grid) {
        double[] u = centreU.contiguous().toDoubleArray();
        long[] out = new long[u.length];
        for (int i = 0; i < u.length; i++) out[i] = (long) Math.floor((float) u[i] * (float) (grid - 1));
        return Tensor.of(out, centreU.shape());
    }

    /** π = 1 − A: the most-attended patch first ("similarity order"). */
    public static Tensor attention(Tensor attn) {
        return attn.neg().add(1.0);
    }

    /** u + box levels around argmax A. */
    public static Tensor attentionGuided(Tensor noise, Tensor attn, int grid) {
        long[] m = attn.argmax(1).toLongArray();
        int[] rows = new int[m.length], cols = new int[m.length];
        for (int i = 0; i < m.length; i++) {
            rows[i] = tableRow((int) (m[i] / grid), grid);
            cols[i] = tableRow((int) (m[i] % grid), grid);
        }
        return noise.add(levels(rows, cols, grid).to(noise.backend()));
    }

    /**
     * The SemAIM order (§4.3): π[p] = ‖(r, c) − (r0, c0)‖ + 0.001·u in float32, measured from
     * m = argmax A (first maximum). Equal distances are ordered by the noise only.
     */
    public static Tensor attentionCenter(Tensor noise, Tensor attn, int grid) {
        int b = noise.size(0), l = grid * grid;
        long[] m = attn.argmax(1).toLongArray();
        float[] u = noise.contiguous().toFloatArray();
        float[] p = new float[b * l];
        for (int i = 0; i < b; i++) {
            int r0 = (int) (m[i] / grid), c0 = (int) (m[i] % grid);
            for (int q = 0; q < l; q++) {
                int dr = q / grid - r0, dc = q % grid - c0;
                float dist = (float) Math.sqrt((float) (dr * dr + dc * dc));
                p[i * l + q] = dist + 0.001f * u[i * l + q];
            }
        }
        return Tensor.of(noise.backend(), p, b, l);
    }

    /**
     * (B, L) float32: minus the number of boxes that contain each patch, the boxes being those of box-table
     * rows {@code rows[i]} (vertical) and {@code cols[i]} (horizontal) for image i.
     */
    static Tensor levels(int[] rows, int[] cols, int grid) {
        int b = rows.length, l = grid * grid;
        float[] lev = new float[b * l];
        for (int i = 0; i < b; i++) {
            int[][] rb = boxes(rows[i], grid), cb = boxes(cols[i], grid);
            for (int j = 0; j < 3; j++)
                for (int r = rb[j][0]; r < rb[j][1]; r++)
                    for (int c = cb[j][0]; c < cb[j][1]; c++) lev[i * l + r * grid + c] -= 1;
        }
        return Tensor.of(lev, b, l);
    }

    /** The box-table row of a centre coordinate: itself on 14×14, else min(13, floor(c·14/G)). */
    private static int tableRow(int centre, int grid) {
        if (centre < 0 || centre >= grid) throw new IllegalArgumentException("Orders: centre " + centre + " outside a " + grid + "-wide grid");
        return grid == TABLE_GRID ? centre : Math.min(TABLE_GRID - 1, centre * TABLE_GRID / grid);
    }

    /** The three [start, end) intervals of a table row, scaled to the grid (identity on 14×14). */
    private static int[][] boxes(int tableRow, int grid) {
        int[][] row = BOXES[tableRow];
        if (grid == TABLE_GRID) return row;
        int[][] out = new int[3][];
        for (int j = 0; j < 3; j++)
            out[j] = new int[] {row[j][0] * grid / TABLE_GRID, Math.min(grid, ceilDiv(row[j][1] * grid, TABLE_GRID))};
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void checkNoise(Tensor noise, int grid) {
        if (noise == null || noise.rank() != 2 || noise.size(1) != grid * grid || !noise.dtype().floating)
            throw new IllegalArgumentException("Orders: noise " + noise + " is not a floating (B, " + grid * grid + ") tensor");
    }

    private static Tensor need(Tensor attn, OrderType type, int b, int grid) {
        if (attn == null || attn.rank() != 2 || attn.size(0) != b || attn.size(1) != grid * grid)
            throw new IllegalArgumentException("Orders: '" + type.spelling() + "' needs an attention map of shape (" + b + ", " + grid * grid
                    + "), got " + (attn == null ? "none" : Shape.str(attn.shape())));
        return attn;
    }
}
