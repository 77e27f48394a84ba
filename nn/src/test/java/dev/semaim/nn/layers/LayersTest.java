package dev.semaim.nn.layers;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layouts, key names, initialisers and the stochastic layers. */
class LayersTest {
    @Test
    void keyNamesFollowTimm() {
        assertEquals(List.of("norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
                "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"),
                List.copyOf(new Block(8, 2, 4, 0, null).namedParameters().keySet()));
        assertEquals(List.of("norm1.weight", "norm1.bias", "attn.q.weight", "attn.q.bias", "attn.k.weight", "attn.k.bias",
                "attn.v.weight", "attn.v.bias", "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias",
                "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"),
                List.copyOf(new QueryBlock(8, 2, 4, 0, null).namedParameters().keySet()));
        assertEquals(List.of("proj.weight", "proj.bias"), List.copyOf(new PatchEmbed(8, 4, 3, 8).namedParameters().keySet()));
        assertArrayEquals(new int[] {8, 3, 4, 4}, new PatchEmbed(8, 4, 3, 8).proj.weight.shape());
    }

    /** Fused qkv rows [q | k | v] equal separate q, k, v Linears holding those row blocks. */
    @Test
    void fusedQkvLayoutEqualsSeparateProjections() {
        Gen gen = new Gen(5);
        int d = 6, heads = 3;
        Attention fused = new Attention(d, heads);
        CrossAttention split = new CrossAttention(d, heads);
        fused.initXavier(new Rng(1));
        fused.qkv.bias.set(gen.uniform(DType.F32, new int[] {3 * d}, -1, 1));
        Linear[] parts = {split.q, split.k, split.v};
        for (int i = 0; i < 3; i++) {
            parts[i].weight.set(fused.qkv.weight.data().narrow(0, i * d, d).copy());
            parts[i].bias.set(fused.qkv.bias.data().narrow(0, i * d, d).copy());
        }
        split.proj.weight.set(fused.proj.weight.data());
        split.proj.bias.set(gen.uniform(DType.F32, new int[] {d}, -1, 1));
        fused.proj.bias.set(split.proj.bias.data());
        Var x = Var.constant(gen.uniform(DType.F32, new int[] {2, 4, d}, -1, 1));
        Tensor mask = LayersGradTest.mask(gen, 2, 4, 4).to(DType.F32);
        assertArrayEquals(fused.forward(x, mask).data().toFloatArray(), split.forward(x, x, mask).data().toFloatArray(), 1e-6f);
    }

    /** The query block normalises queries and content with the same norm1 parameters. */
    @Test
    void queryBlockSharesNorm1() {
        QueryBlock qb = new QueryBlock(4, 1, 2, 0, null);
        qb.init(new Rng(3));
        Var g = Var.constant(new Gen(1).uniform(DType.F32, new int[] {1, 2, 4}, -1, 1));
        Var h = Var.constant(new Gen(2).uniform(DType.F32, new int[] {1, 3, 4}, -1, 1));
        Tensor before = qb.forward(g, h, null).data();
        qb.norm1.weight.set(Tensor.full(2, DType.F32, qb.norm1.weight.data().backend(), 4));
        Tensor after = qb.forward(g, h, null).data();
        assertTrue(before.sub(after).abs().max(false).item() > 1e-4, "norm1 must act on the content too");
        assertEquals(16, qb.namedParameters().size(), "one norm1, not two");
    }

