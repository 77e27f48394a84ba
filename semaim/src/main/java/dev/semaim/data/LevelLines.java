package dev.semaim.data;

import dev.semaim.tensor.cpu.KernelMode;

/**
 * The inner loops of {@link BicubicResampler#resizeLevels} on lines of fixed-point levels (multiply-add of one
 * weighted source line, PIL's round-and-clip) and of {@link ResizedCropFlipNormalize} (levels to normalised floats,
 * mirrored or not). The Vector API versions ({@link VectorLevelLines}) run when the
 * engine's fast kernels do ({@link KernelMode#reference()} false: the JVM has {@code jdk.incubator.vector}); the
 * scalar loops here are their reference and the fallback. JDK 17's C2 does not vectorise these loops by itself
 * (0.5 ns per multiply-add scalar against 0.1 with 512-bit vectors on the Zen 4 development machine).
 */
final class LevelLines {
    private LevelLines() {
    }

    /** {@code acc[i] += src[from + i] * weight} for i in [0, n). */
    static void multiplyAdd(int[] acc, int[] src, int from, int weight, int n) {
        if (KernelMode.reference()) {
            multiplyAddScalar(acc, src, from, weight, n);
        } else {
            VectorLevelLines.multiplyAdd(acc, src, from, weight, n);
        }
    }

    /** {@code acc[i] = clip8(acc[i])} for i in [0, n): fixed-point sums (rounding offset included) to levels 0..255. */
    static void clip(int[] acc, int n) {
        if (KernelMode.reference()) {
            clipScalar(acc, n);
        } else {
            VectorLevelLines.clip(acc, n);
        }
    }

    /**
     * {@code out[to + i] = (levels[from + i] / 255f - mean) / std} for i in [0, n), or into {@code out[to + n - 1 - i]}
     * when {@code mirror}: torchvision's flip, ToTensor and Normalize of one row, with their float operations.
     */
    static void normalise(int[] levels, int from, float[] out, int to, int n, float mean, float std, boolean mirror) {
        if (KernelMode.reference()) {
            normaliseScalar(levels, from, out, to, n, mean, std, mirror);
        } else {
            VectorLevelLines.normalise(levels, from, out, to, n, mean, std, mirror);
        }
    }

    static void normaliseScalar(int[] levels, int from, float[] out, int to, int n, float mean, float std, boolean mirror) {
        for (int i = 0; i < n; i++) {
            out[mirror ? to + n - 1 - i : to + i] = (levels[from + i] / 255f - mean) / std;
        }
    }

    static void multiplyAddScalar(int[] acc, int[] src, int from, int weight, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += src[from + i] * weight;
        }
    }

    static void clipScalar(int[] acc, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] = BicubicResampler.clip8(acc[i]);
        }
    }
}
