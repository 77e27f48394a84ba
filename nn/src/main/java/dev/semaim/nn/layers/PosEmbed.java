package dev.semaim.nn.layers;

import dev.semaim.tensor.Tensor;

/**
 * The fixed 2-D sin-cos position table (spec §2.2, MAE convention). For patch p = r·G + c and
 * F = D/4 frequencies ω_k = 10000^(−k/F): dims [0,F) sin(c·ω), [F,2F) cos(c·ω) — the COLUMN (x) —
 * then [2F,3F) sin(r·ω), [3F,4F) cos(r·ω) — the ROW (y). Computed in float64, cast to float32.
 */
public final class PosEmbed {
    private PosEmbed() {}

    /** (1, G·G, D), or (1, 1 + G·G, D) with an all-zero cls row first when {@code clsToken}. */
    public static Tensor sinCos(int dim, int grid, boolean clsToken) {
        if (dim % 4 != 0) throw new IllegalArgumentException("PosEmbed: width " + dim + " is not divisible by 4");
        if (grid <= 0) throw new IllegalArgumentException("PosEmbed: grid " + grid + " is not positive");
        int f = dim / 4, first = clsToken ? 1 : 0, rows = first + grid * grid;
        double[] omega = new double[f];
        for (int k = 0; k < f; k++) omega[k] = 1.0 / Math.pow(10000.0, (double) k / f);
        double[] table = new double[rows * dim];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int base = (first + r * grid + c) * dim;
                for (int k = 0; k < f; k++) {
                    table[base + k] = Math.sin(c * omega[k]);
                    table[base + f + k] = Math.cos(c * omega[k]);
                    table[base + 2 * f + k] = Math.sin(r * omega[k]);
                    table[base + 3 * f + k] = Math.cos(r * omega[k]);
                }
            }
        }
        float[] out = new float[table.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) table[i];
        return Tensor.of(out, 1, rows, dim);
    }
}
