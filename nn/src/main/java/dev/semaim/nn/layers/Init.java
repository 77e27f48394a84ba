package dev.semaim.nn.layers;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * Parameter initialisers (spec §2.7). Each replaces the parameter's value with a fresh tensor of the
 * same shape and dtype, drawn from {@code rng}.
 */
public final class Init {
    private Init() {}

    /**
     * Xavier (Glorot) uniform U(±sqrt(6 / (fanIn + fanOut))) with fanOut = shape[0] and fanIn = the
     * product of the other axes: a Linear weight (out, in), and a conv weight (D, C, P, P) viewed as the
     * matrix (D, C·P·P) — the patch-embedding rule of §2.7 (not torch's 4-D fan, which counts P·P twice).
     */
    public static void xavierUniform(Parameter p, Rng rng) {
        int[] s = p.shape();
        if (s.length < 2) throw new IllegalArgumentException("xavierUniform: parameter of shape " + Shape.str(s) + " needs at least 2 axes");
        int fanOut = s[0], fanIn = p.numel() / fanOut;
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        uniform(p, rng, -bound, bound);
    }

    public static void uniform(Parameter p, Rng rng, double lo, double hi) {
        p.set(Tensor.random(rng, RandomKind.UNIFORM, lo, hi, p.data().dtype(), p.shape()));
    }

    /** Plain (untruncated) Normal(0, std): the cls token. */
    public static void normal(Parameter p, Rng rng, double std) {
        p.set(Tensor.random(rng, RandomKind.NORMAL, 0, std, p.data().dtype(), p.shape()));
    }

    /** timm's trunc_normal_(std, a=-cut, b=cut): Normal(0, std) truncated at ±cut ABSOLUTE (not ±cut·std). */
    public static void truncNormal(Parameter p, Rng rng, double std, double cut) {
        p.set(Tensor.random(rng, RandomKind.TRUNC_NORMAL, std, cut, p.data().dtype(), p.shape()));
    }

    /** timm's default trunc_normal_(std) with the cut at ±2. */
    public static void truncNormal(Parameter p, Rng rng, double std) {
        truncNormal(p, rng, std, 2.0);
    }

    public static void zeros(Parameter p) {
        p.set(Tensor.zeros(p.data().dtype(), p.shape()));
    }

    public static void ones(Parameter p) {
        p.set(Tensor.ones(p.data().dtype(), p.shape()));
    }

    /** PyTorch's default Conv2d bias: U(±1/sqrt(fanIn)), fanIn = C·k·k of the weight. */
    public static void convDefaultBias(Parameter bias, Rng rng, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        uniform(bias, rng, -bound, bound);
    }
}
