package dev.semaim.nn.layers;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Var;
import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Float64 finite-difference check of a module's gradients: for out = f() and random weights w, the
 * autograd gradient of L = Σ out·w with respect to named leaves (module parameters and inputs) is
 * compared, on randomly chosen entries of each leaf, with the central difference
 * (L(x + h) − L(x − h)) / 2h, with {@link GradCheck}'s step and tolerance. A failure prints the seed,
 * the leaf name and shape, the entry, both values and their difference.
 */
public final class ModuleGradCheck {
    private ModuleGradCheck() {}

    /** Every parameter, frozen value and buffer of m converted in place to contiguous float64. */
    public static void toF64(Module m) {
        for (Parameter p : m.namedParameters().values()) p.set(p.data().to(DType.F64).copy());
    }

    /** The trainable parameters of m as leaves named by their keys. */
    public static Map<String, Var> parameters(Module m) {
        Map<String, Var> out = new LinkedHashMap<>();
        m.trainableParameters().forEach((k, p) -> out.put(k, p.var()));
        return out;
    }

    /** Checks up to {@code entries} random entries (all when fewer) of every leaf; leaves must be float64 (any strided, non-expanded layout). */
    public static void check(String what, Gen gen, Supplier<Var> f, Map<String, Var> leaves, int entries) {
        for (Var v : leaves.values()) v.zeroGrad();
        Var out = f.get();
        double[] w = gen.values(out.data().numel(), -1, 1);
        out.backward(Tensor.of(w, out.shape()).to(out.dtype()));
        for (Map.Entry<String, Var> e : leaves.entrySet()) {
            Tensor x = e.getValue().data();
            if (x.dtype() != DType.F64) throw new IllegalArgumentException(what + ": leaf " + e.getKey() + " is not float64: " + x);
            for (int a = 0; a < x.rank(); a++)
                if (x.stride(a) == 0 && x.size(a) > 1) throw new IllegalArgumentException(what + ": leaf " + e.getKey() + " is an expanded view");
            Tensor grad = e.getValue().grad();
            double[] analytic = grad == null ? new double[x.numel()] : grad.toDoubleArray();
            int n = Math.min(entries, x.numel());
            for (int i = 0; i < n; i++) {
                int k = entries >= x.numel() ? i : gen.nextInt(0, x.numel() - 1);
                Tensor element = x;
                for (int a = x.rank() - 1, rest = k; a >= 0; rest /= x.size(a), a--) element = element.narrow(a, rest % x.size(a), 1);
                double orig = element.item();
                element.fillInPlace(orig + GradCheck.H);
                double up = loss(f, w);
                element.fillInPlace(orig - GradCheck.H);
                double down = loss(f, w);
                element.fillInPlace(orig);
                double numeric = (up - down) / (2 * GradCheck.H), diff = Math.abs(numeric - analytic[k]);
                if (!(diff <= GradCheck.TOL * (1 + Math.max(Math.abs(numeric), Math.abs(analytic[k])))))
                    throw new AssertionError(what + ": gradient of " + e.getKey() + " " + Shape.str(x.shape()) + " is off at flat index " + k
                            + ": autograd " + analytic[k] + ", finite difference " + numeric + ", difference " + diff + "; seed " + gen.seed);
            }
        }
    }

    private static double loss(Supplier<Var> f, double[] w) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            double[] y = f.get().data().toDoubleArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) sum += y[i] * w[i];
            return sum;
        }
    }
}
