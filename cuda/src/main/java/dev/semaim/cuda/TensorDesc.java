package dev.semaim.cuda;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * The {@code Desc} kernel parameter of common.cuh: 18 ints {rank, offset, shape[8], strides[8]} in
 * elements. {@link #coalesced} merges adjacent axes wherever every operand allows (and drops size-1
 * axes), so contiguous operands become rank 1 and kernels spend less on index arithmetic.
 */
final class TensorDesc {
    static final int MAX_RANK = 8;

    private TensorDesc() {}

    static int[] pack(int[] shape, int[] strides, int offset, String what) {
        if (shape.length > MAX_RANK)
            throw new IllegalArgumentException("cuda: " + what + " has rank " + shape.length + " " + Shape.str(shape)
                    + " after merging axes; the GPU kernels take at most " + MAX_RANK);
        int[] d = new int[2 + 2 * MAX_RANK];
        d[0] = shape.length;
        d[1] = offset;
        System.arraycopy(shape, 0, d, 2, shape.length);
        System.arraycopy(strides, 0, d, 2 + MAX_RANK, shape.length);
        return d;
    }

    /** The tensor as it is (no merging): for kernels that re-index one axis. */
    static int[] of(Tensor t, String what) {
        return pack(t.shape(), t.strides(), t.offset(), what);
    }

    /**
     * Descs for operands iterated together over {@code shape} (strides[t] per operand, offsets[t]):
     * axes merged where all operands agree, size-1 axes dropped.
     */
    static int[][] coalesced(int[] shape, int[][] strides, int[] offsets, String what) {
        int ops = strides.length, r = shape.length;
        int[] cs = new int[r];
        int[][] cst = new int[ops][r];
        int m = 0;
        for (int a = 0; a < r; a++) {  // left to right, merging axis a into the previous kept one
            if (shape[a] == 1) continue;
            boolean merge = m > 0;
            for (int t = 0; t < ops && merge; t++) merge = cst[t][m - 1] == strides[t][a] * shape[a];
            if (merge) {
                cs[m - 1] *= shape[a];
                for (int t = 0; t < ops; t++) cst[t][m - 1] = strides[t][a];
            } else {
                cs[m] = shape[a];
                for (int t = 0; t < ops; t++) cst[t][m] = strides[t][a];
                m++;
            }
        }
        int[][] out = new int[ops][];
        for (int t = 0; t < ops; t++)
            out[t] = pack(java.util.Arrays.copyOf(cs, m), java.util.Arrays.copyOf(cst[t], m), offsets[t], what);
        return out;
    }

    /** Descs of equal-shaped tensors iterated together (elementwise kernels). */
    static int[][] coalesced(String what, Tensor... ts) {
        int[][] st = new int[ts.length][];
        int[] off = new int[ts.length];
        for (int t = 0; t < ts.length; t++) {
            st[t] = ts[t].strides();
            off[t] = ts[t].offset();
        }
        return coalesced(ts[0].shape(), st, off, what);
    }

    /** The shape without one axis. */
    static int[] drop(int[] a, int axis) {
        int[] out = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) if (i != axis) out[j++] = a[i];
        return out;
    }
}
