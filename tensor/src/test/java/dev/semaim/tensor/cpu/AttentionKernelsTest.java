package dev.semaim.tensor.cpu;

import dev.semaim.tensor.AttentionReference;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F32;
import static dev.semaim.tensor.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused attention kernels against {@link AttentionReference} (the unfused composition) on the same float32
 * inputs: awkward token counts and head widths around the tile sizes, q/k/v as slices of one fused (B, T, 3D)
 * projection (the layout Attention feeds) or contiguous, masks per item or broadcast with −inf entries. The
 * products sum in the same order as the unfused path and every other step rounds as it does, so the results
 * must equal it bit for bit (zero tolerance).
 */
class AttentionKernelsTest {
    static final int CASES = 25;

    /** One drawn problem: q (B, Tq, D), k, v (B, Tk, D), mask or null. */
    private record Problem(Tensor q, Tensor k, Tensor v, Tensor mask, int heads, double scale) {
        String describe() {
            return "q " + Gen.describe(q) + ", k " + Gen.describe(k) + ", v " + Gen.describe(v) + ", heads " + heads
                    + ", mask " + (mask == null ? "none" : Gen.describe(mask));
        }
    }

    private static Problem draw(Gen gen) {
        int b = gen.pick(1, 2, 3), tq = gen.pick(1, 3, 17, 49, 50, 65), heads = gen.pick(1, 2, 3), hd = gen.pick(1, 5, 16, 32, 33, 64, 80);
        boolean self = gen.nextBoolean();
        int tk = self ? tq : gen.pick(1, 4, 31, 50);
        int d = heads * hd;
        Tensor q, k, v;
        if (self) {
            // slices of one fused projection: row stride 3D
            Tensor qkv = Gen.tensor(gen.values(b * tq * 3 * d, -2, 2), F32, b, tq, 3 * d);
            q = qkv.narrow(2, 0, d);
            k = qkv.narrow(2, d, d);
            v = qkv.narrow(2, 2 * d, d);
        } else {
            q = gen.layout(Gen.tensor(gen.values(b * tq * d, -2, 2), F32, b, tq, d), Gen.Layout.NARROWED);
            k = Gen.tensor(gen.values(b * tk * d, -2, 2), F32, b, tk, d);
            v = Gen.tensor(gen.values(b * tk * d, -2, 2), F32, b, tk, d);
        }
        Tensor mask = null;
        if (gen.nextBoolean()) {
            int mb = gen.nextBoolean() ? b : 1;
            double[] m = new double[mb * tq * tk];
            for (int i = 0; i < m.length; i++) m[i] = i % tk == 0 || gen.nextBoolean() ? 0 : Double.NEGATIVE_INFINITY; // column 0 stays open
            mask = Gen.tensor(m, F32, mb, 1, tq, tk);
        }
        return new Problem(q, k, v, mask, heads, Math.pow(hd, -0.5));
    }

    @Test
    void forwardMatchesReference() {
        Cases.run("fused attention forward", CASES, gen -> {
            Problem p = draw(gen);
            int b = p.q.size(0), tq = p.q.size(1), tk = p.k.size(1);
            Tensor out = Tensor.empty(F32, p.q.shape()), probs = Tensor.empty(F32, b, p.heads, tq, tk);
            assertTrue(AttentionKernels.forward(p.q, p.k, p.v, p.heads, p.scale, p.mask, out, probs), p.describe());
            Tensor refOut = Tensor.empty(F32, p.q.shape()), refProbs = Tensor.empty(F32, b, p.heads, tq, tk);
            AttentionReference.forward(p.q, p.k, p.v, p.heads, p.scale, p.mask, refOut, refProbs);
            assertClose("probs, " + p.describe(), refProbs, probs, 0, 0);
            assertClose("out, " + p.describe(), refOut, out, 0, 0);
        });
    }

    @Test
    void backwardMatchesReference() {
        Cases.run("fused attention backward", CASES, gen -> {
            Problem p = draw(gen);
            Tensor.AttentionResult r = p.q.attention(p.k, p.v, p.heads, p.scale, p.mask);
            Tensor dOut = gen.layout(Gen.tensor(gen.values(p.q.numel(), -1, 1), F32, p.q.shape()), Gen.Layout.NARROWED);
            Tensor dq = Tensor.empty(F32, p.q.shape()), dk = Tensor.empty(F32, p.k.shape()), dv = Tensor.empty(F32, p.v.shape());
            if (p.q.size(1) == p.k.size(1) && gen.nextBoolean()) {
                // into the three slices of one (B, T, 3D) gradient, as the packed self-attention asks
                int d = p.q.size(2);
                Tensor all = Tensor.full(Double.NaN, F32, Backends.cpu(), p.q.size(0), p.q.size(1), 3 * d);
                dq = all.narrow(2, 0, d);
                dk = all.narrow(2, d, d);
                dv = all.narrow(2, 2 * d, d);
            }
            assertTrue(AttentionKernels.backward(dOut, p.q, p.k, p.v, r.probs(), p.heads, p.scale, dq, dk, dv), p.describe());
            Tensor rq = Tensor.empty(F32, p.q.shape()), rk = Tensor.empty(F32, p.k.shape()), rv = Tensor.empty(F32, p.v.shape());
            AttentionReference.backward(dOut, p.q, p.k, p.v, r.probs(), p.heads, p.scale, rq, rk, rv);
            assertClose("dq, " + p.describe(), rq, dq, 0, 0);
            assertClose("dk, " + p.describe(), rk, dk, 0, 0);
            assertClose("dv, " + p.describe(), rv, dv, 0, 0);
        });
    }

    @Test
    void declinesLayoutsWithoutUnitFeatureStride() {
        Tensor q = Tensor.zeros(2, 5, 4).transpose(1, 2).contiguous().transpose(1, 2); // feature stride 5
        Tensor out = Tensor.empty(F32, 2, 5, 4), probs = Tensor.empty(F32, 2, 2, 5, 5);
        assertTrue(!AttentionKernels.forward(q, q, q, 2, 0.5, null, out, probs));
        // the Tensor API still answers, through the reference
        Tensor.AttentionResult r = q.attention(q, q, 2, 0.5, null);
        assertClose("uniform probs", Tensor.full(0.2, DType.F64, Backends.cpu(), 2, 2, 5, 5), r.probs(), 1e-7, 0);
    }

    @Test
    void badShapesNameTheTensors() {
        Tensor q = Tensor.zeros(2, 5, 6), k = Tensor.zeros(2, 4, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.attention(k, k, 4, 1, null));
        assertTrue(e.getMessage().contains(Shape.str(q.shape())) && e.getMessage().contains("4 heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> q.attention(k, k, 2, 1, Tensor.zeros(2, 1, 5, 5)));
        assertTrue(e.getMessage().contains("mask (2, 1, 5, 5)"), e.getMessage());
    }
}
