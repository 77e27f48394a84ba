package dev.semaim.cuda;

/**
 * cuBLAS's cublasGemmStridedBatchedEx in plain Java, as its documentation defines it (column-major, alpha = 1,
 * beta = 0): for each p &lt; batch, C_p (m x n) = op(A_p) · op(B_p), element (i, j) of a matrix X with leading
 * dimension ld at X[offset + p·stride + i + j·ld], op(X) = X or Xᵀ; the argument checks that make cuBLAS answer
 * CUBLAS_STATUS_INVALID_VALUE. The oracle GemmPlanTest runs {@link GemmPlan}'s calls on.
 */
final class CublasGemmModel {
    private CublasGemmModel() {}

    /** Runs one call on flat host copies of the three storages; throws naming the argument cuBLAS would refuse. */
    static void run(GemmPlan.Call c, double[] a, double[] b, double[] out) {
        int rowsA = c.transA() == GemmPlan.OP_N ? c.m() : c.k(), rowsB = c.transB() == GemmPlan.OP_N ? c.k() : c.n();
        require(c.m() >= 0 && c.n() >= 0 && c.k() >= 0 && c.batch() >= 0, "negative size", c);
        require(c.lda() >= Math.max(1, rowsA), "lda < max(1, " + rowsA + ")", c);
        require(c.ldb() >= Math.max(1, rowsB), "ldb < max(1, " + rowsB + ")", c);
        require(c.ldc() >= Math.max(1, c.m()), "ldc < max(1, m)", c);
        for (int p = 0; p < c.batch(); p++)
            for (int j = 0; j < c.n(); j++)
                for (int i = 0; i < c.m(); i++) {
                    double s = 0;
                    for (int l = 0; l < c.k(); l++)
                        s += element(a, c.offsetA() + p * c.strideA(), c.lda(), c.transA(), i, l)
                                * element(b, c.offsetB() + p * c.strideB(), c.ldb(), c.transB(), l, j);
                    out[(int) (c.offsetC() + p * c.strideC() + i + (long) j * c.ldc())] = s;
                }
    }

    /** op(X)(i, j) of a column-major X starting at base. */
    private static double element(double[] x, long base, int ld, int op, int i, int j) {
        long at = op == GemmPlan.OP_N ? base + i + (long) j * ld : base + j + (long) i * ld;
        if (at < 0 || at >= x.length) throw new AssertionError("reads element " + at + " outside a storage of " + x.length);
        return x[(int) at];
    }

    private static void require(boolean ok, String what, GemmPlan.Call c) {
        if (!ok) throw new AssertionError("cuBLAS would answer CUBLAS_STATUS_INVALID_VALUE: " + what + " in " + c);
    }
}
