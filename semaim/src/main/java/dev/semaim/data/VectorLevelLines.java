package dev.semaim.data;

import dev.semaim.tensor.cpu.KernelConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LevelLines} with the Vector API: the same integer arithmetic, so the results are identical
 * ({@code ResizeTest.vectorLevelLinesMatchScalar}). Reached only through {@link LevelLines} when the fast kernels
 * are on, so a JVM without {@code jdk.incubator.vector} never loads this class.
 */
final class VectorLevelLines {
    /** The CPU kernels' vector width ({@link KernelConfig}), so -Dsemaim.cpu.vectorBits narrows these loops too. */
    private static final VectorSpecies<Float> F = KernelConfig.SPECIES;
    private static final VectorSpecies<Integer> S = VectorSpecies.of(int.class, F.vectorShape());
    /** Lane i takes lane L - 1 - i: a vector mirrored. */
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.fromOp(F, i -> F.length() - 1 - i);
    private static final int SHIFT = BicubicResampler.PRECISION_BITS;

    private VectorLevelLines() {
    }

    static void multiplyAdd(int[] acc, int[] src, int from, int weight, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            IntVector.fromArray(S, src, from + i).mul(weight).add(IntVector.fromArray(S, acc, i)).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] += src[from + i] * weight;
        }
    }

    static void clip(int[] acc, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            IntVector.fromArray(S, acc, i).lanewise(VectorOperators.ASHR, SHIFT).max(0).min(255).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] = BicubicResampler.clip8(acc[i]);
        }
    }

    static void normalise(int[] levels, int from, float[] out, int to, int n, float mean, float std, boolean mirror) {
        int i = 0;
        if (F.length() == S.length()) {
            for (int end = S.loopBound(n); i < end; i += S.length()) {
                // Exact: levels 0..255 convert to float without rounding; then the scalar path's / 255f, - mean, / std.
                FloatVector v = ((FloatVector) IntVector.fromArray(S, levels, from + i).convert(VectorOperators.I2F, 0))
                        .div(255f).sub(mean).div(std);
                if (mirror) {
                    v.rearrange(REVERSE).intoArray(out, to + n - i - F.length());
                } else {
                    v.intoArray(out, to + i);
                }
            }
        }
        // the tail: its n - i levels fill the first n - i places of a mirrored row, the last of a plain one
        LevelLines.normaliseScalar(levels, from + i, out, mirror ? to : to + i, n - i, mean, std, mirror);
    }
}
