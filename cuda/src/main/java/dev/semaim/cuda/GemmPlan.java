package dev.semaim.cuda;

import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Our row-major products as cuBLAS's column-major GEMM calls. A row-major (M, N) matrix with row stride ld is,
 * read column-major, its transpose (N, M) with leading dimension ld; so out = a·b is computed as
 * outᵀ = bᵀ·aᵀ: cuBLAS's A is our b, its B our a, its C our out, with m = N, n = M, k = K. An operand
 * whose columns are contiguous (stride(-1) = 1) is passed untransposed with ld = stride(-2); one whose rows are
 * contiguous (stride(-2) = 1, a transposed view such as kᵀ in attention) is passed with CUBLAS_OP_T and
 * ld = stride(-1). Batch axes merge where all three operands allow; the innermost that remains becomes the
 * strided batch of one cublasGemmStridedBatchedEx, the others a loop of calls. Pure (shapes and strides only):
 * GemmPlanTest checks every mapping with a Java model of cuBLAS's semantics against the CPU product.
 */
final class GemmPlan {
    static final int OP_N = 0, OP_T = 1;

    private GemmPlan() {}

    /**
     * One cublasGemmStridedBatchedEx: C[i] = op(A[i])·op(B[i]) (column-major, m x n, inner k) for i &lt; batch,
     * operand i starting {@code offset + i·stride} elements into its storage (A = our b, B = our a, C = out).
     */
    record Call(int transA, int transB, int m, int n, int k,
                int offsetA, int lda, long strideA, int offsetB, int ldb, long strideB, int offsetC, int ldc, long strideC, int batch) {}

    /** cuBLAS's view of one input matrix: its op and leading dimension. */
    private record Operand(int op, int ld) {}

    /**
     * An input X (rows x cols, row-major view with the given strides) as the column-major operand whose op gives
     * Xᵀ (cols x rows); null when neither stride is 1 or the leading dimension would be too small (overlapping
     * rows, a broadcast matrix): such an operand is first copied to a contiguous tensor.
     */
    private static Operand transposedOperand(int rows, int cols, int rowStride, int colStride) {
        if (cols == 1) colStride = 1;
        if (rows == 1) rowStride = Math.max(cols, 1);
        if (colStride == 1 && rowStride >= Math.max(1, cols)) return new Operand(OP_N, rowStride);
        if (rows == 1 || cols == 1) return null;
        if (rowStride == 1 && colStride >= rows) return new Operand(OP_T, colStride);
        return null;
    }

    /** Whether the last two axes of an input can be passed to cuBLAS as they are. */
    static boolean inputFits(Tensor x) {
        return transposedOperand(x.size(-2), x.size(-1), x.stride(-2), x.stride(-1)) != null;
    }

    /** Whether the product can be written straight into out: unit column stride, rows apart by at least N. */
    static boolean outputFits(Tensor out) {
        int m = out.size(-2), n = out.size(-1);
        return (n == 1 || out.stride(-1) == 1) && (m == 1 || out.stride(-2) >= n);
    }

    private static int ldOut(Tensor out) {
        return out.size(-2) == 1 ? Math.max(1, out.size(-1)) : out.stride(-2);
    }

    /**
     * The calls computing out (..., M, N) = a (..., M, K) · b (..., K, N), batch axes already broadcast to out's;
     * the operands must fit ({@link #inputFits}, {@link #outputFits}). M, N, K &gt; 0.
     */
    static List<Call> plan(Tensor a, Tensor b, Tensor out) {
        int r = out.rank(), m = out.size(-2), n = out.size(-1), k = a.size(-1);
        Operand opA = transposedOperand(k, n, b.stride(-2), b.stride(-1));  // cuBLAS A = our b (K, N): op gives bᵀ (N, K)
        Operand opB = transposedOperand(m, k, a.stride(-2), a.stride(-1));  // cuBLAS B = our a (M, K): op gives aᵀ (K, M)
        if (opA == null || opB == null || !outputFits(out))
            throw new IllegalArgumentException("GemmPlan: an operand does not fit cuBLAS as it is: " + a + ", " + b + ", " + out);
        // batch axes: drop size 1, merge neighbours that are one axis for all three operands
        int[] size = new int[r - 2];
        long[][] st = new long[3][r - 2];
        int nb = 0;
        for (int i = 0; i < r - 2; i++) {
            if (out.size(i) == 1) continue;
            long sa = b.stride(i), sb = a.stride(i), sc = out.stride(i);
            if (nb > 0 && st[0][nb - 1] == sa * out.size(i) && st[1][nb - 1] == sb * out.size(i) && st[2][nb - 1] == sc * out.size(i)) {
                size[nb - 1] *= out.size(i);
                st[0][nb - 1] = sa;
                st[1][nb - 1] = sb;
                st[2][nb - 1] = sc;
                continue;
            }
            size[nb] = out.size(i);
            st[0][nb] = sa;
            st[1][nb] = sb;
            st[2][nb] = sc;
            nb++;
        }
        int batch = nb == 0 ? 1 : size[nb - 1];
        long sA = nb == 0 ? 0 : st[0][nb - 1], sB = nb == 0 ? 0 : st[1][nb - 1], sC = nb == 0 ? 0 : st[2][nb - 1];
        if (batch > 1 && sC < (long) (m - 1) * ldOut(out) + n)
            throw new IllegalArgumentException("GemmPlan: the batch matrices of " + out + " overlap");
        List<Call> calls = new ArrayList<>();
        int outer = 1;
        for (int i = 0; i < nb - 1; i++) outer *= size[i];
        for (int o = 0; o < outer; o++) {
            long offA = b.offset(), offB = a.offset(), offC = out.offset();
            for (int i = nb - 2, rest = o; i >= 0; i--) {        // o's index on each outer batch axis, last fastest
                int idx = rest % size[i];
                rest /= size[i];
                offA += idx * st[0][i];
                offB += idx * st[1][i];
                offC += idx * st[2][i];
            }
            calls.add(new Call(opA.op(), opB.op(), n, m, k, (int) offA, opA.ld(), sA, (int) offB, opB.ld(), sB, (int) offC, ldOut(out), sC, batch));
        }
        return calls;
    }
}
