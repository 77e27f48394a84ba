package dev.semaim.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-head products of the fused attention ({@code AttentionKernels}) on small operands: L tokens × a head of hd
 * features, with L and hd in the tens (ViT-Ti: 50 × 64, 160 k multiply-adds a product), where a general GEMM's
 * packing and edge tiles cost as much as the FMAs. Two kinds, each a register tile over a whole strip of the output
 * with one operand read in place:
 * <ul>
 *   <li>{@link #scoresHead}: c = a · bᵀ · scale with b given by rows (S = Q·Kᵀ, and dP = dO·Vᵀ in the backward):
 *   b is transposed once into scratch (hd, L↑), and a's rows are broadcast from where they lie;</li>
 *   <li>{@link #weightedHead}: c = a · b with b given by rows (O = P·V; dV = Pᵀ·dO, dQ = dS·K, dK = dSᵀ·Q): b's rows
 *   are packed into scratch, zero-padded to whole vectors, and a is read in place, either way round.</li>
 * </ul>
 * The register tile is 5 rows × 4 vectors (20 accumulators: 50 tokens are 10 panels, no edge) where there are 32
 * vector registers and the left operand is row-major, with 4 × 2 strips for the columns past the last multiple of 4
 * vectors, for the transposed left operands (dV, dK) and on CPUs with 16 registers. Every output sums its K terms in
 * order from zero in one register and is then scaled (one rounding), as {@link Gemm}'s micro-kernel does for K up to
 * 1024, so the results equal the unfused path's bit for bit; {@link #scoresReference} and {@link #weightedReference}
 * are the plain loops the tests hold them to. Public for the benchmarks ({@link #scores}, {@link #weighted}: every
 * head of a batch, as the fused forward computes its two products).
 */
public final class AttentionProducts {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();
    /** Narrow register tile: MR rows × NR = 2 vectors (8 accumulators, fits 16 registers). */
    static final int MR = 4;
    /** Columns of the narrow tile, 2 vectors; every padded width here is a multiple of it. */
    static final int NR = 2 * V;
    /**
     * Wide register tile where there are 32 vector registers: WR rows × WN = 4 vectors (20 accumulators). It follows
     * the GEMM's choice ({@link KernelConfig#WIDE_TILE}), so {@code -Dsemaim.gemm.tile=6x2} gives the 16-register
     * CPUs' path here too, and 6x3 forces the wide one.
     */
    private static final boolean WIDE = KernelConfig.WIDE_TILE;
    static final int WR = 5;
    private static final int WN = 4 * V;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionProducts() {}

    /**
     * s (batch·heads, tq, tk), contiguous = q_h · k_hᵀ · scale for every item and head, on the pool: item bi's head h of
     * q at q[qOff + bi·tq·qRow + h·hd + i·qRow + f] (rows of qRow floats, e.g. the q third of a (B, T, 3D) projection),
     * of k likewise with tk rows. The fused forward's first product, each head's scores copied out of its padded
     * scratch; for the benchmarks.
     */
    public static void scores(int batch, int heads, int tq, int tk, int hd, float[] q, int qOff, int qRow,
                              float[] k, int kOff, int kRow, float scale, float[] s) {
        int tkp = roundUp(tk, NR);
        CpuThreads.parallelFor(batch * heads, task -> {
            int bi = task / heads, h = task % heads;
            Scratch x = SCRATCH.get();
            float[] kt = x.b(hd * tkp), sc = x.c(outRows(tq) * tkp), edge = x.f(WR * hd);
            scoresHead(q, qOff + bi * tq * qRow + h * hd, qRow, tq, k, kOff + bi * tk * kRow + h * hd, kRow, tk, hd,
                    scale, kt, sc, edge);
            unpack(sc, tkp, tq, tk, s, task * tq * tk, tk);
        });
    }

    /**
     * out (batch, tq, outRow), head h in columns [h·hd, (h+1)·hd) = p_h · v_h for every item and head, on the pool:
     * p (batch·heads, tq, tk) contiguous, v's item bi head h at v[vOff + bi·tk·vRow + h·hd + j·vRow + f]. The fused
     * forward's second product, each head's output copied out of its padded scratch; for the benchmarks.
     */
    public static void weighted(int batch, int heads, int tq, int tk, int hd, float[] p, float[] v, int vOff, int vRow,
                                float[] out, int outRow) {
        int hdp = roundUp(hd, NR);
        CpuThreads.parallelFor(batch * heads, task -> {
            int bi = task / heads, h = task % heads;
            Scratch x = SCRATCH.get();
            float[] vp = x.d(tk * hdp), op = x.e(outRows(tq) * hdp), edge = x.f(WR * tk);
            weightedHead(p, task * tq * tk, tk, 1, tq, tk, v, vOff + bi * tk * vRow + h * hd, vRow, hd, vp, op, edge);
            unpack(op, hdp, tq, hd, out, bi * tq * outRow + h * hd, outRow);
        });
    }

    /**
     * c (m↑, n↑) = a · bᵀ · scale, where a is m rows of kk features at a[ao + i·ars + f] (read in place), b is n
     * rows of kk features at b[bo + j·brs + f], m↑ = {@link #outRows}(m) and n↑ = n rounded up to {@link #NR}
     * (the row stride of c). b is first transposed into bt (kk × n↑ floats, zero-padded); edge holds
     * {@link #WR}·kk floats.
     */
    static void scoresHead(float[] a, int ao, int ars, int m, float[] b, int bo, int brs, int n, int kk, float scale,
                           float[] bt, float[] c, float[] edge) {
        int np = roundUp(n, NR);
        packTransposed(b, bo, brs, n, kk, bt, np);
        product(m, np, kk, a, ao, ars, 1, bt, 0, np, scale, c, np, edge);
    }

    /**
     * c (m↑, n↑) = a · b, where element (i, k) of a (m × kk) is a[ao + i·rs + k·ks] ((rs, ks) = (row stride, 1) for
     * a row-major a, (1, row stride) for the transpose of one; read in place), b is kk rows of n features at
     * b[bo + k·brs + f], m↑ = {@link #outRows}(m) and n↑ = n rounded up to {@link #NR} (the row stride of c). b's rows
     * are first packed into bp (kk × n↑ floats, zero-padded), even where n is a whole number of vectors: every row
     * panel of a reads all of b, and b's rows in place, in a (B, T, 3D) projection, lie 3D floats apart, which for
     * ViT-Ti (2304 bytes) maps them onto a quarter of L1's sets (the fused attention about 20% slower in place than
     * packed on cold operands, BENCHMARKS.md); edge holds {@link #WR}·kk floats.
     */
    static void weightedHead(float[] a, int ao, int rs, int ks, int m, int kk, float[] b, int bo, int brs, int n,
                             float[] bp, float[] c, float[] edge) {
        int np = roundUp(n, NR);
        packRows(b, bo, brs, kk, n, bp, kk, np);
        product(m, np, kk, a, ao, rs, ks, bp, 0, np, 1f, c, np, edge);
    }

    /**
     * The plain reference of {@link #scoresHead}: c[i·ldc + j] = (Σ_f a[ao + i·ars + f]·b[bo + j·brs + f])·scale for
     * i &lt; m, j &lt; n, each sum fused-multiply-added over f in order from zero, then scaled: the arithmetic the tiles
     * must reproduce bit for bit.
     */
    static void scoresReference(float[] a, int ao, int ars, int m, float[] b, int bo, int brs, int n, int kk, float scale,
                                float[] c, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int f = 0; f < kk; f++) sum = Math.fma(a[ao + i * ars + f], b[bo + j * brs + f], sum);
                c[i * ldc + j] = sum * scale;
            }
        }
    }

    /**
     * The plain reference of {@link #weightedHead}: c[i·ldc + j] = Σ_k a[ao + i·rs + k·ks]·b[bo + k·brs + j] for
     * i &lt; m, j &lt; n, fused-multiply-added over k in order from zero.
     */
    static void weightedReference(float[] a, int ao, int rs, int ks, int m, int kk, float[] b, int bo, int brs, int n,
                                  float[] c, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int k = 0; k < kk; k++) sum = Math.fma(a[ao + i * rs + k * ks], b[bo + k * brs + j], sum);
                c[i * ldc + j] = sum;
            }
        }
    }

    // ------------------------------------------------------------------ packing

    /** dst (rowsPad, colsPad), zero-padded = src rows [0, rows) × features [0, cols) (row stride rs, unit column stride). */
    static void packRows(float[] src, int off, int rs, int rows, int cols, float[] dst, int rowsPad, int colsPad) {
        for (int r = 0; r < rowsPad; r++) {
            int dr = r * colsPad;
            if (r < rows) {
                System.arraycopy(src, off + r * rs, dst, dr, cols);
                for (int c = cols; c < colsPad; c++) dst[dr + c] = 0f;
            } else {
                for (int c = 0; c < colsPad; c++) dst[dr + c] = 0f;
            }
        }
    }

    /**
     * dst (cols, rowsPad) = transpose of src rows [0, rows) × features [0, cols), zero-padded. Four source rows at a
     * time, each read along its features: 1.1 µs for a 50 × 64 head on Zen 4, where a column at a time (a strided
     * read per element) took 1.8 and a Vector API gather 2.3 (BENCHMARKS.md, "Issue 22, second session").
     */
    static void packTransposed(float[] src, int off, int rs, int rows, int cols, float[] dst, int rowsPad) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int s0 = off + r * rs, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
            for (int c = 0; c < cols; c++) {
                int d = c * rowsPad + r;
                dst[d] = src[s0 + c];
                dst[d + 1] = src[s1 + c];
                dst[d + 2] = src[s2 + c];
                dst[d + 3] = src[s3 + c];
            }
        }
        for (; r < rows; r++) {
            int s0 = off + r * rs;
            for (int c = 0; c < cols; c++) dst[c * rowsPad + r] = src[s0 + c];
        }
        for (int c = 0; c < cols; c++) {
            for (int i = c * rowsPad + rows; i < (c + 1) * rowsPad; i++) dst[i] = 0f; // a loop, not Arrays.fill's stub call
        }
    }

    /** dst rows [0, rows) × [0, cols) (row stride dstLd) = src (row stride ld). */
    static void unpack(float[] src, int ld, int rows, int cols, float[] dst, int off, int dstLd) {
        for (int r = 0; r < rows; r++) System.arraycopy(src, r * ld, dst, off + r * dstLd, cols);
    }

    // ------------------------------------------------------------------ products

    /**
     * c (m↑, n) = a (m, kk) · b (kk, n) · scale, with n a multiple of NR = 2 vectors and m↑ = m rounded up to the
     * row count of the tile that covers a column strip (at most m + 4 rows of c are written); element (i, k) of a at
     * a[ao + i·rs + k·ks] ((rs, ks) = (row stride, 1) for a row-major operand, (1, row stride) for the transpose of
     * one, read in place), b row-major from b[bo] with row stride ldb, c with row stride ldc. Columns go in strips of
     * {@link #WR} × 4 vectors on the wide tile where there are 32 registers and a is row-major (ks = 1), the rest in
     * strips of 2 vectors on the 4 × 2 tile; the last partial panel of a strip's rows is packed into {@code edge} (at
     * most 5·kk floats), row-major, with zero rows below it.
     */
    static void product(int m, int n, int kk, float[] a, int ao, int rs, int ks, float[] b, int bo, int ldb,
                        float scale, float[] c, int ldc, float[] edge) {
        int j = 0;
        if (WIDE && ks == 1 && n >= WN) {
            int full = m / WR * WR;
            packEdge(m, full, WR, kk, a, ao, rs, ks, edge);
            for (; j + WN <= n; j += WN) {
                for (int i = 0; i < full; i += WR) wideTile(kk, a, ao + i * rs, rs, b, bo + j, ldb, scale, c, i * ldc + j, ldc);
                if (full < m) wideTile(kk, edge, 0, kk, b, bo + j, ldb, scale, c, full * ldc + j, ldc);
            }
        }
        if (j < n) {
            int full = m / MR * MR;
            packEdge(m, full, MR, kk, a, ao, rs, ks, edge);
            for (; j < n; j += NR) {
                for (int i = 0; i < full; i += MR) tile(kk, a, ao + i * rs, rs, ks, b, bo + j, ldb, scale, c, i * ldc + j, ldc);
                if (full < m) tile(kk, edge, 0, kk, 1, b, bo + j, ldb, scale, c, full * ldc + j, ldc);
            }
        }
    }

    /** edge (rows, kk), row-major = rows [full, m) of a (element (i, k) at a[ao + i·rs + k·ks]), zero rows up to {@code rows}. */
    private static void packEdge(int m, int full, int rows, int kk, float[] a, int ao, int rs, int ks, float[] edge) {
        if (full == m) return;
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kk; k++) edge[r * kk + k] = full + r < m ? a[ao + (full + r) * rs + k * ks] : 0f;
        }
    }

    /**
     * c[0:MR, 0:NR] = a[0:MR, 0:kk] · b[0:kk, 0:NR] · scale, element (r, k) of a at a[ao + r·rs + k·ks]; the sums run
     * over k in order from zero and are then scaled, one rounding each, as a product followed by a multiply rounds.
     */
    private static void tile(int kk, float[] a, int ao, int rs, int ks, float[] b, int bo, int ldb,
                             float scale, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = ao, a1 = ao + rs, a2 = ao + 2 * rs, a3 = ao + 3 * rs;
        for (int k = 0; k < kk; k++) {
            int bi = bo + k * ldb, ak = k * ks;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ak]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ak]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ak]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ak]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        FloatVector vs = FloatVector.broadcast(S, scale);
        c00.mul(vs).intoArray(c, co);
        c01.mul(vs).intoArray(c, co + V);
        c10.mul(vs).intoArray(c, co + ldc);
        c11.mul(vs).intoArray(c, co + ldc + V);
        c20.mul(vs).intoArray(c, co + 2 * ldc);
        c21.mul(vs).intoArray(c, co + 2 * ldc + V);
        c30.mul(vs).intoArray(c, co + 3 * ldc);
        c31.mul(vs).intoArray(c, co + 3 * ldc + V);
    }

    /**
     * The wide tile, for 32 vector registers: c[0:WR, 0:4V] = a[0:WR, 0:kk] · b[0:kk, 0:4V] · scale with a row-major
     * (element (r, k) at a[ao + r·rs + k]; WR = 5 rows, 20 accumulators, 4 B vectors and a broadcast: 25 registers),
     * summed and rounded as {@link #tile}. Per k it loads 4 vectors and 5 scalars for 20 FMAs, where the 4 × 2 tile
     * loads 2 and 4 for 8; and 5 rows cover 50 tokens (ViT-Ti's 7 × 7 patches and a class token) with no edge panel.
     * Only a unit k stride: C2 compiled a body indexing a[ao + r·rs + k·ks] into code about 1.5 times slower in about
     * half of the JVMs (fused attention A/B, BENCHMARKS.md), so the transposed left operands go to the 4 × 2 tile.
     */
    private static void wideTile(int kk, float[] a, int ao, int rs, float[] b, int bo, int ldb,
                                     float scale, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        int a0 = ao, a1 = ao + rs, a2 = ao + 2 * rs, a3 = ao + 3 * rs, a4 = ao + 4 * rs;
        for (int k = 0; k < kk; k++) {
            int bi = bo + k * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + V);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + k]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
        }
        FloatVector vs = FloatVector.broadcast(S, scale);
        // stored inline: a helper taking vectors as arguments boxes them when C2 leaves it out of line
        c00.mul(vs).intoArray(c, co);
        c01.mul(vs).intoArray(c, co + V);
        c02.mul(vs).intoArray(c, co + 2 * V);
        c03.mul(vs).intoArray(c, co + 3 * V);
        co += ldc;
        c10.mul(vs).intoArray(c, co);
        c11.mul(vs).intoArray(c, co + V);
        c12.mul(vs).intoArray(c, co + 2 * V);
        c13.mul(vs).intoArray(c, co + 3 * V);
        co += ldc;
        c20.mul(vs).intoArray(c, co);
        c21.mul(vs).intoArray(c, co + V);
        c22.mul(vs).intoArray(c, co + 2 * V);
        c23.mul(vs).intoArray(c, co + 3 * V);
        co += ldc;
        c30.mul(vs).intoArray(c, co);
        c31.mul(vs).intoArray(c, co + V);
        c32.mul(vs).intoArray(c, co + 2 * V);
        c33.mul(vs).intoArray(c, co + 3 * V);
        co += ldc;
        c40.mul(vs).intoArray(c, co);
        c41.mul(vs).intoArray(c, co + V);
        c42.mul(vs).intoArray(c, co + 2 * V);
        c43.mul(vs).intoArray(c, co + 3 * V);
    }

    /** Rows of c that {@link #product} may write for m rows of a: m rounded up to either tile's row count. */
    static int outRows(int m) {
        return Math.max(roundUp(m, MR), roundUp(m, WR));
    }

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Per-thread scratch arrays, grown on demand (shared with {@code AttentionKernels}: one set per pool thread). */
    static final class Scratch {
        private final float[][] bufs = new float[6][0];
        /** One vector's worth of lane accumulators (the softmax rows). */
        final float[] lanes = new float[V];

        private float[] get(int i, int size) {
            if (bufs[i].length < size) bufs[i] = new float[size];
            return bufs[i];
        }

        float[] a(int size) { return get(0, size); }
        float[] b(int size) { return get(1, size); }
        float[] c(int size) { return get(2, size); }
        float[] d(int size) { return get(3, size); }
        float[] e(int size) { return get(4, size); }
        float[] f(int size) { return get(5, size); }
    }

    /** This thread's scratch. */
    static Scratch scratch() {
        return SCRATCH.get();
    }
}
