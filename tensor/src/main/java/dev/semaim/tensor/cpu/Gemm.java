package dev.semaim.tensor.cpu;

import java.util.Arrays;
import java.util.function.IntConsumer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast float32 GEMM: C = op(A)·op(B) + beta·C. Same contract as {@link GemmReference}: op(A) is
 * (M, K), stored (M, K) with leading dimension lda or (K, M) when transA; op(B) is (K, N), stored
 * (K, N) with ldb or (N, K) when transB; C is (M, N) with ldc, all row-major. With beta == 0 the
 * old content of C is ignored (NaN included).
 *
 * <p>Goto/BLIS blocking: for each NC-wide column block and KC-deep slice of K, op(B) is packed
 * into NR-wide micro-panels; the MR×NR register-tile micro-kernel then sweeps MC-row blocks of
 * op(A), read in place (only a partial last row panel is packed, zero-padded). Transposes are
 * absorbed by B packing and by the strides A is read with. Large calls split C into slabs that
 * pool threads compute independently (own packing buffers, disjoint output); small calls run on the
 * calling thread; {@link #sgemmBatched} parallelises over the batch. The vector width, the register tiles and the
 * block sizes come from {@link KernelConfig}, which picks them for the CPU it runs on; each call takes the 6×3-vector
 * tile where the CPU has 32 vector registers and the shape does not pad much more on it, else the 6×2 one; with 16
 * registers (AVX2) a 5×2 tile over op(A) packed into panels instead ({@link Tile}).
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = KernelConfig.LANES;
    /**
     * The in-place register tiles: MR = 6 rows of 2 vectors, or of 3 where there are 32 registers ({@link KernelConfig}).
     * Both leave C2's register allocator room: 8 × 3 (24 accumulators + 3 B vectors + a broadcast, 28 of 32) was
     * compiled with accumulators spilled to the stack inside the k loop in about half of all JVMs, 2.4x slower
     * (BENCHMARKS.md, "A register tile C2 compiles the same way every time").
     */
    private static final int MR = 6, NR_NARROW = 2 * V, NR_WIDE = 3 * V;
    /**
     * The tile over packed A for 16 registers: 5 rows × 2 vectors, its A panels 8 floats per k (rows 5..7 zero),
     * so that the A index is ao + (k &lt;&lt; 3) + r ({@link #kernel5x2PackedA}).
     */
    private static final int MR_PACKED = 5, A_STRIDE_PACKED = 8;
    /** Depth of one packed slice: the micro-kernel's k loop, and the rows of a packed B micro-panel (KC×NR). */
    private static final int KC = KernelConfig.KC;
    /**
     * Products with K up to this run as one slice (-Dsemaim.gemm.kcOnePass): no second pass over C, no second B
     * packing, no short last slice (K = 576 was 512 + 64). Interleaved in one JVM (BENCHMARKS.md), one slice beat
     * KC-deep ones by 4-9% on the ViT's K = 576 and 768 shapes; the K = 6400 weight gradients keep KC.
     */
    private static final int KC_ONE_PASS = Math.max(KC, Integer.getInteger("semaim.gemm.kcOnePass", 1024));
    /** Rows of op(A) per block (its MC×KC slice stays in L2 while it meets every B panel). */
    private static final int MC = KernelConfig.MC;
    /** Columns of op(B) per packed block (KC×NC lives in L3). */
    private static final int NC = KernelConfig.NC;
    /** Below this many multiply-adds a call runs on the calling thread (a hand-off costs ~10 µs). */
    private static final long PARALLEL_MIN_MACS = 1L << 20;

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {}

    /**
     * A register tile: {@code mr} rows of op(A) × {@code nr} columns of op(B) (2 or 3 vectors) per micro-kernel call,
     * and where the micro-kernel reads op(A): in place (full row panels; only a partial last one packed), or every
     * MC×KC block packed first into panels of {@code aStride} floats per k (element (r, k) of a panel at
     * k·aStride + r, rows mr.. zero).
     */
    enum Tile {
        /** 6 × 2 vectors, op(A) in place: 12 accumulators + 2 B vectors + 1 broadcast. */
        NARROW(MR, 2, false, MR),
        /** 6 × 3 vectors, op(A) in place: 18 accumulators + 3 B vectors + 1 broadcast, for 32 registers (AVX-512, AArch64). */
        WIDE(MR, 3, false, MR),
        /**
         * 5 × 2 vectors over op(A) packed at 8 floats per k: the tile for 16 registers (AVX2). At 256 bits the 6 × 2
         * tile's 12 FMAs take 6 cycles per k instead of 12 at 512, too few to hide the in-place A's index arithmetic
         * and bounds checks; and with all 16 registers taken (12 + 2 + the broadcasts C2 schedules ahead) C2 keeps
         * an accumulator on the stack in some compiles, a store-to-load chain that halves the speed. Packed at a
         * power-of-two stride, A needs no check in the k loop, and 10 accumulators leave C2 room (BENCHMARKS.md).
         */
        PACKED(MR_PACKED, 2, true, A_STRIDE_PACKED);

        /** Rows of op(A), columns of op(B) (floats), and floats per k of a packed A panel. */
        final int mr, nr, aStride;
        /** Whether op(A) is packed into panels before the micro-kernels read it. */
        final boolean packA;

        Tile(int mr, int vectors, boolean packA, int aStride) {
            this.mr = mr;
            this.nr = vectors * V;
            this.packA = packA;
            this.aStride = aStride;
        }
    }

    /**
     * Element-wise work on finished C: called once for every block C[i0:i1, j0:j1] (C coordinates) as soon
     * as its last K slice is in, by the thread that computed it, while the block is still in cache. Blocks
     * are disjoint and together cover C.
     */
    @FunctionalInterface
    public interface Epilogue {
        void apply(int i0, int i1, int j0, int j1);
    }

    /**
     * C = op(A)·op(B) + beta·C (see the class comment for layouts). Problems of at least 2^20
     * multiply-adds use the {@link CpuThreads} pool; smaller ones run on the calling thread.
     */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        sgemm(transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, null);
    }

    /** {@link #sgemm} followed by {@code epilogue} (nullable) over every block of C. */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc, Epilogue epilogue) {
        if (KernelMode.reference()) {
            GemmReference.sgemm(transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            if (epilogue != null && M > 0 && N > 0) epilogue.apply(0, M, 0, N);
            return;
        }
        boolean parallel = (long) M * N * K >= PARALLEL_MIN_MACS;
        new Job(tile(M, N, K), transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, epilogue, null, 0)
                .run(parallel);
    }

    /**
     * {@link #sgemm} with {@code epilogue} (nullable) that also writes the row sums of op(A), sums[offSums + i] =
     * Σ_k op(A)[i, k], each summed from zero in k order: the bias gradient Σ_rows g of a weight-gradient product
     * gᵀ·x, taken as the product reads A instead of in a pass of its own. Needs transA (a row of op(A) is then a
     * column of a, and a vector of 16 rows one contiguous run).
     */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc, Epilogue epilogue, float[] sums, int offSums) {
        if (!transA) throw new IllegalArgumentException("Gemm: row sums of op(A) need transA");
        if (KernelMode.reference()) {
            sgemm(transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, epilogue);
            for (int i = 0; i < M; i++) {
                float sum = 0f;
                for (int k = 0; k < K; k++) sum += a[offA + k * lda + i];
                sums[offSums + i] = sum;
            }
            return;
        }
        sgemm(tile(M, N, K), transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, epilogue, sums, offSums);
    }

    /**
     * The fast path of {@link #sgemm} (with row sums of op(A) when {@code sums} is not null) on a given register tile
     * instead of the one {@link #tile} picks: the tests run every tile on every shape, whatever the CPU.
     */
    static void sgemm(Tile tile, boolean transA, boolean transB, int M, int N, int K,
                      float[] a, int offA, int lda, float[] b, int offB, int ldb,
                      float beta, float[] c, int offC, int ldc, Epilogue epilogue, float[] sums, int offSums) {
        boolean parallel = (long) M * N * K >= PARALLEL_MIN_MACS;
        new Job(tile, transA, transB, M, N, K, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, epilogue, sums, offSums)
                .run(parallel);
    }

    /**
     * {@link #sgemm} on {@code batch} independent problems; item t uses A at offA + t·strideA, B at
     * offB + t·strideB and C at offC + t·strideC. Small items (per-head attention) are spread over the
     * pool one item per task; large ones run one after another, each parallel inside.
     */
    public static void sgemmBatched(boolean transA, boolean transB, int batch, int M, int N, int K,
                                    float[] a, int offA, int lda, long strideA,
                                    float[] b, int offB, int ldb, long strideB,
                                    float beta, float[] c, int offC, int ldc, long strideC) {
        if (KernelMode.reference()) {
            GemmReference.sgemmBatched(transA, transB, batch, M, N, K, a, offA, lda, strideA,
                    b, offB, ldb, strideB, beta, c, offC, ldc, strideC);
            return;
        }
        boolean itemParallel = (long) M * N * K >= PARALLEL_MIN_MACS && batch < 2 * CpuThreads.threads();
        Tile tile = tile(M, N, K);
        IntConsumer item = t -> new Job(tile, transA, transB, M, N, K,
                a, Math.toIntExact(offA + t * strideA), lda,
                b, Math.toIntExact(offB + t * strideB), ldb,
                beta, c, Math.toIntExact(offC + t * strideC), ldc, null, null, 0).run(itemParallel);
        if (itemParallel) {
            for (int t = 0; t < batch; t++) {
                item.accept(t);
            }
        } else {
            CpuThreads.parallelFor(batch, item);
        }
    }

    /** One GEMM call: its operands, and the blocked algorithm over a rectangle of C. */
    private static final class Job {
        final boolean transA, transB;
        final int M, N, K;
        final float[] a, b, c;
        final int offA, lda, offB, ldb, offC, ldc;
        final float beta;
        final Epilogue epilogue;
        /** Row sums of op(A) (transA only), or null. */
        final float[] sums;
        final int offSums;
        /** This call's register tile: rows of op(A) (5 or 6) and columns of op(B) (2 or 3 vectors). */
        final int mrTile, nrTile;
        /** Whether every A block is packed into panels of aStride floats per k before the kernels read it ({@link Tile}). */
        final boolean packA;
        final int aStride;
        /** Rows of op(A) per block: MC, rounded down to whole tiles. */
        final int mcBlock;

        Job(Tile tile, boolean transA, boolean transB, int M, int N, int K, float[] a, int offA, int lda,
            float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc, Epilogue epilogue, float[] sums, int offSums) {
            this.transA = transA;
            this.transB = transB;
            this.M = M;
            this.N = N;
            this.K = K;
            this.a = a;
            this.offA = offA;
            this.lda = lda;
            this.b = b;
            this.offB = offB;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.offC = offC;
            this.ldc = ldc;
            this.epilogue = epilogue;
            this.sums = sums;
            this.offSums = offSums;
            this.mrTile = tile.mr;
            this.nrTile = tile.nr;
            this.packA = tile.packA;
            this.aStride = tile.aStride;
            this.mcBlock = Math.max(mrTile, MC / mrTile * mrTile);
        }

        /**
         * Splits C into independent slabs, one pool task each, every task packing its own operands:
         * no barrier inside the call. Slabs cut the larger of M and N, because every extra slab
         * re-packs the other operand (K·N floats for a row slab, M·K for a column slab), an overhead
         * of about 16·slabs/dim of the FMA work (a packed float costs ~1 cycle, an FMA does 16).
         * Up to 2 slabs per thread, so a thread slowed by the shared machine sheds work. Splitting K instead on the
         * K = 6400 weight gradients (each thread half of K, then one reduction of C) measured within the noise, and
         * would make results depend on the thread count (BENCHMARKS.md, "Issue 22, third session").
         */
        void run(boolean parallel) {
            if (M <= 0 || N <= 0) {
                return;
            }
            boolean rowSlabs = M >= N;
            int dim = rowSlabs ? M : N;
            int unit = rowSlabs ? mrTile : nrTile;
            int threads = parallel ? CpuThreads.threads() : 1;
            int slabs = Math.min(ceilDiv(dim, unit), Math.max(threads, Math.min(2 * threads, dim / 1600)));
            CpuThreads.parallelFor(slabs, t -> {
                int from = (int) ((long) ceilDiv(dim, unit) * t / slabs) * unit;
                int to = Math.min(dim, (int) ((long) ceilDiv(dim, unit) * (t + 1) / slabs) * unit);
                if (rowSlabs) {
                    blocked(from, to, 0, N);
                } else {
                    blocked(0, M, from, to);
                }
            });
        }

        /** The blocked algorithm on C[i0:i1, j0:j1] with this thread's packing buffers. */
        private void blocked(int i0, int i1, int j0, int j1) {
            if (K <= 0) {
                scaleBlock(i0, i1, j0, j1, beta);
                if (epilogue != null) epilogue.apply(i0, i1, j0, j1);
                if (sums != null && j0 == 0) Arrays.fill(sums, offSums + i0, offSums + i1, 0f);
                return;
            }
            Buffers own = BUFFERS.get();
            int depth = K <= KC_ONE_PASS ? K : KC;
            for (int jc = j0; jc < j1; jc += NC) {
                int nc = Math.min(NC, j1 - jc);
                boolean sumRows = sums != null && jc == 0; // once per row: by the slab holding column 0, in its first block
                int panels = ceilDiv(nc, nrTile);
                for (int pc = 0; pc < K; pc += depth) {
                    int kc = Math.min(depth, K - pc);
                    float betaBlock = pc == 0 ? beta : 1f;
                    float[] bp = own.packedB(panels * kc * nrTile);
                    if (!transB && (long) kc * nc >= KernelConfig.PACK_B_BY_ROWS) {
                        packRowsB(jc, nc, pc, kc, bp);
                    } else {
                        for (int p = 0; p < panels; p++) {
                            packB(jc + p * nrTile, Math.min(nrTile, jc + nc - (jc + p * nrTile)), pc, kc, bp, p * kc * nrTile);
                        }
                    }
                    boolean last = pc + kc == K;
                    for (int ic = i0; ic < i1; ic += mcBlock) {
                        int mc = Math.min(mcBlock, i1 - ic);
                        if (betaBlock != 1f) {
                            scaleBlock(ic, ic + mc, jc, jc + nc, betaBlock);
                        }
                        if (sumRows) sumRowsOfA(ic, mc, pc, kc, own.tile);
                        macroKernel(ic, mc, pc, kc, bp, jc, nc, own);
                        if (last && epilogue != null) epilogue.apply(ic, ic + mc, jc, jc + nc);
                    }
                }
            }
        }

        /**
         * sums[i] = (the earlier slices' sum) + Σ op(A)[i, pc:pc+kc] for i in [ic, ic+mc), just before the
         * micro-kernels read the same A block. With transA, op(A)[i, k] = a[offA + k·lda + i]: a vector of rows
         * reads one contiguous run per k, and every lane sums its row in k order from zero. {@code lanes}: V floats of
         * scratch for the last, overlapping vector. On the weight gradients this pass is A's first touch, whole vectors
         * with many misses in flight, so it doubles as A's prefetch: the sums carried by the 6 × 3 micro-kernel instead
         * (one more vector load per k) were slower, the kernel's strided first touch waiting on memory (BENCHMARKS.md,
         * "Issue 22, third session").
         */
        private void sumRowsOfA(int ic, int mc, int pc, int kc, float[] lanes) {
            int i = ic, end = ic + mc;
            if (pc == 0) Arrays.fill(sums, offSums + ic, offSums + end, 0f); // the sums start from zero
            for (; i <= end - V; i += V) sumRows(sums, offSums + i, i, pc, kc);
            if (i < end && mc >= V) {
                // the last rows as the top lanes of a vector that ends with the block (its lower lanes, rows
                // already summed, are dropped): a whole vector of loads instead of a scalar loop per row
                System.arraycopy(sums, offSums + end - V, lanes, 0, V);
                sumRows(lanes, 0, end - V, pc, kc);
                System.arraycopy(lanes, i - (end - V), sums, offSums + i, end - i);
                return;
            }
            for (; i < end; i++) {
                float sum = sums[offSums + i];
                for (int k = pc; k < pc + kc; k++) sum += a[offA + k * lda + i];
                sums[offSums + i] = sum;
            }
        }

        /** to[at, at+V) (the sums of rows [i, i+V) so far) += Σ op(A)[i.., pc:pc+kc], in k order. */
        private void sumRows(float[] to, int at, int i, int pc, int kc) {
            FloatVector sum = FloatVector.fromArray(S, to, at);
            for (int k = pc; k < pc + kc; k++) sum = sum.add(FloatVector.fromArray(S, a, offA + k * lda + i));
            sum.intoArray(to, at);
        }

        /**
         * C[i0:i1, j0:j1] *= beta before a block's first K slice (or as the whole product when K == 0),
         * whole rows at a time (beta == 0 clears, NaN included), so the micro-kernel only ever accumulates
         * and finds the block in cache.
         */
        private void scaleBlock(int i0, int i1, int j0, int j1, float beta) {
            for (int i = i0; i < i1; i++) {
                int row = offC + i * ldc;
                if (beta == 0f) {
                    Arrays.fill(c, row + j0, row + j1, 0f);
                } else {
                    for (int j = row + j0; j < row + j1; j++) {
                        c[j] *= beta;
                    }
                }
            }
        }

        /**
         * Packs op(B)[pc:pc+kc, jc:jc+nc] (not transB) into its nrTile-wide micro-panels (panel p at p·kc·nrTile,
         * as {@link #packB} lays them out), reading b row by row: for a block larger than L2
         * ({@link KernelConfig#PACK_B_BY_ROWS}), which comes from L3 or memory, the prefetchers then stream b in
         * order, where panel by panel every k is a new line a row stride away.
         */
        private void packRowsB(int jc, int nc, int pc, int kc, float[] bp) {
            int full = nc / nrTile;
            for (int k = 0; k < kc; k++) {
                int src = offB + (pc + k) * ldb + jc;
                for (int p = 0; p < full; p++) {
                    int d = p * kc * nrTile + k * nrTile;
                    for (int v = 0; v < nrTile; v += V) {
                        FloatVector.fromArray(S, b, src + p * nrTile + v).intoArray(bp, d + v);
                    }
                }
            }
            if (full * nrTile < nc) packB(jc + full * nrTile, nc - full * nrTile, pc, kc, bp, full * kc * nrTile);
        }

        /**
         * Packs columns [j0, j0+nr) of op(B)[pc:pc+kc, :] into one nrTile-wide micro-panel at dst:
         * element (k, j) goes to dst + k·nrTile + j, columns nr..nrTile zero-padded.
         */
        private void packB(int j0, int nr, int pc, int kc, float[] bp, int dst) {
            if (!transB) {
                // b: (K, N) row-major; row k of the panel is contiguous.
                for (int k = 0; k < kc; k++) {
                    int src = offB + (pc + k) * ldb + j0;
                    int d = dst + k * nrTile;
                    if (nr == nrTile) {
                        for (int v = 0; v < nrTile; v += V) {
                            FloatVector.fromArray(S, b, src + v).intoArray(bp, d + v);
                        }
                    } else {
                        System.arraycopy(b, src, bp, d, nr);
                        Arrays.fill(bp, d + nr, d + nrTile, 0f);
                    }
                }
            } else {
                // b: (N, K) row-major; column j of the panel is contiguous in row j0 + j.
                for (int j = 0; j < nr; j++) {
                    int src = offB + (j0 + j) * ldb + pc;
                    for (int k = 0; k < kc; k++) {
                        bp[dst + k * nrTile + j] = b[src + k];
                    }
                }
                for (int j = nr; j < nrTile; j++) {
                    for (int k = 0; k < kc; k++) {
                        bp[dst + k * nrTile + j] = 0f;
                    }
                }
            }
        }

        /**
         * Packs rows [i0, i0+mr) of op(A)[:, pc:pc+kc], mr <= mrTile, into one micro-panel at ap[dst..]: element
         * (i, k) goes to dst + k·stride + i, rows mr..stride zero-padded. In place (not packA), only the last,
         * partial row panel of a block needs it (stride mrTile); with packA, every panel of the block (aStride).
         */
        private void packPanelA(int i0, int mr, int pc, int kc, float[] ap, int dst, int stride) {
            for (int k = 0; k < kc; k++) {
                int d = dst + k * stride;
                if (transA) {
                    // op(A)[i0 + r, pc + k] = a[offA + (pc + k)·lda + i0 + r]: the panel's column k is contiguous
                    // (a loop: System.arraycopy's set-up costs more than copying 5 to 8 floats)
                    int src = offA + (pc + k) * lda + i0;
                    for (int r = 0; r < mr; r++) ap[d + r] = a[src + r];
                } else {
                    int src = offA + i0 * lda + pc + k;
                    for (int r = 0; r < mr; r++) ap[d + r] = a[src + r * lda];
                }
                for (int r = mr; r < stride; r++) ap[d + r] = 0f;
            }
        }

        /**
         * C[ic:ic+mc, jc:jc+nc] (+)= op(A)[ic:ic+mc, pc:pc+kc] · packed B block. B micro-panels are
         * the outer loop (one stays in L1/L2 while the A rows of the block, kept in L2 by MC, stream
         * past). Full mrTile-row panels of A are read in place: op(A)[i0 + r, k] sits at
         * a[offA + (i0 + r)·rs + k·ks] with (rs, ks) = (lda, 1), or (1, lda) when transA. Packing A
         * instead cost 13-19% at 512 bits on the N = 192 and transA shapes (per-core GFLOP/s, GemmBenchmark), but is
         * the gain at 256 ({@link Tile#PACKED}): with packA the whole block is packed first, panel p (rows
         * ic + p·mrTile..) at p·aStride·kc, and every micro-kernel reads it.
         */
        private void macroKernel(int ic, int mc, int pc, int kc, float[] bp, int jc, int nc, Buffers own) {
            if (packA) {
                float[] ap = own.packedA(ceilDiv(mc, mrTile) * aStride * kc);
                for (int ir = 0; ir < mc; ir += mrTile) {
                    packPanelA(ic + ir, Math.min(mrTile, mc - ir), pc, kc, ap, ir / mrTile * aStride * kc, aStride);
                }
                panels(ic, mc, kc, bp, jc, nc, own, ap, 0, 1, aStride);
                return;
            }
            int rs = transA ? 1 : lda;
            int ks = transA ? lda : 1;
            int fullRows = mc / mrTile * mrTile;
            if (fullRows < mc) {
                packPanelA(ic + fullRows, mc - fullRows, pc, kc, own.edgeA, 0, mrTile);
            }
            panels(ic, mc, kc, bp, jc, nc, own, a, offA + ic * rs + pc * ks, rs, ks);
        }

        /**
         * The micro-kernel sweep of {@link #macroKernel} over C[ic:ic+mc, jc:jc+nc]. The A panel of block row ir
         * starts at as[ao + ir·rs] in place, element (r, k) at + r·rs + k·ks; packed (packA), as is the packed
         * block, ao = 0, rs = 1, ks = aStride, panel ir at (ir / mrTile)·aStride·kc, and a partial last panel is
         * there too, zero-padded (in place it is in own.edgeA).
         */
        private void panels(int ic, int mc, int kc, float[] bp, int jc, int nc, Buffers own,
                            float[] as, int ao, int rs, int ks) {
            float[] tile = own.tile;
            for (int jr = 0; jr < nc; jr += nrTile) {
                int nr = Math.min(nrTile, nc - jr);
                int bo = (jr / nrTile) * kc * nrTile;
                for (int ir = 0; ir < mc; ir += mrTile) {
                    int mr = Math.min(mrTile, mc - ir);
                    int ci = offC + (ic + ir) * ldc + jc + jr;
                    int panel = packA ? ir / mrTile * aStride * kc : ao + ir * rs;
                    if (mr == mrTile && nr == nrTile) {
                        microKernel(kc, as, panel, rs, ks, bp, bo, c, ci, ldc);
                    } else {
                        // Edge tile: accumulate the full mrTile×nrTile tile in scratch, merge the valid part.
                        Arrays.fill(tile, 0, mrTile * nrTile, 0f);
                        if (mr == mrTile || packA) {
                            microKernel(kc, as, panel, rs, ks, bp, bo, tile, 0, nrTile);
                        } else {
                            microKernel(kc, own.edgeA, 0, 1, mrTile, bp, bo, tile, 0, nrTile);
                        }
                        for (int r = 0; r < mr; r++) {
                            for (int q = 0; q < nr; q++) {
                                int cq = ci + r * ldc + q;
                                c[cq] += tile[r * nrTile + q];
                            }
                        }
                    }
                }
            }
        }

        /** This call's micro-kernel on one A panel at x[xo..] (element (r, k) at xo + r·rs + k·ks) and one B panel. */
        private void microKernel(int kc, float[] x, int xo, int rs, int ks, float[] bp, int bo, float[] to, int co, int ldt) {
            if (packA) {
                kernel5x2PackedA(kc, x, xo, bp, bo, to, co, ldt);
            } else {
                kernel(nrTile, kc, x, xo, rs, ks, bp, bo, to, co, ldt);
            }
        }
    }

    /**
     * The register tile of a call: 5 × 2 over packed A where {@link KernelConfig#PACKED_TILE} (16 registers: AVX2),
     * except, unless forced, for products under {@link #PARALLEL_MIN_MACS} multiply-adds (the per-head attention
     * ones), where packing A costs more than it saves and 6 × 2 reads A in place; else 6 × 3 where
     * {@link #wideTile} takes it, else 6 × 2.
     */
    static Tile tile(int M, int N, int K) {
        if (KernelConfig.PACKED_TILE && (KernelConfig.TILE.equals("5x2") || (long) M * N * K >= PARALLEL_MIN_MACS)) {
            return Tile.PACKED;
        }
        return wideTile(M, N) ? Tile.WIDE : Tile.NARROW;
    }

    /**
     * The 6 × 3-vector tile where it may run, unless it pads C by more than 10% over what the 6 × 2 tile pads
     * (N = 50 at 16 floats a vector: 96 columns against 64): its kernel is faster per FMA, but not by what it
     * loses on edge tiles then (BENCHMARKS.md, "GEMM (CPU, float32)").
     */
    static boolean wideTile(int M, int N) {
        if (!KernelConfig.WIDE_TILE) return false;
        if (!KernelConfig.NARROW_TILE) return true;
        long wide = (long) roundUp(M, MR) * roundUp(N, NR_WIDE);
        long narrow = (long) roundUp(M, MR) * roundUp(N, NR_NARROW);
        return wide * 10 <= narrow * 11;
    }

    /**
     * Micro-kernel: C[0:MR, 0:NR] (at co, row stride ldc) += A·Bp for the in-place tiles, MR = 6 rows and NR = 2 or 3
     * vectors, where A is
     * MR×kc with element (r, k) at a[ao + r·rs + k·ks] (a packed panel has rs = 1, ks = MR) and Bp is one packed
     * kc×NR B panel (NR values per k). The accumulators stay in registers for the whole k loop.
     */
    private static void kernel(int NR, int kc, float[] a, int ao, int rs, int ks, float[] bp, int bo,
                               float[] c, int co, int ldc) {
        if (NR == NR_WIDE) {
            kernel6x3(kc, a, ao, rs, ks, bp, bo, c, co, ldc);
        } else {
            kernel6x2(kc, a, ao, rs, ks, bp, bo, c, co, ldc);
        }
    }

    /** The 6 × 2-vector tile: 12 accumulators + 2 B vectors + 1 broadcast, for 16 vector registers (AVX2, SSE). */
    private static void kernel6x2(int kc, float[] a, int ao, int rs, int ks, float[] bp, int bo,
                                  float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int a0 = ao, a1 = ao + rs, a2 = ao + 2 * rs, a3 = ao + 3 * rs, a4 = ao + 4 * rs, a5 = ao + 5 * rs;
        for (int k = 0; k < kc; k++) {
            int ak = k * ks;
            int bi = bo + k * NR_NARROW;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
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
            x = FloatVector.broadcast(S, a[a4 + ak]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + ak]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // C += the tile, row by row. Deliberately branch-free: a vector value merged at a control-flow join
        // defeats C2's box elimination (JDK 17-25), and every vector op of the kernel would then allocate; beta is
        // applied to the C block beforehand instead (Job.scaleBlock). Written out rather than in a helper: the
        // Vector API's own methods are force-inlined (late, if need be), a helper of ours is not, and one compile
        // in a few, past C2's node-count cutoff, left it out of line and boxed every accumulator (3.3 GB of
        // garbage per vit-s step).
        int c1 = co + ldc, c2 = co + 2 * ldc, c3 = co + 3 * ldc, c4 = co + 4 * ldc, c5 = co + 5 * ldc;
        c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c01.add(FloatVector.fromArray(S, c, co + V)).intoArray(c, co + V);
        c10.add(FloatVector.fromArray(S, c, c1)).intoArray(c, c1);
        c11.add(FloatVector.fromArray(S, c, c1 + V)).intoArray(c, c1 + V);
        c20.add(FloatVector.fromArray(S, c, c2)).intoArray(c, c2);
        c21.add(FloatVector.fromArray(S, c, c2 + V)).intoArray(c, c2 + V);
        c30.add(FloatVector.fromArray(S, c, c3)).intoArray(c, c3);
        c31.add(FloatVector.fromArray(S, c, c3 + V)).intoArray(c, c3 + V);
        c40.add(FloatVector.fromArray(S, c, c4)).intoArray(c, c4);
        c41.add(FloatVector.fromArray(S, c, c4 + V)).intoArray(c, c4 + V);
        c50.add(FloatVector.fromArray(S, c, c5)).intoArray(c, c5);
        c51.add(FloatVector.fromArray(S, c, c5 + V)).intoArray(c, c5 + V);
    }

    /**
     * The 6 × 3-vector tile: 18 accumulators + 3 B vectors + 1 broadcast, for 32 vector registers (AVX-512,
     * AArch64). Per k, 9 loads feed 18 FMAs (6×2: 8 for 12), and each C tile round trip serves 1.5 times the work.
     * Ten registers stay free: at 8 × 3 (four free) C2 spilled accumulators in about half of all JVMs.
     */
    private static void kernel6x3(int kc, float[] a, int ao, int rs, int ks, float[] bp, int bo,
                                  float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        int a0 = ao, a1 = ao + rs, a2 = ao + 2 * rs, a3 = ao + 3 * rs, a4 = ao + 4 * rs, a5 = ao + 5 * rs;
        for (int k = 0; k < kc; k++) {
            int ak = k * ks;
            int bi = bo + k * NR_WIDE;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi + 2 * V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ak]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[a1 + ak]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[a2 + ak]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[a3 + ak]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[a4 + ak]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[a5 + ak]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
        }
        // C += the tile, written out and branch-free for the reasons given in kernel6x2
        int v2 = 2 * V;
        int c1 = co + ldc, c2 = co + 2 * ldc, c3 = co + 3 * ldc, c4 = co + 4 * ldc, c5 = co + 5 * ldc;
        c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c01.add(FloatVector.fromArray(S, c, co + V)).intoArray(c, co + V);
        c02.add(FloatVector.fromArray(S, c, co + v2)).intoArray(c, co + v2);
        c10.add(FloatVector.fromArray(S, c, c1)).intoArray(c, c1);
        c11.add(FloatVector.fromArray(S, c, c1 + V)).intoArray(c, c1 + V);
        c12.add(FloatVector.fromArray(S, c, c1 + v2)).intoArray(c, c1 + v2);
        c20.add(FloatVector.fromArray(S, c, c2)).intoArray(c, c2);
        c21.add(FloatVector.fromArray(S, c, c2 + V)).intoArray(c, c2 + V);
        c22.add(FloatVector.fromArray(S, c, c2 + v2)).intoArray(c, c2 + v2);
        c30.add(FloatVector.fromArray(S, c, c3)).intoArray(c, c3);
        c31.add(FloatVector.fromArray(S, c, c3 + V)).intoArray(c, c3 + V);
        c32.add(FloatVector.fromArray(S, c, c3 + v2)).intoArray(c, c3 + v2);
        c40.add(FloatVector.fromArray(S, c, c4)).intoArray(c, c4);
        c41.add(FloatVector.fromArray(S, c, c4 + V)).intoArray(c, c4 + V);
        c42.add(FloatVector.fromArray(S, c, c4 + v2)).intoArray(c, c4 + v2);
        c50.add(FloatVector.fromArray(S, c, c5)).intoArray(c, c5);
        c51.add(FloatVector.fromArray(S, c, c5 + V)).intoArray(c, c5 + V);
        c52.add(FloatVector.fromArray(S, c, c5 + v2)).intoArray(c, c5 + v2);
    }

    /**
     * The 5 × 2-vector tile over one packed A panel ({@link Tile#PACKED}): C[0:5, 0:2V] (at co, row stride ldc) +=
     * A·Bp, A element (r, k) at a[ao + 8·k + r], Bp as in {@link #kernel}. 10 accumulators + 2 B vectors leave 4 of
     * the 16 registers for the broadcasts, however C2 schedules them, and every index is a power-of-two multiple of
     * k plus a constant, so C2 hoists all bounds checks out of the k loop and folds the offsets into the addresses:
     * the loop is 7 loads, 10 FMAs and the counter.
     */
    private static void kernel5x2PackedA(int kc, float[] a, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00;
        for (int k = 0; k < kc; k++) {
            int ai = ao + k * A_STRIDE_PACKED;
            int bi = bo + k * NR_NARROW;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        // C += the tile, written out and branch-free for the reasons given in kernel6x2
        int c1 = co + ldc, c2 = co + 2 * ldc, c3 = co + 3 * ldc, c4 = co + 4 * ldc;
        c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co);
        c01.add(FloatVector.fromArray(S, c, co + V)).intoArray(c, co + V);
        c10.add(FloatVector.fromArray(S, c, c1)).intoArray(c, c1);
        c11.add(FloatVector.fromArray(S, c, c1 + V)).intoArray(c, c1 + V);
        c20.add(FloatVector.fromArray(S, c, c2)).intoArray(c, c2);
        c21.add(FloatVector.fromArray(S, c, c2 + V)).intoArray(c, c2 + V);
        c30.add(FloatVector.fromArray(S, c, c3)).intoArray(c, c3);
        c31.add(FloatVector.fromArray(S, c, c3 + V)).intoArray(c, c3 + V);
        c40.add(FloatVector.fromArray(S, c, c4)).intoArray(c, c4);
        c41.add(FloatVector.fromArray(S, c, c4 + V)).intoArray(c, c4 + V);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int m) {
        return ceilDiv(x, m) * m;
    }

    /** Packing buffers owned by one thread. */
    private static final class Buffers {
        /** Edge-tile scratch, MR×NR of the larger tile. */
        final float[] tile = new float[MR * NR_WIDE];
        /** The partial last row panel of an A block, MR×(the deepest slice) of the larger tile. */
        final float[] edgeA = new float[MR * KC_ONE_PASS];
        /** Packed op(B) block, up to KC×NC, grown on demand. */
        private float[] b = new float[0];
        /** Packed op(A) block (packA tiles), up to MC×KC with panels of aStride floats per k, grown on demand. */
        private float[] a = new float[0];

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }
}
