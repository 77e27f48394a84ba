package dev.semaim.model;

import java.util.List;

/**
 * The constructor arguments of the pre-training model {@link AimViT} (spec §2.1). Names follow the
 * reference's keyword arguments. {@code gaussianKernelSize} 0 switches the target blur off;
 * {@code outDim} 0 means "derive it" (see {@link #headOutDim()}); {@code dropPath} is the top of the
 * linear stochastic-depth ramp over the encoder (query blocks reuse its first queryDepth entries).
 */
public record AimConfig(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads, int queryDepth,
                        double mlpRatio, String predictionHead, int gaussianKernelSize, double gaussianSigma,
                        boolean normPixLoss, String lossType, String permutationType, String attentionType,
                        String predictFeature, int outDim, double dropPath) {

    public static final List<String> PREDICTION_HEADS = List.of("MLP", "LINEAR");
    public static final List<String> LOSS_TYPES = List.of("L2", "L1");
    public static final List<String> ATTENTION_TYPES = List.of("cls", "gap", "self");
    /** 'ema' needs an EMA model as the target encoder, which this engine does not provide. */
    public static final List<String> PREDICT_FEATURES = List.of("none", "inference", "clip", "dino");

    public AimConfig {
        require(imgSize > 0 && patchSize > 0 && imgSize % patchSize == 0, "image size " + imgSize + " must be a positive multiple of patch size " + patchSize);
        require(inChans > 0, "in_chans " + inChans + " must be positive");
        require(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0, "embed_dim " + embedDim + " must be divisible by num_heads " + numHeads);
        require(embedDim % 4 == 0, "embed_dim " + embedDim + " must be divisible by 4 (2-D sin-cos position table)");
        require(depth > 0 && queryDepth > 0 && queryDepth <= depth && depth % queryDepth == 0,
                "depth " + depth + " must be divisible by query_depth " + queryDepth + " (the query stream reads every depth/query_depth-th encoder block; spec §12.16)");
        require(mlpRatio > 0, "mlp_ratio " + mlpRatio + " must be positive");
        require(PREDICTION_HEADS.contains(predictionHead), "prediction_head_type '" + predictionHead + "' is not one of " + PREDICTION_HEADS);
        require(gaussianKernelSize == 0 || (gaussianKernelSize > 0 && gaussianKernelSize % 2 == 1), "gaussian_kernel_size " + gaussianKernelSize + " must be 0 (off) or odd");
        require(gaussianKernelSize == 0 || gaussianSigma > 0, "gaussian_sigma " + gaussianSigma + " must be positive");
        require(LOSS_TYPES.contains(lossType), "loss_type '" + lossType + "' is not one of " + LOSS_TYPES);
        require(Orders.TYPES.contains(permutationType), "permutation_type '" + permutationType + "' is not one of " + Orders.TYPES);
        require(ATTENTION_TYPES.contains(attentionType), "attention_type '" + attentionType + "' is not one of " + ATTENTION_TYPES);
        require(PREDICT_FEATURES.contains(predictFeature), "predict_feature '" + predictFeature + "' is not one of " + PREDICT_FEATURES);
        require(outDim >= 0, "out_dim " + outDim + " must be >= 0");
        require(dropPath >= 0 && dropPath < 1, "drop_path " + dropPath + " must be in [0, 1)");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("AimConfig: " + message);
    }

    /** The SemAIM README setting for a given size: 224 px, patch 16, MLP head, blur 9/1, norm-pix, L2, attention_center / cls. */
    private static AimConfig sized(int dim, int depth, int heads) {
        return new AimConfig(224, 16, 3, dim, depth, heads, 12, 4.0, "MLP", 9, 1.0, true, "L2",
                "attention_center", "cls", "none", 0, 0.0);
    }

    public static AimConfig aimTiny() { return sized(192, 12, 3); }
    public static AimConfig aimSmall() { return sized(384, 12, 6); }
    public static AimConfig aimBase() { return sized(768, 12, 12); }
    /** query_depth 12 (the default; step 2). */
    public static AimConfig aimLarge() { return sized(1024, 24, 16); }

    /** "aim_tiny" | "aim_small" | "aim_base" | "aim_large" (also without the underscore). */
    public static AimConfig byName(String name) {
        switch (name.toLowerCase().replace("_", "")) {
            case "aimtiny": return aimTiny();
            case "aimsmall": return aimSmall();
            case "aimbase": return aimBase();
            case "aimlarge": return aimLarge();
            default: throw new IllegalArgumentException("AimConfig: unknown model '" + name + "' (aim_tiny, aim_small, aim_base, aim_large)");
        }
    }

    public int grid() { return imgSize / patchSize; }
    public int numPatches() { return grid() * grid(); }
    public int step() { return depth / queryDepth; }
    public int mlpHidden() { return (int) (embedDim * mlpRatio); }
    public boolean pixelTarget() { return predictFeature.equals("none"); }

    /** Prediction width: P²·C for pixels, else out_dim when set, else D (spec §2.6). */
    public int headOutDim() {
        if (pixelTarget()) return patchSize * patchSize * inChans;
        return outDim > 0 ? outDim : embedDim;
    }

    /** Whether the order needs an attention map (the type name contains "attention", spec §4.2). */
    public boolean orderNeedsMap() { return permutationType.contains("attention"); }

    /** Image size, patch size and channels together (they constrain each other): Fashion-MNIST is withImage(28, 4, 1). */
    public AimConfig withImage(int img, int patch, int chans) { return new AimConfig(img, patch, chans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withImgSize(int v) { return new AimConfig(v, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withPatchSize(int v) { return new AimConfig(imgSize, v, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withInChans(int v) { return new AimConfig(imgSize, patchSize, v, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    /** Width, depth and heads together (they constrain each other). */
    public AimConfig withSize(int dim, int depth, int heads, int queryDepth) { return new AimConfig(imgSize, patchSize, inChans, dim, depth, heads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withEmbedDim(int v) { return withSize(v, depth, numHeads, queryDepth); }
    public AimConfig withDepth(int v) { return withSize(embedDim, v, numHeads, queryDepth); }
    public AimConfig withNumHeads(int v) { return withSize(embedDim, depth, v, queryDepth); }
    public AimConfig withQueryDepth(int v) { return withSize(embedDim, depth, numHeads, v); }
    public AimConfig withMlpRatio(double v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, v, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withPredictionHead(String v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, v, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withGaussian(int size, double sigma) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, size, sigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withNormPixLoss(boolean v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, v, lossType, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withLossType(String v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, v, permutationType, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withPermutationType(String v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, v, attentionType, predictFeature, outDim, dropPath); }
    public AimConfig withAttentionType(String v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, v, predictFeature, outDim, dropPath); }
    public AimConfig withPredictFeature(String v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, v, outDim, dropPath); }
    public AimConfig withOutDim(int v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, v, dropPath); }
    public AimConfig withDropPath(double v) { return new AimConfig(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead, gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, v); }
}
