package dev.semaim.model;

import dev.semaim.nn.LoadReport;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A frozen ViT teacher for the feature targets (§4.4): all T tokens after the last block and the final
 * {@code norm}, optionally times a projection (D, K) (CLIP's {@code proj}, 768 → 512). A DINO-style
 * teacher is the plain token output; a CLIP-style one adds the projection. (CLIP's own ln_pre and its
 * key names are not modelled: convert such weights to the ViT keys below.)
 */
public final class ViTTeacher implements FeatureTeacher {
    public final VisionTransformer vit;
    /** (D, K) or null. */
    public final Tensor proj;

    public ViTTeacher(VisionTransformer vit, Tensor proj) {
        if (vit.globalPool) throw new IllegalArgumentException("ViTTeacher: the ViT needs the cls-token 'norm' (globalPool false)");
        if (proj != null && (proj.rank() != 2 || proj.size(0) != vit.embedDim))
            throw new IllegalArgumentException("ViTTeacher: projection " + Shape.str(proj.shape()) + " is not (" + vit.embedDim + ", K)");
        this.vit = vit;
        this.proj = proj;
    }

    /**
     * A teacher from a safetensors file with the ViT keys cls_token, pos_embed, patch_embed.proj.*,
     * blocks.i.*, norm.* and an optional {@code proj} (D, K). Sizes (width, patch, channels, grid, depth,
     * MLP ratio) are read from the tensor shapes; the head count cannot be, so it is an argument.
     */
    public static ViTTeacher load(Path file, int numHeads) {
        Safetensors.File f = Safetensors.read(file);
        Tensor pe = f.get("patch_embed.proj.weight");                  // (D, C, P, P)
        int dim = pe.size(0), chans = pe.size(1), patch = pe.size(2);
        int grid = (int) Math.round(Math.sqrt(f.get("pos_embed").size(1) - 1));
        int depth = 0;
        while (f.tensors().containsKey("blocks." + depth + ".norm1.weight")) depth++;
        double mlpRatio = (double) f.get("blocks.0.mlp.fc1.weight").size(0) / dim;
        VisionTransformer vit = new VisionTransformer(grid * patch, patch, chans, dim, depth, numHeads, mlpRatio, 0, false, 0, new Rng(0));
        Map<String, Tensor> weights = new LinkedHashMap<>(f.tensors());
        Tensor proj = weights.remove("proj");
        LoadReport r = StateDict.load(vit, weights, true);
        if (!r.clean()) throw new IllegalArgumentException(file + ": not a ViT teacher: " + r);
        return new ViTTeacher(vit, proj);
    }

    // images: (B, C, H, W) → (B, T, D) or (B, T, K)
    @Override
    public Tensor features(Tensor images) {
        Tensor tokens = vit.tokens(images);                            // tokens: (B, T, D)
        return proj == null ? tokens : tokens.matmul(proj.to(tokens.dtype()));
    }
}
