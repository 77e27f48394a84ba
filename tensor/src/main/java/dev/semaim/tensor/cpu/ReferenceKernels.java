package dev.semaim.tensor.cpu;

import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.Philox;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;

/**
 * Plain scalar kernels for every backend primitive, in double precision for every dtype. They define
 * what the fast kernels must compute: tests compare the two, float64 gradient checks run on these, and
 * {@code -Dsemaim.reference=true} routes all work here. Written for clarity, not speed.
 */
final class ReferenceKernels {
    private ReferenceKernels() {}

    static CpuStorage st(Tensor t) {
        return (CpuStorage) t.storage();
    }

    static void copy(Tensor src, Tensor dst) {
        Strided s = new Strided(src, dst);
        CpuStorage a = st(src), o = st(dst);
        boolean exactLong = !src.dtype().floating && !dst.dtype().floating;
        for (int r = 0; r < s.rows; r++)
            for (int j = 0, ia = s.rowBase[0][r], io = s.rowBase[1][r]; j < s.n; j++, ia += s.inner[0], io += s.inner[1]) {
                if (exactLong && o.l != null) o.l[io] = a.getLong(ia);
                else o.set(io, a.get(ia));
            }
    }

    static void fill(Tensor dst, double v) {
        Strided s = new Strided(dst);
        CpuStorage o = st(dst);
        for (int r = 0; r < s.rows; r++)
            for (int j = 0, io = s.rowBase[0][r]; j < s.n; j++, io += s.inner[0]) o.set(io, v);
    }

    static void unary(UnaryOp op, Tensor x, Tensor out, double lo, double hi) {
        Strided s = new Strided(x, out);
        CpuStorage a = st(x), o = st(out);
        for (int r = 0; r < s.rows; r++)
            for (int j = 0, ia = s.rowBase[0][r], io = s.rowBase[1][r]; j < s.n; j++, ia += s.inner[0], io += s.inner[1])
                o.set(io, op.apply(a.get(ia), lo, hi));
    }

