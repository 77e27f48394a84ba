package dev.semaim.eval;

import dev.semaim.model.AimConfig;
import dev.semaim.model.VisionTransformer;
import dev.semaim.tensor.Rng;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classifier ViT's architecture from a timm-style name ({@code vit_tiny_patch16}, {@code vit_small_patch16},
 * {@code vit_base_patch16}, {@code vit_large_patch16}; any patch size) with optional overrides of width, depth,
 * heads and patch size (0 = the name's), at an input size and channel count. The sizes are those of the
 * pre-training factories ({@link AimConfig#preset}), so a {@code vit_X} backbone takes {@code aim_X} weights.
 */
public record VitSpec(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads, double mlpRatio) {
    private static final Pattern NAME = Pattern.compile("vit_(tiny|small|base|large)_patch(\\d+)");

    public VitSpec {
        if (imgSize < 1 || patchSize < 1 || imgSize % patchSize != 0) {
            throw new IllegalArgumentException("--input_size " + imgSize + " must be a positive multiple of the patch size " + patchSize);
        }
        if (inChans < 1 || embedDim < 1 || depth < 1 || numHeads < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("bad ViT size: in_chans " + inChans + ", embed_dim " + embedDim + ", depth " + depth
                    + ", num_heads " + numHeads + " (embed_dim must be a multiple of num_heads)");
        }
    }

    /**
     * @param model      vit_{tiny,small,base,large}_patchN
     * @param patchSize  overrides N when > 0
     * @param embedDim   overrides the width when > 0 (likewise depth, numHeads)
     */
    public static VitSpec parse(String model, int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads) {
        Matcher m = NAME.matcher(model.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--model '" + model + "' is not vit_{tiny,small,base,large}_patch<N> (e.g. vit_base_patch16)");
        }
        AimConfig base = AimConfig.preset("aim_" + m.group(1));
        int patch = patchSize > 0 ? patchSize : Integer.parseInt(m.group(2));
        return new VitSpec(imgSize, patch, inChans, embedDim > 0 ? embedDim : base.embedDim(), depth > 0 ? depth : base.depth(),
                numHeads > 0 ? numHeads : base.numHeads(), base.mlpRatio());
    }

    /** Patches per side. */
    public int grid() {
        return imgSize / patchSize;
    }

    /** A freshly initialised classifier (numClasses 0 = features only). */
    public VisionTransformer build(int numClasses, boolean globalPool, double dropPath, Rng rng) {
        return new VisionTransformer(imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, numClasses, globalPool, dropPath, rng);
    }

    public String describe() {
        return String.format(Locale.ROOT, "ViT %dx%dx%d patch %d, width %d, depth %d, heads %d", inChans, imgSize, imgSize, patchSize,
                embedDim, depth, numHeads);
    }
}
