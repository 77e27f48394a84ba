package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Block and QueryBlock with an identity DropPath fuse their residual adds into the proj and fc2 products; in
 * float32 their outputs and every gradient equal the unfused composition written out here (bit for bit).
 */
class FusedResidualTest {
    private static void randomise(Module m, Gen gen) {
        m.trainableParameters().values().forEach(p -> p.set(gen.uniform(DType.F32, p.shape(), -0.3, 0.3)));
    }

    private static List<float[]> gradients(Module m, Var... inputs) {
        List<float[]> g = new ArrayList<>();
        for (Parameter p : m.trainableParameters().values()) g.add(p.grad().toFloatArray());
        for (Var v : inputs) g.add(v.grad().toFloatArray());
        m.zeroGrad();
        return g;
    }

    private static void assertSame(String what, long seed, Var fused, Var plain, List<float[]> gf, List<float[]> gp) {
        assertArrayEquals(plain.data().toFloatArray(), fused.data().toFloatArray(), what + " output, seed " + seed);
        for (int i = 0; i < gf.size(); i++) assertArrayEquals(gp.get(i), gf.get(i), what + " gradient " + i + ", seed " + seed);
    }

    @Test
    void blockEqualsUnfusedComposition() {
        Cases.run("fused residual block", 5, gen -> {
            int b = gen.pick(1, 3), t = gen.pick(1, 5, 17), d = 12;
            Block m = new Block(d, 3, 4.0, 0.0, new Rng(1));
            randomise(m, gen);
            Tensor x = gen.uniform(DType.F32, new int[] {b, t, d}, -1, 1), mask = LayersGradTest.mask(gen, b, t, t).to(DType.F32);
            Tensor w = gen.uniform(DType.F32, new int[] {b, t, d}, -1, 1);
            Var hf = Var.leaf(x, true), hp = Var.leaf(x, true);
            Var fused = m.forward(hf, mask);
            fused.backward(w);
            List<float[]> gf = gradients(m, hf);
            Var y = Arithmetic.add(hp, m.attn.forwardWithProbs(m.norm1.forward(hp), mask).out());
            Var plain = Arithmetic.add(y, m.mlp.forward(m.norm2.forward(y)));
            plain.backward(w);
            assertSame("block", gen.seed, fused, plain, gf, gradients(m, hp));
        });
    }

    @Test
    void queryBlockEqualsUnfusedComposition() {
        Cases.run("fused residual query block", 5, gen -> {
            int b = gen.pick(1, 3), tq = gen.pick(1, 5, 17), tk = gen.pick(1, 5), d = 12;
            QueryBlock m = new QueryBlock(d, 3, 4.0, 0.0, new Rng(1));
            randomise(m, gen);
            Tensor g = gen.uniform(DType.F32, new int[] {b, tq, d}, -1, 1), h = gen.uniform(DType.F32, new int[] {b, tk, d}, -1, 1);
            Tensor mask = LayersGradTest.mask(gen, b, tq, tk).to(DType.F32), w = gen.uniform(DType.F32, new int[] {b, tq, d}, -1, 1);
            Var gf = Var.leaf(g, true), hf = Var.leaf(h, true), gp = Var.leaf(g, true), hp = Var.leaf(h, true);
            Var fused = m.forward(gf, hf, mask);
            fused.backward(w);
            List<float[]> gradsF = gradients(m, gf, hf);
            Var a = Arithmetic.add(gp, m.attn.forward(m.norm1.forward(gp), m.norm1.forward(hp), mask));
            Var plain = Arithmetic.add(a, m.mlp.forward(m.norm2.forward(a)));
            plain.backward(w);
            assertSame("query block", gen.seed, fused, plain, gradsF, gradients(m, gp, hp));
        });
    }
}
