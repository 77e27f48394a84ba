package dev.semaim.model;

import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * The pixel regression target of spec §5.2: blur (optional) → patchify in (y, x, channel) order →
 * per-patch normalisation (optional).
 */
public final class Targets {
    private Targets() {}

    /** Per-patch normalisation eps (added to the unbiased variance). */
    public static final double NORM_PIX_EPS = 1e-6;

    /** images (B, C, H, W) → (B, L, P·P·C); blur may be null (no smoothing). Its temporaries go when it returns. */
    public static Tensor pixel(Tensor images, GaussianBlur blur, int patch, boolean normPix) {
        return TensorScope.returning(() -> {
            Tensor blurred = blur == null ? images : blur.forward(images); // blurred: (B, C, H, W)
            Tensor t = patchify(blurred, patch);                           // t: (B, L, P·P·C)
            return normPix ? normPix(t) : t;
        });
    }

    /** (B, C, H, W) → (B, L, P·P·C), element (i·P + j)·C + ch within a patch (channel fastest). */
    public static Tensor patchify(Tensor images, int patch) {
        return images.patchify(patch).contiguous();
    }

    /** Over the last axis: (t − μ) / sqrt(v + 1e-6) with the UNBIASED variance v (§12.11). */
    public static Tensor normPix(Tensor t) {
        return TensorScope.returning(() -> {
            Tensor mu = t.mean(true, -1);                // mu: (..., 1)
            Tensor var = t.var(true, true, -1);          // var: (..., 1), divides by n − 1
            return t.sub(mu).div(var.add(NORM_PIX_EPS).sqrt());
        });
    }
}
