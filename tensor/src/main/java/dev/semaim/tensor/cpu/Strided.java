package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Tensor;

/**
 * Iteration over equal-shaped strided tensors as rows: the shape is coalesced (adjacent axes merged
 * wherever every operand allows), then each operand gets the storage offset of every row's first
 * element and a stride along the row. Kernels loop rows (in parallel) and run a tight inner loop.
 */
final class Strided {
    /** Elements per row. */
    final int n;
    /** Number of rows. */
    final int rows;
    /** rowBase[t][r]: storage offset of row r's first element in operand t. */
    final int[][] rowBase;
    /** inner[t]: stride of operand t along a row. */
    final int[] inner;

    /** Longest row {@link #elementwise} keeps: shorter rows let a contiguous tensor spread over the threads. */
    private static final int MAX_ROW = 1 << 14;

    Strided(Tensor... ts) {
        this(false, ts);
    }

    /**
     * For element-wise kernels, where rows are independent: as the constructor, but an innermost run
     * longer than {@link #MAX_ROW} is cut into equal rows where its length allows (a contiguous tensor
     * otherwise coalesces into one row, which {@link CpuThreads} cannot split). Not for reductions: their
     * rows may share an output element.
     */
    static Strided elementwise(Tensor... ts) {
        return new Strided(true, ts);
    }

    private Strided(boolean splitLongRows, Tensor... ts) {
        int[] shape = ts[0].shape();
        int[][] st = new int[ts.length][];
        for (int t = 0; t < ts.length; t++) st[t] = ts[t].strides();
        // coalesce axes from the right
        int r = shape.length;
        int[] cs = new int[Math.max(r, 1)];
        int[][] cst = new int[ts.length][Math.max(r, 1)];
        int m = 0;
        if (r == 0) {
            cs[0] = 1;
            m = 1;
        }
        for (int a = r - 1; a >= 0; a--) {
            if (shape[a] == 1 && m > 0) continue;
            boolean merge = m > 0;
            for (int t = 0; t < ts.length && merge; t++) merge = st[t][a] == cst[t][m - 1] * cs[m - 1];
            if (merge) {
                cs[m - 1] *= shape[a];
            } else {
                cs[m] = shape[a];
                for (int t = 0; t < ts.length; t++) cst[t][m] = st[t][a];
                m++;
            }
        }
        if (m == 0) { // all axes size 1
            cs[0] = 1;
            m = 1;
        }
        int cut = splitLongRows ? rowCut(cs[0]) : 0;
        if (cut > 0) { // cs[0] = (cs[0] / cut) rows of cut elements: insert the new axis at 1
            cs = insertAxis(cs, m, cs[0] / cut);
            cs[0] = cut;
            for (int t = 0; t < ts.length; t++) cst[t] = insertAxis(cst[t], m, cst[t][0] * cut);
            m++;
        }
        // cs[0] is the innermost coalesced axis
        n = cs[0];
        int rowsL = 1;
        for (int a = 1; a < m; a++) rowsL *= cs[a];
        rows = n == 0 ? 0 : rowsL;
        inner = new int[ts.length];
        rowBase = new int[ts.length][rows];
        for (int t = 0; t < ts.length; t++) {
            inner[t] = cst[t][0];
            int[] idx = new int[m];
            int off = ts[t].offset();
            for (int row = 0; row < rows; row++) {
                rowBase[t][row] = off;
                for (int a = 1; a < m; a++) { // odometer over the outer coalesced axes
                    idx[a]++;
                    off += cst[t][a];
                    if (idx[a] < cs[a]) break;
                    off -= cst[t][a] * cs[a];
                    idx[a] = 0;
                }
            }
        }
    }

    /** A row length that divides n, a multiple of 64 between MAX_ROW / 4 and MAX_ROW, or 0 (n short, or none such). */
    private static int rowCut(int n) {
        if (n <= MAX_ROW) return 0;
        for (int cut = MAX_ROW; cut >= MAX_ROW / 4; cut -= 64) if (n % cut == 0) return cut;
        return 0;
    }

    /** a[0..m) with value v inserted at index 1. */
    private static int[] insertAxis(int[] a, int m, int v) {
        int[] out = new int[m + 1];
        out[0] = a[0];
        out[1] = v;
        System.arraycopy(a, 1, out, 2, m - 1);
        return out;
    }

    /** Storage offsets of every element of t in row-major order (for kernels that need random access). */
    static int[] offsets(Tensor t) {
        Strided s = new Strided(t);
        int[] out = new int[s.rows * s.n];
        for (int r = 0, k = 0; r < s.rows; r++)
            for (int j = 0, o = s.rowBase[0][r]; j < s.n; j++, o += s.inner[0]) out[k++] = o;
        return out;
    }
}
