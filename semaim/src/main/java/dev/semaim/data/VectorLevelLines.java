package dev.semaim.data;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LevelLines} with the Vector API: the same integer arithmetic, so the results are identical
 * ({@code ResizeTest.vectorLevelLinesMatchScalar}). Reached only through {@link LevelLines} when the fast kernels
 * are on, so a JVM without {@code jdk.incubator.vector} never loads this class.
 */
final class VectorLevelLines {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
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
}
