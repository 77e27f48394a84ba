package dev.semaim.tensor;

import dev.semaim.tensor.testing.Jvm;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** Random tensors: distribution moments, counter-based reproducibility, independence from threads. */
class RandomTest {
    static final int N = 200_000;

    /** Mean and variance, checked within 5 standard errors. */
    private static void assertMoments(String what, double[] v, double mean, double var) {
        double m = Arrays.stream(v).average().orElseThrow();
        double s2 = Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
        assertEquals(mean, m, 5 * Math.sqrt(var / v.length), what + " mean");
        // the variance of the sample variance is about 2σ⁴/n (normal) and below for bounded laws
        assertEquals(var, s2, 5 * var * Math.sqrt(2.0 / v.length), what + " variance");
    }

    @Test
    void uniformMoments() {
        double[] v = Tensor.random(new Rng(1), RandomKind.UNIFORM, -1, 3, DType.F64, N).toDoubleArray();
        assertTrue(Arrays.stream(v).allMatch(x -> x >= -1 && x < 3));
        assertMoments("uniform[-1, 3)", v, 1, 16.0 / 12);
    }

    @Test
    void normalMoments() {
        double[] v = Tensor.random(new Rng(2), RandomKind.NORMAL, 1, 2, DType.F64, N).toDoubleArray();
        assertMoments("normal(1, 2)", v, 1, 4);
        // about 95.45% within two standard deviations
        double inside = Arrays.stream(v).filter(x -> Math.abs(x - 1) < 4).count() / (double) N;
        assertEquals(0.9545, inside, 0.003);
    }

    @Test
    void truncatedNormalMoments() {
        double[] v = Tensor.random(new Rng(3), RandomKind.TRUNC_NORMAL, 1, 2, DType.F64, N).toDoubleArray();
        assertTrue(Arrays.stream(v).allMatch(x -> x >= -2 && x <= 2));
        // Var of N(0,1) truncated to [-2, 2] = 1 - 2·2·φ(2) / (2Φ(2) - 1)
        double phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI), mass = 0.9544997361036416;
        assertMoments("truncNormal(1, ±2)", v, 0, 1 - 4 * phi2 / mass);
        double[] small = Tensor.random(new Rng(4), RandomKind.TRUNC_NORMAL, 0.02, 2, DType.F64, N).toDoubleArray();
        assertMoments("truncNormal(0.02, ±2) (timm's ViT init)", small, 0, 0.0004);
    }

    @Test
    void drawsAreCounterBased() {
        Rng a = new Rng(9);
        Tensor first = Tensor.rand(a, DType.F32, 10);
        Tensor second = Tensor.rand(a, DType.F32, 10);
        assertEquals(20, a.counter());
        assertFalse(Arrays.equals(first.toFloatArray(), second.toFloatArray()));
        // one draw of 20 = the two draws of 10 in sequence; float32 and float64 agree to rounding
        double[] whole = Tensor.rand(new Rng(9), DType.F64, 20).toDoubleArray();
        for (int i = 0; i < 10; i++) {
            assertEquals((float) whole[i], first.toFloatArray()[i]);
            assertEquals((float) whole[10 + i], second.toFloatArray()[i]);
        }
        assertNotEquals(new Rng(9).fork(1).seed(), new Rng(9).fork(2).seed());
        assertEquals(new Rng(9).fork(1).seed(), new Rng(9).fork(1).seed());
    }

    /** Prints a digest of a few large random tensors (big enough to be split when kernels run in parallel). */
    public static final class Digest {
        public static void main(String[] args) {
            Rng rng = new Rng(1234);
            long h = 17;
            for (RandomKind kind : RandomKind.values())
                for (float f : Tensor.random(rng, kind, 0.5, 2, DType.F32, 300, 1000).toFloatArray()) h = 31 * h + Float.floatToIntBits(f);
            System.out.println(h);
        }
    }

    @Test
    void sameNumbersWhateverTheThreadCount() {
        String one = Jvm.run(Digest.class, "semaim.threads=1");
        assertEquals(one, Jvm.run(Digest.class, "semaim.threads=3"));
        assertEquals(one, Jvm.run(Digest.class, "semaim.threads=8"));
    }
}