    @Test
    void initialisers() {
        Rng rng = new Rng(11);
        Parameter w = new Linear(768, 2304).weight;
        Init.xavierUniform(w, rng);
        double bound = Math.sqrt(6.0 / (768 + 2304));
        assertEquals(0.0442, bound, 1e-4);
        float[] v = w.data().toFloatArray();
        double max = 0, sq = 0;
        for (float x : v) { max = Math.max(max, Math.abs(x)); sq += x * x; }
        assertTrue(max <= bound && max > 0.99 * bound, "xavier bound " + max + " vs " + bound);
        assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / v.length), 1e-3);

        PatchEmbed pe = new PatchEmbed(32, 16, 3, 768);
        pe.init(rng);
        assertEquals(0.0625, Math.sqrt(6.0 / (3 * 256 + 768)), 1e-12);
        assertTrue(pe.proj.weight.data().abs().max(false).item() <= 0.0625);
        double biasBound = 1 / Math.sqrt(768);
        double bmax = pe.proj.bias.data().abs().max(false).item();
        assertTrue(bmax <= biasBound && bmax > 0.9 * biasBound, "conv default bias U(±0.0361): max " + bmax);

        Parameter t = new Linear(64, 1000).weight;
        Init.truncNormal(t, rng, 1.0, 2.0);
        assertTrue(t.data().abs().max(false).item() <= 2.0);
        Init.truncNormal(t, rng, 2e-5);
        assertTrue(t.data().abs().max(false).item() < 1e-4);

        Parameter c = new Linear(1, 100_000).weight;
        Init.normal(c, rng, 0.02);
        assertEquals(0.02, Math.sqrt(c.data().to(DType.F64).square().mean().item()), 5e-4);
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(new LayerNorm(4).weight, rng));
    }

    @Test
    void dropPathIsPerSampleAndScaled() {
        DropPath dp = new DropPath(0.5, new Rng(9));
        Var x = Var.constant(Tensor.ones(DType.F32, 64, 3, 2));
        float[] y = dp.forward(x).data().toFloatArray();
        int kept = 0;
        for (int s = 0; s < 64; s++) {
            float first = y[s * 6];
            assertTrue(first == 0f || first == 2f, "kept samples are scaled by 1/keep");
            for (int i = 1; i < 6; i++) assertEquals(first, y[s * 6 + i], "one draw per sample");
            if (first != 0) kept++;
        }
        assertTrue(kept > 16 && kept < 48, "about half kept: " + kept);
        dp.eval();
        assertArrayEquals(x.data().toFloatArray(), dp.forward(x).data().toFloatArray());
        assertTrue(new DropPath(0, null).forward(x) == x);
    }

    @Test
    void dropoutIsElementwiseAndScaled() {
        Dropout d = new Dropout(0.25, new Rng(4));
        float[] y = d.forward(Var.constant(Tensor.ones(DType.F32, 1000))).data().toFloatArray();
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0f || Math.abs(v - 1 / 0.75f) < 1e-6);
            if (v == 0) zeros++;
        }
        assertTrue(zeros > 180 && zeros < 320, "about a quarter dropped: " + zeros);
        d.eval();
        assertEquals(1000.0, d.forward(Var.constant(Tensor.ones(DType.F32, 1000))).data().sum().item());
    }

    @Test
    void posEmbedAnyGrid() {
        Tensor t = PosEmbed.sinCos(8, 3, false);
        assertArrayEquals(new int[] {1, 9, 8}, t.shape());
        // patch (r=2, c=1): dims 0..1 sin(c ω), 4..5 sin(r ω), ω = (1, 0.01)
        assertEquals((float) Math.sin(1), (float) t.get(0, 7, 0));
        assertEquals((float) Math.sin(0.01), (float) t.get(0, 7, 1));
        assertEquals((float) Math.sin(2), (float) t.get(0, 7, 4));
        assertEquals((float) Math.cos(0.02), (float) t.get(0, 7, 7));
        assertThrows(IllegalArgumentException.class, () -> PosEmbed.sinCos(6, 2, true));
    }

    @Test
    void clearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Attention(10, 3));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PatchEmbed(16, 4, 3, 8).forward(Tensor.zeros(1, 1, 16, 16)));
        assertTrue(e.getMessage().contains("(1, 1, 16, 16)"), e.getMessage());
        Attention a = new Attention(4, 2);
        e = assertThrows(IllegalArgumentException.class, () -> a.forward(Var.constant(Tensor.zeros(1, 3, 4)), Tensor.zeros(1, 1, 2, 2)));
        assertTrue(e.getMessage().contains("mask"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DropPath(1.0, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new DropPath(0.1, null));
    }
}