    static void binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        Strided s = new Strided(x, y, out);
        CpuStorage a = st(x), b = st(y), o = st(out);
        for (int r = 0; r < s.rows; r++)
            for (int j = 0, ia = s.rowBase[0][r], ib = s.rowBase[1][r], io = s.rowBase[2][r]; j < s.n;
                 j++, ia += s.inner[0], ib += s.inner[1], io += s.inner[2])
                o.set(io, op.apply(a.get(ia), b.get(ib)));
    }

    static void where(Tensor cond, Tensor x, Tensor y, Tensor out) {
        Strided s = new Strided(cond, x, y, out);
        CpuStorage c = st(cond), a = st(x), b = st(y), o = st(out);
        for (int r = 0; r < s.rows; r++)
            for (int j = 0, ic = s.rowBase[0][r], ia = s.rowBase[1][r], ib = s.rowBase[2][r], io = s.rowBase[3][r]; j < s.n;
                 j++, ic += s.inner[0], ia += s.inner[1], ib += s.inner[2], io += s.inner[3])
                o.set(io, c.get(ic) != 0 ? a.get(ia) : b.get(ib));
    }

    static void reduce(ReduceOp op, Tensor x, Tensor outExpanded) {
        int[] xo = Strided.offsets(x), oo = Strided.offsets(outExpanded);
        CpuStorage a = st(x), o = st(outExpanded);
        double[] acc = new double[o.size()];
        java.util.Arrays.fill(acc, op.identity());
        for (int k = 0; k < xo.length; k++) acc[oo[k]] = op.combine(acc[oo[k]], a.get(xo[k]));
        for (int k = 0; k < oo.length; k++) o.set(oo[k], acc[oo[k]]);
    }

    /** Σ x² in float64, element by element in row-major order. */
    static double sumOfSquares(Tensor x) {
        double sum = 0;
        for (double v : x.toDoubleArray()) sum += v * v;
        return sum;
    }

    static void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        // axis moved last with the other axes in order, so row r of xl is element r of out
        int[] perm = new int[x.rank()];
        for (int a = 0, j = 0; a < x.rank(); a++) if (a != axis) perm[j++] = a;
        perm[x.rank() - 1] = axis;
        Tensor xl = x.permute(perm);
        int n = xl.size(-1);
        int[] xo = Strided.offsets(xl), oo = Strided.offsets(out);
        CpuStorage a = st(x), o = st(out);
        for (int r = 0; r < oo.length; r++) {
            int best = 0;
            double bv = a.get(xo[r * n]);
            for (int j = 1; j < n; j++) {
                double v = a.get(xo[r * n + j]);
                if (Double.isNaN(bv)) break;
                if (Double.isNaN(v) || (max ? v > bv : v < bv)) {
                    bv = v;
                    best = j;
                }
            }
            o.set(oo[r], best);
        }
    }

    static void matmul(Tensor x, Tensor y, Tensor out) {
        // batch axes are equal in all three; loop them with the odometer of the output's batch view
        int m = x.size(-2), k = x.size(-1), n = y.size(-1);
        CpuStorage a = st(x), b = st(y), o = st(out);
        int[] xb = batchOffsets(x), yb = batchOffsets(y), ob = batchOffsets(out);
        int xs0 = x.stride(-2), xs1 = x.stride(-1), ys0 = y.stride(-2), ys1 = y.stride(-1), os0 = out.stride(-2), os1 = out.stride(-1);
        for (int bi = 0; bi < ob.length; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a.get(xb[bi] + i * xs0 + p * xs1) * b.get(yb[bi] + p * ys0 + j * ys1);
                    o.set(ob[bi] + i * os0 + j * os1, s);
                }
    }

    /** Storage offset of each matrix of a (..., R, C) tensor, in row-major order of the batch axes (R or C may be 0). */
    static int[] batchOffsets(Tensor t) {
        int axes = t.rank() - 2, count = 1;
        for (int i = 0; i < axes; i++) count *= t.size(i);
        int[] out = new int[count];
        for (int item = 0; item < count; item++) {
            int off = t.offset();
            for (int i = axes - 1, rest = item; i >= 0; rest /= t.size(i), i--) off += rest % t.size(i) * t.stride(i);
            out[item] = off;
        }
        return out;
    }

    static void softmax(Tensor x, int axis, boolean log, Tensor out) {
        Tensor xl = x.transpose(axis, x.rank() - 1), ol = out.transpose(axis, x.rank() - 1);
        int n = xl.size(-1);
        int[] xo = Strided.offsets(xl), oo = Strided.offsets(ol);
        CpuStorage a = st(x), o = st(out);
        for (int r = 0; r < xo.length / Math.max(n, 1); r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, a.get(xo[r * n + j]));
            double sum = 0;
            for (int j = 0; j < n; j++) sum += Math.exp(a.get(xo[r * n + j]) - max);
            for (int j = 0; j < n; j++) {
                double z = a.get(xo[r * n + j]) - max;
                o.set(oo[r * n + j], log ? z - Math.log(sum) : Math.exp(z) / sum);
            }
        }
    }

    static void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        int last = y.rank() - 1;
        Tensor yl = y.transpose(axis, last), gl = dy.transpose(axis, last), dl = dx.transpose(axis, last);
        int n = yl.size(-1);
        int[] yo = Strided.offsets(yl), go = Strided.offsets(gl), dO = Strided.offsets(dl);
        CpuStorage ys = st(y), gs = st(dy), ds = st(dx);
        for (int r = 0; r < yo.length / Math.max(n, 1); r++) {
            double dot = 0;
            for (int j = 0; j < n; j++) dot += log ? gs.get(go[r * n + j]) : gs.get(go[r * n + j]) * ys.get(yo[r * n + j]);
            for (int j = 0; j < n; j++) {
                double yv = ys.get(yo[r * n + j]), g = gs.get(go[r * n + j]);
                // softmax: dx = y (g - Σ g y); log-softmax: dx = g - exp(y) Σ g
                ds.set(dO[r * n + j], log ? g - Math.exp(yv) * dot : yv * (g - dot));
            }
        }
    }

    static void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int d = x.size(-1);
        int[] xo = Strided.offsets(x), oo = Strided.offsets(out), mo = Strided.offsets(mean), ro = Strided.offsets(rstd);
        int[] wo = w == null ? null : Strided.offsets(w), bo = b == null ? null : Strided.offsets(b);
        CpuStorage xs = st(x), os = st(out), ms = st(mean), rs = st(rstd);
        for (int r = 0; r < mo.length; r++) {
            double mu = 0;
            for (int j = 0; j < d; j++) mu += xs.get(xo[r * d + j]);
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = xs.get(xo[r * d + j]) - mu;
                var += c * c;
            }
            double inv = 1.0 / Math.sqrt(var / d + eps);
            ms.set(mo[r], mu);
            rs.set(ro[r], inv);
            for (int j = 0; j < d; j++) {
                double v = (xs.get(xo[r * d + j]) - mu) * inv;
                if (w != null) v *= st(w).get(wo[j]);
                if (b != null) v += st(b).get(bo[j]);
                os.set(oo[r * d + j], v);
            }
        }
    }

    static void layerNormBackward(Tensor dy, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dx, Tensor dw, Tensor db) {
        int d = x.size(-1);
        int[] go = Strided.offsets(dy), xo = Strided.offsets(x), dO = Strided.offsets(dx);
        int[] mo = Strided.offsets(mean), ro = Strided.offsets(rstd);
        int[] wo = w == null ? null : Strided.offsets(w);
        int[] dwo = dw == null ? null : Strided.offsets(dw), dbo = db == null ? null : Strided.offsets(db);
        CpuStorage gs = st(dy), xs = st(x), ds = st(dx), ms = st(mean), rs = st(rstd);
        for (int r = 0; r < mo.length; r++) {
            double mu = ms.get(mo[r]), inv = rs.get(ro[r]);
            // with xhat = (x - mu) inv and gh = g·w: dx = inv (gh - mean(gh) - xhat mean(gh xhat))
            double sumG = 0, sumGX = 0;
            for (int j = 0; j < d; j++) {
                double xh = (xs.get(xo[r * d + j]) - mu) * inv;
                double g = gs.get(go[r * d + j]) * (w == null ? 1 : st(w).get(wo[j]));
                sumG += g;
                sumGX += g * xh;
            }
            for (int j = 0; j < d; j++) {
                double xh = (xs.get(xo[r * d + j]) - mu) * inv;
                double gRaw = gs.get(go[r * d + j]);
                double g = gRaw * (w == null ? 1 : st(w).get(wo[j]));
                ds.set(dO[r * d + j], inv * (g - sumG / d - xh * sumGX / d));
                if (dw != null) st(dw).set(dwo[j], st(dw).get(dwo[j]) + gRaw * xh);
                if (db != null) st(db).set(dbo[j], st(db).get(dbo[j]) + gRaw);
            }
        }
    }

    static void indexSelect(Tensor x, int axis, Tensor index, Tensor out) {
        CpuStorage idx = st(index);
        int[] io = Strided.offsets(index);
        for (int j = 0; j < io.length; j++) {
            int src = checkIndex("indexSelect", idx.getLong(io[j]), x.size(axis));
            copy(x.narrow(axis, src, 1), out.narrow(axis, j, 1));
        }
    }

    static void indexAdd(Tensor out, int axis, Tensor index, Tensor src) {
        CpuStorage idx = st(index);
        int[] io = Strided.offsets(index);
        for (int j = 0; j < io.length; j++) {
            Tensor dst = out.narrow(axis, checkIndex("indexAdd", idx.getLong(io[j]), out.size(axis)), 1);
            binary(BinaryOp.ADD, dst, src.narrow(axis, j, 1), dst);
        }
    }

    static void gather(Tensor x, int axis, Tensor index, Tensor out) {
        int[] io = Strided.offsets(index), oo = Strided.offsets(out);
        CpuStorage is = st(index), xs = st(x), os = st(out);
        int[] shape = index.shape(), idx = new int[shape.length];
        for (int k = 0; k < io.length; k++) {
            int off = x.offset();
            for (int a = 0; a < shape.length; a++) {
                int i = a == axis ? checkIndex("gather", is.getLong(io[k]), x.size(axis)) : idx[a];
                off += i * x.stride(a);
            }
            os.set(oo[k], xs.get(off));
            increment(idx, shape);
        }
    }

    static void scatterAdd(Tensor out, int axis, Tensor index, Tensor src) {
        int[] io = Strided.offsets(index), so = Strided.offsets(leading(src, index.shape()));
        CpuStorage is = st(index), ss = st(src), os = st(out);
        int[] shape = index.shape(), idx = new int[shape.length];
        for (int k = 0; k < io.length; k++) {
            int off = out.offset();
            for (int a = 0; a < shape.length; a++) {
                int i = a == axis ? checkIndex("scatterAdd", is.getLong(io[k]), out.size(axis)) : idx[a];
                off += i * out.stride(a);
            }
            os.set(off, os.get(off) + ss.get(so[k]));
            increment(idx, shape);
        }
    }

    /** The leading corner of t with the given (smaller or equal) shape, as torch's scatter reads src. */
    private static Tensor leading(Tensor t, int[] shape) {
        for (int a = 0; a < shape.length; a++) t = t.narrow(a, 0, shape[a]);
        return t;
    }

    private static void increment(int[] idx, int[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++idx[a] < shape[a]) return;
            idx[a] = 0;
        }
    }

    static int checkIndex(String op, long i, int size) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(op + ": index " + i + " out of range for axis of size " + size);
        return (int) i;
    }

    static void depthwiseConv2d(Tensor x, Tensor w, int pad, Tensor out) {
        int bsz = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), k = w.size(2), ho = out.size(2), wo = out.size(3);
        CpuStorage xs = st(x), ws = st(w), os = st(out);
        for (int b = 0; b < bsz; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        double s = 0;
                        for (int u = 0; u < k; u++)
                            for (int v = 0; v < k; v++) {
                                int yi = i + u - pad, xj = j + v - pad;
                                if (yi < 0 || yi >= h || xj < 0 || xj >= wd) continue;
                                s += xs.get(x.offset() + b * x.stride(0) + ch * x.stride(1) + yi * x.stride(2) + xj * x.stride(3))
                                        * ws.get(w.offset() + ch * w.stride(0) + u * w.stride(2) + v * w.stride(3));
                            }
                        os.set(out.offset() + b * out.stride(0) + ch * out.stride(1) + i * out.stride(2) + j * out.stride(3), s);
                    }
    }

    static void random(Tensor out, RandomKind kind, long seed, long counter, double a, double b) {
        int[] oo = Strided.offsets(out);
        CpuStorage o = st(out);
        for (int k = 0; k < oo.length; k++) o.set(oo[k], Philox.sample(kind, seed, counter + k, a, b));
    }

    static void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double b1, double b2, double eps,
                      double wd, double bc1, double bc2) {
        int[] po = Strided.offsets(p), go = Strided.offsets(g), mo = Strided.offsets(m), vo = Strided.offsets(v);
        CpuStorage ps = st(p), gs = st(g), ms = st(m), vs = st(v);
        for (int k = 0; k < po.length; k++) {
            double gv = gs.get(go[k]);
            double pv = ps.get(po[k]) * (1 - lr * wd);
            double mv = b1 * ms.get(mo[k]) + (1 - b1) * gv;
            double vv = b2 * vs.get(vo[k]) + (1 - b2) * gv * gv;
            ms.set(mo[k], mv);
            vs.set(vo[k], vv);
            ps.set(po[k], pv - (lr / bc1) * mv / (Math.sqrt(vv) / Math.sqrt(bc2) + eps));
        }
    }
}
