package dev.semaim.nn.layers;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * Float64 finite-difference gradients of every layer with respect to its input and all of its
 * parameters, over seeded random sizes (batch and token counts of 1 included). Inputs reach the layer
 * as non-contiguous views (the leaf is stored (T, B, D) and permuted), attention masks as additive
 * 0/−inf tensors with size-1 axes that broadcast over heads and, sometimes, the batch.
 */
class LayersGradTest {
    static final int CASES = 6, ENTRIES = 1_000;

    /** A leaf stored (T, B, D); the layer sees the permuted (B, T, D) view. */
    private static Var input(Gen gen, int b, int t, int d) {
        return Var.leaf(gen.uniform(DType.F64, new int[] {t, b, d}, -1, 1), true);
    }

    private static Map<String, Var> leaves(Module m, Var x) {
        Map<String, Var> l = ModuleGradCheck.parameters(m);
        if (x != null) l.put("input", x);
        return l;
    }

    /** Random parameters (not the structured init) so every term is exercised. */
    private static <M extends Module> M randomised(M m, Gen gen) {
        ModuleGradCheck.toF64(m);
        m.trainableParameters().values().forEach(p -> p.set(gen.uniform(DType.F64, p.shape(), -0.7, 0.7)));
        return m;
    }

    /** (B or 1, 1, Tq, Tk) additive mask; column 0 stays open so no row is fully blocked. */
    static Tensor mask(Gen gen, int b, int tq, int tk) {
        int mb = gen.nextBoolean() ? b : 1;
        double[] v = new double[mb * tq * tk];
        for (int i = 0; i < v.length; i++) v[i] = (i % tk) != 0 && gen.uniform(0, 1) < 0.4 ? Double.NEGATIVE_INFINITY : 0;
        return Tensor.of(v, mb, 1, tq, tk);
    }

    @Test
    void linear() {
        Cases.run("Linear", CASES, gen -> {
            int b = gen.nextInt(1, 3), t = gen.nextInt(1, 3), in = gen.nextInt(1, 4), out = gen.nextInt(1, 4);
            Linear m = randomised(new Linear(in, out, gen.nextBoolean()), gen);
            Var x = input(gen, b, t, in);
            ModuleGradCheck.check("Linear", gen, () -> m.forward(x.permute(1, 0, 2)), leaves(m, x), ENTRIES);
        });
    }

    @Test
    void layerNorm() {
        Cases.run("LayerNorm", CASES, gen -> {
            int b = gen.nextInt(1, 3), t = gen.nextInt(1, 3), d = gen.nextInt(2, 5);
            LayerNorm m = randomised(new LayerNorm(d, gen.pick(1e-6, 1e-5)), gen);
            Var x = input(gen, b, t, d);
            ModuleGradCheck.check("LayerNorm", gen, () -> m.forward(x.permute(1, 0, 2)), leaves(m, x), ENTRIES);
        });
    }

    @Test
    void mlp() {
        Cases.run("Mlp", CASES, gen -> {
            int b = gen.nextInt(1, 2), t = gen.nextInt(1, 3), d = gen.nextInt(1, 3);
            Mlp m = randomised(new Mlp(d, gen.nextInt(1, 5), gen.nextInt(1, 3)), gen);
            Var x = input(gen, b, t, d);
            ModuleGradCheck.check("Mlp", gen, () -> m.forward(x.permute(1, 0, 2)), leaves(m, x), ENTRIES);
        });
    }

    @Test
    void attentionWithMask() {
        Cases.run("Attention", CASES, gen -> {
            int b = gen.nextInt(1, 2), t = gen.nextInt(1, 4), heads = gen.nextInt(1, 2), d = heads * gen.nextInt(1, 3);
            Attention m = randomised(new Attention(d, heads), gen);
            Var x = input(gen, b, t, d);
            Tensor mask = gen.nextBoolean() ? mask(gen, b, t, t) : null;
            ModuleGradCheck.check("Attention", gen, () -> m.forward(x.permute(1, 0, 2), mask), leaves(m, x), ENTRIES);
        });
    }

    @Test
    void crossAttentionWithDifferentTokenCounts() {
        Cases.run("CrossAttention", CASES, gen -> {
            int b = gen.nextInt(1, 2), tq = gen.nextInt(1, 3), tk = gen.nextInt(1, 4), heads = gen.nextInt(1, 2), d = heads * gen.nextInt(1, 3);
            CrossAttention m = randomised(new CrossAttention(d, heads), gen);
            Var q = input(gen, b, tq, d), c = input(gen, b, tk, d);
            Tensor mask = mask(gen, b, tq, tk);
            Map<String, Var> l = leaves(m, q);
            l.put("content", c);
            ModuleGradCheck.check("CrossAttention", gen, () -> m.forward(q.permute(1, 0, 2), c.permute(1, 0, 2), mask), l, ENTRIES);
        });
    }

    @Test
    void block() {
        Cases.run("Block", CASES, gen -> {
            int b = gen.nextInt(1, 2), t = gen.nextInt(1, 3), heads = gen.nextInt(1, 2), d = heads * gen.nextInt(1, 2);
            Block m = randomised(new Block(d, heads, gen.pick(1.0, 2.0), 0, null), gen);
            Var x = input(gen, b, t, d);
            Tensor mask = gen.nextBoolean() ? mask(gen, b, t, t) : null;
            ModuleGradCheck.check("Block", gen, () -> m.forward(x.permute(1, 0, 2), mask), leaves(m, x), ENTRIES);
        });
    }

    @Test
    void queryBlockWithSharedNorm() {
        Cases.run("QueryBlock", CASES, gen -> {
            int b = gen.nextInt(1, 2), tq = gen.nextInt(1, 3), tk = gen.nextInt(1, 3), heads = gen.nextInt(1, 2), d = heads * gen.nextInt(1, 2);
            QueryBlock m = randomised(new QueryBlock(d, heads, 2.0, 0, null), gen);
            Var g = input(gen, b, tq, d), h = input(gen, b, tk, d);
            Tensor mask = mask(gen, b, tq, tk);
            Map<String, Var> l = leaves(m, g);
            l.put("content", h);
            ModuleGradCheck.check("QueryBlock", gen, () -> m.forward(g.permute(1, 0, 2), h.permute(1, 0, 2), mask), l, ENTRIES);
        });
    }

    @Test
    void patchEmbed() {
        Cases.run("PatchEmbed", CASES, gen -> {
            int p = gen.nextInt(1, 3), g = gen.nextInt(1, 3), c = gen.nextInt(1, 3), d = gen.nextInt(1, 4);
            PatchEmbed m = randomised(new PatchEmbed(p * g, p, c, d), gen);
            m.init(new Rng(gen.seed));
            ModuleGradCheck.toF64(m);
            Tensor images = gen.uniform(DType.F64, new int[] {gen.nextInt(1, 2), c, p * g, p * g}, -1, 1);
            ModuleGradCheck.check("PatchEmbed", gen, () -> m.forward(images), leaves(m, null), ENTRIES);
        });
    }
}
