package dev.semaim.tensor.cpu;

/**
 * Scalar reference GEMM: C = op(A)·op(B) + beta·C, accumulated in double. Slow; it is the ground
 * truth {@link Gemm} is tested against and the kernel used when {@link KernelMode#reference()}.
 *
 * <p>Layouts (all row-major): op(A) is (M, K), stored as (M, K) with leading dimension lda, or as
 * (K, M) when transA; op(B) is (K, N), stored as (K, N) with ldb, or as (N, K) when transB; C is
 * (M, N) with ldc. With beta == 0 the previous content of C is ignored (NaN included).
 */
public final class GemmReference {
    private GemmReference() {}

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < K; k++) {
                    float aik = transA ? a[offA + k * lda + i] : a[offA + i * lda + k];
                    float bkj = transB ? b[offB + j * ldb + k] : b[offB + k * ldb + j];
                    sum += (double) aik * bkj;
                }
                int ci = offC + i * ldc + j;
                c[ci] = beta == 0f ? (float) sum : (float) (sum + (double) beta * c[ci]);
            }
        }
    }

    /** {@link #sgemm} on {@code batch} independent problems; item t starts at off + t·stride. */
    public static void sgemmBatched(boolean transA, boolean transB, int batch, int M, int N, int K,
                                    float[] a, int offA, int lda, long strideA,
                                    float[] b, int offB, int ldb, long strideB,
                                    float beta, float[] c, int offC, int ldc, long strideC) {
        for (int t = 0; t < batch; t++) {
            sgemm(transA, transB, M, N, K,
                    a, Math.toIntExact(offA + t * strideA), lda,
                    b, Math.toIntExact(offB + t * strideB), ldb,
                    beta, c, Math.toIntExact(offC + t * strideC), ldc);
        }
    }
}
