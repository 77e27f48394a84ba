package dev.semaim.tensor.testing;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.util.Arrays;

/**
 * The seeded generator of the property tests: random shapes (broadcast partners, size-1 axes), random
 * values (kept away from the kinks of non-smooth functions) and random memory layouts of the same
 * values (permuted storage, narrowed from a NaN-padded buffer). One seed fixes everything a case
 * draws, so a failure reproduces from the seed its message prints.
 *
 * <p>Shared with other modules through the tensor test-jar (dependency with
 * {@code <type>test-jar</type><scope>test</scope>}).
 */
public final class Gen {
    public final long seed;
    private final Rng rng;

    public Gen(long seed) {
        this.seed = seed;
        this.rng = new Rng(seed);
    }

    /** Uniform int in [lo, hi] (both inclusive). */
    public int nextInt(int lo, int hi) {
        return lo + rng.nextInt(hi - lo + 1);
    }

    public boolean nextBoolean() {
        return rng.nextDouble() < 0.5;
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** One element of the given choices. */
    public int pick(int... choices) {
        return choices[rng.nextInt(choices.length)];
    }

    public double pick(double... choices) {
        return choices[rng.nextInt(choices.length)];
    }

    /** A shape of rank in [minRank, maxRank] with sizes in [1, maxSize]; about one axis in four has size 1. */
    public int[] shape(int minRank, int maxRank, int maxSize) {
        int[] s = new int[nextInt(minRank, maxRank)];
        for (int i = 0; i < s.length; i++) s[i] = rng.nextDouble() < 0.25 ? 1 : nextInt(1, maxSize);
        return s;
    }

    /**
     * A shape that broadcasts with {@code s} to exactly {@code s}: some leading axes dropped, some axes
     * set to 1.
     */
    public int[] broadcastPartner(int[] s) {
        int drop = nextInt(0, s.length);
        int[] p = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < p.length; i++) if (rng.nextDouble() < 0.3) p[i] = 1;
        return p;
    }

    /** Two shapes that broadcast together, either one possibly the smaller. */
    public int[][] broadcastPair(int maxRank, int maxSize) {
        int[] full = shape(0, maxRank, maxSize);
        int[] a = full, b = broadcastPartner(full);
        return nextBoolean() ? new int[][] {a, b} : new int[][] {b, a};
    }

    /** A random permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A random subset of the axes 0..rank-1 (maybe empty), in increasing order. */
    public int[] axes(int rank) {
        return Arrays.stream(permutation(rank)).limit(nextInt(0, rank)).sorted().toArray();
    }

    /** Values uniform in [lo, hi). */
    public double[] values(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = uniform(lo, hi);
        return v;
    }

    /** Values uniform in [lo, hi) at least {@code margin} away from every kink. */
    public double[] valuesAvoiding(int n, double lo, double hi, double margin, double... kinks) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            do x = uniform(lo, hi); while (near(x, margin, kinks));
            v[i] = x;
        }
        return v;
    }

    private static boolean near(double x, double margin, double[] kinks) {
        for (double k : kinks) if (Math.abs(x - k) < margin) return true;
        return false;
    }

    /** A contiguous tensor of the given values and shape in a dtype. */
    public static Tensor tensor(double[] values, DType dtype, int... shape) {
        return Tensor.of(values, shape).to(dtype);
    }

    /** Uniform values in [lo, hi) as a tensor in a random layout. */
    public Tensor uniform(DType dtype, int[] shape, double lo, double hi) {
        return layout(tensor(values(Shape.numel(shape), lo, hi), dtype, shape));
    }

    /** Values uniform in [lo, hi) at least margin away from every kink, as a tensor in a random layout. */
    public Tensor uniformAvoiding(DType dtype, int[] shape, double lo, double hi, double margin, double... kinks) {
        return layout(tensor(valuesAvoiding(Shape.numel(shape), lo, hi, margin, kinks), dtype, shape));
    }

    /** A 1-D I32 or I64 (chosen at random) index tensor of n values in [0, bound). */
    public Tensor index(int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(bound);
        return Tensor.of(v, n).to(nextBoolean() ? DType.I32 : DType.I64);
    }

    /** An I64 tensor of the given shape with values in [0, bound). */
    public Tensor indices(int[] shape, int bound) {
        long[] v = new long[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(bound);
        return Tensor.of(v, shape);
    }

    /** How {@link #layout} stored a tensor. */
    public enum Layout { CONTIGUOUS, PERMUTED, NARROWED, PERMUTED_NARROWED }

    /** The same values as x in a random layout (see {@link #layout(Tensor, Layout)}). */
    public Tensor layout(Tensor x) {
        return layout(x, Layout.values()[rng.nextInt(Layout.values().length)]);
    }

    /**
     * The same values as x (contiguous) stored another way: PERMUTED keeps them in a storage ordered
     * by a random permutation of the axes, so the view has non-row-major strides; NARROWED places them
     * inside a larger buffer whose other elements are NaN (a kernel that reads outside its view shows
     * it), giving row strides larger than the row and a nonzero offset.
     */
    public Tensor layout(Tensor x, Layout layout) {
        switch (layout) {
            case CONTIGUOUS: return x.contiguous();
            case NARROWED: return narrowed(x);
            default: {
                // store the axes in a random order (then maybe inside a padded buffer), view them back
                int[] p = permutation(x.rank()), inverse = new int[p.length];
                for (int i = 0; i < p.length; i++) inverse[p[i]] = i;
                Tensor stored = x.permute(p).contiguous();
                if (layout == Layout.PERMUTED_NARROWED) stored = narrowed(stored);
                return stored.permute(inverse);
            }
        }
    }

    private Tensor narrowed(Tensor x) {
        int[] shape = x.shape(), big = shape.clone(), start = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            start[i] = nextInt(0, 2);
            big[i] = shape[i] + start[i] + nextInt(0, 2);
        }
        Tensor buffer = Tensor.full(Double.NaN, x.dtype(), x.backend(), big);
        Tensor view = buffer;
        for (int i = 0; i < shape.length; i++) view = view.narrow(i, start[i], shape[i]);
        return view.copyFrom(x);
    }

    /** "shape (2, 3) strides (1, 2) offset 4" for failure messages. */
    public static String describe(Tensor t) {
        return t.dtype() + " shape " + Shape.str(t.shape()) + " strides " + Shape.str(t.strides()) + " offset " + t.offset();
    }
}
