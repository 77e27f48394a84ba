package dev.semaim.tensor;

import java.util.Arrays;

/** Static helpers over shapes ({@code int[]} of sizes) and strides. */
public final class Shape {
    private Shape() {}

    /** Number of elements of a shape; 1 for the scalar shape {@code []}. */
    public static int numel(int[] shape) {
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + str(shape));
            if (s == 0) return 0;
        }
        long n = 1;
        for (int s : shape) {
            n *= s; // checked at every step: four sizes of 65536 multiply to 2^64, which a long wraps to 0
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** The NumPy broadcast of two shapes, or an exception naming {@code op} and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises a possibly negative axis against a rank, or throws naming the op. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
        return a;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    public static int[] of(int... sizes) {
        return sizes;
    }
}
