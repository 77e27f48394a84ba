package dev.semaim.model;

import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The constructor arguments of the pre-training model {@link AimViT} (spec §2.1), an immutable value made by a
 * {@link Builder} ({@link #builder()} from aim_base's values, {@link #toBuilder()} from another config) and checked once,
 * when built. Names follow the reference's keyword arguments ({@link #KWARGS}, the form of a safetensors file's
 * {@code config} metadata). {@code gaussianKernelSize} 0 switches the target blur off; {@code outDim} 0 means "derive
 * it" (see {@link #headOutDim()}); {@code dropPath} is the top of the linear stochastic-depth ramp over the encoder
 * (query blocks reuse its first queryDepth entries).
 *
 * <pre>{@code
 * AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(28).patchSize(4).inChans(1).queryDepth(4).build();
 * }</pre>
 */
public final class AimConfig {
    /** The named sizes of the SemAIM README: {@link #preset}. */
    public static final List<String> PRESETS = List.of("aim_tiny", "aim_small", "aim_base", "aim_large");

    /** The keyword arguments (the reference's names) of a config, declared once: read by {@link #fromKwargs}. */
    public static final Schema<Builder> KWARGS = kwargs();

    private final int imgSize;
    private final int patchSize;
    private final int inChans;
    private final int embedDim;
    private final int depth;
    private final int numHeads;
    private final int queryDepth;
    private final double mlpRatio;
    private final PredictionHeadType predictionHead;
    private final int gaussianKernelSize;
    private final double gaussianSigma;
    private final boolean normPixLoss;
    private final LossType lossType;
    private final OrderType permutationType;
    private final AttentionType attentionType;
    private final FeatureTarget predictFeature;
    private final int outDim;
    private final double dropPath;

    /**
     * Checks the arguments together; a message names them as {@code name} spells them ({@link Builder#build(UnaryOperator)})
     * after {@code prefix}.
     */
    private AimConfig(Builder b, String prefix, UnaryOperator<String> name) {
        imgSize = b.imgSize;
        patchSize = b.patchSize;
        inChans = b.inChans;
        embedDim = b.embedDim;
        depth = b.depth;
        numHeads = b.numHeads;
        queryDepth = b.queryDepth;
        mlpRatio = b.mlpRatio;
        predictionHead = b.predictionHead;
        gaussianKernelSize = b.gaussianKernelSize;
        gaussianSigma = b.gaussianSigma;
        normPixLoss = b.normPixLoss;
        lossType = b.lossType;
        permutationType = b.permutationType;
        attentionType = b.attentionType;
        predictFeature = b.predictFeature;
        outDim = b.outDim;
        dropPath = b.dropPath;
        String img = name.apply("img_size"), patch = name.apply("patch_size"), dim = name.apply("embed_dim"), heads = name.apply("num_heads");
        String kernel = name.apply("gaussian_kernel_size"), feature = name.apply("predict_feature");
        require(imgSize > 0 && patchSize > 0 && imgSize % patchSize == 0, prefix, img + " " + imgSize + " must be a positive multiple of " + patch + " " + patchSize);
        require(inChans > 0, prefix, name.apply("in_chans") + " " + inChans + " must be positive");
        require(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0, prefix, dim + " " + embedDim + " must be divisible by " + heads + " " + numHeads);
        require(embedDim % 4 == 0, prefix, dim + " " + embedDim + " must be divisible by 4 (2-D sin-cos position table)");
        require(depth > 0 && queryDepth > 0 && queryDepth <= depth && depth % queryDepth == 0, prefix, name.apply("depth") + " " + depth
                + " must be divisible by " + name.apply("query_depth") + " " + queryDepth + " (the query stream reads every depth/query_depth-th encoder block; spec §12.16)");
        require(mlpRatio > 0, prefix, name.apply("mlp_ratio") + " " + mlpRatio + " must be positive");
        require(gaussianKernelSize == 0 || (gaussianKernelSize > 0 && gaussianKernelSize % 2 == 1), prefix, kernel + " " + gaussianKernelSize + " must be 0 (off) or odd");
        require(gaussianKernelSize == 0 || gaussianSigma > 0, prefix, name.apply("gaussian_sigma") + " " + gaussianSigma + " must be positive while "
                + kernel + " " + gaussianKernelSize + " blurs the target");
        require(predictionHead != null && lossType != null && permutationType != null && attentionType != null && predictFeature != null, prefix,
                String.join(", ", name.apply("prediction_head_type"), name.apply("loss_type"), name.apply("permutation_type"),
                        name.apply("attention_type")) + " and " + feature + " must be set");
        require(outDim >= 0, prefix, name.apply("out_dim") + " " + outDim + " must be >= 0");
        require(outDim == 0 || predictFeature == FeatureTarget.CLIP || predictFeature == FeatureTarget.NONE || outDim == embedDim, prefix,
                name.apply("out_dim") + " " + outDim + " is for " + feature + " 'clip'; '" + predictFeature.spelling() + "' predicts the width " + embedDim);
        require(dropPath >= 0 && dropPath < 1, prefix, name.apply("drop_path") + " " + dropPath + " must be in [0, 1)");
    }

    private static void require(boolean ok, String prefix, String message) {
        if (!ok) throw new IllegalArgumentException(prefix + message);
    }

    /** A builder holding aim_base's values (the reference constructor's sizes with the README's recipe). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The SemAIM README setting for a given size: 224 px, patch 16, MLP head, blur 9/1, norm-pix, L2, attention_center / cls. */
    private static AimConfig sized(int dim, int depth, int heads) {
        return builder().embedDim(dim).depth(depth).numHeads(heads).build();
    }

    public static AimConfig aimTiny() { return sized(192, 12, 3); }
    public static AimConfig aimSmall() { return sized(384, 12, 6); }
    public static AimConfig aimBase() { return sized(768, 12, 12); }
    /** query_depth 12 (the default; step 2). */
    public static AimConfig aimLarge() { return sized(1024, 24, 16); }

    /** A {@link #PRESETS} name: "aim_tiny" | "aim_small" | "aim_base" | "aim_large" (also without the underscore). */
    public static AimConfig preset(String name) {
        switch (name.toLowerCase(Locale.ROOT).replace("_", "")) {
            case "aimtiny": return aimTiny();
            case "aimsmall": return aimSmall();
            case "aimbase": return aimBase();
            case "aimlarge": return aimLarge();
            default: throw new IllegalArgumentException("AimConfig: unknown model '" + name + "' (" + String.join(", ", PRESETS) + ")");
        }
    }

    /** A config from keyword arguments (the reference's names, {@link #KWARGS}); absent ones take aim_base's values. */
    public static AimConfig fromKwargs(Map<String, ?> kwargs) {
        return KWARGS.read(kwargs, builder()).build();
    }

    /** The keyword arguments of this config ({@link #KWARGS} names, JSON values). */
    public Map<String, Object> toKwargs() {
        return KWARGS.record(toBuilder());
    }

    public int imgSize() { return imgSize; }
    public int patchSize() { return patchSize; }
    public int inChans() { return inChans; }
    public int embedDim() { return embedDim; }
    public int depth() { return depth; }
    public int numHeads() { return numHeads; }
    public int queryDepth() { return queryDepth; }
    public double mlpRatio() { return mlpRatio; }
    public PredictionHeadType predictionHead() { return predictionHead; }
    public int gaussianKernelSize() { return gaussianKernelSize; }
    public double gaussianSigma() { return gaussianSigma; }
    public boolean normPixLoss() { return normPixLoss; }
    public LossType lossType() { return lossType; }
    public OrderType permutationType() { return permutationType; }
    public AttentionType attentionType() { return attentionType; }
    public FeatureTarget predictFeature() { return predictFeature; }
    public int outDim() { return outDim; }
    public double dropPath() { return dropPath; }

    public int grid() { return imgSize / patchSize; }
    public int numPatches() { return grid() * grid(); }
    public int step() { return depth / queryDepth; }
    public int mlpHidden() { return (int) (embedDim * mlpRatio); }
    public boolean pixelTarget() { return predictFeature == FeatureTarget.NONE; }

    /** The width of CLIP's projected features, which the reference's pretrain script hard-codes as out_dim. */
    public static final int CLIP_OUT_DIM = 512;

    /** Prediction width (spec §2.6): P²·C for pixels; for 'clip' out_dim (0: {@value #CLIP_OUT_DIM}); else D. */
    public int headOutDim() {
        if (pixelTarget()) return patchSize * patchSize * inChans;
        if (predictFeature == FeatureTarget.CLIP) return outDim > 0 ? outDim : CLIP_OUT_DIM;
        return embedDim;
    }

    /** Whether the order needs an attention map (spec §4.2). */
    public boolean orderNeedsMap() { return permutationType.needsMap(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof AimConfig && toKwargs().equals(((AimConfig) o).toKwargs());
    }

    @Override
    public int hashCode() {
        return Objects.hash(imgSize, patchSize, inChans, embedDim, depth, numHeads, queryDepth, mlpRatio, predictionHead,
                gaussianKernelSize, gaussianSigma, normPixLoss, lossType, permutationType, attentionType, predictFeature, outDim, dropPath);
    }

    @Override
    public String toString() {
        return "AimConfig" + toKwargs();
    }

    private static Schema<Builder> kwargs() {
        Schema<Builder> s = new Schema<>("AimViT", "the keyword arguments of the reference's AimViT constructor", Builder::new);
        s.add("img_size", ValueType.integer(1), "224", "image side", b -> b.imgSize, Builder::imgSize);
        s.add("patch_size", ValueType.integer(1).metavar("PX"), "16", "patch side (Fashion-MNIST: 4)", b -> b.patchSize, Builder::patchSize);
        s.add("in_chans", ValueType.integer(1).metavar("C"), "3", "image channels, 1 or 3 (Fashion-MNIST: 1)", b -> b.inChans, Builder::inChans);
        s.add("embed_dim", ValueType.integer(1), "768", "width", b -> b.embedDim, Builder::embedDim);
        s.add("depth", ValueType.integer(1), "12", "encoder blocks", b -> b.depth, Builder::depth);
        s.add("num_heads", ValueType.integer(1), "12", "attention heads", b -> b.numHeads, Builder::numHeads);
        s.add("query_depth", ValueType.integer(1), "12", "query-stream blocks; the encoder depth must be a multiple",
                b -> b.queryDepth, Builder::queryDepth);
        s.add("mlp_ratio", ValueType.numberAbove(0), "4.0", "MLP hidden width / width", b -> b.mlpRatio, Builder::mlpRatio);
        s.add("prediction_head_type", ValueType.choice(PredictionHeadType.class), "MLP", "prediction head",
                b -> b.predictionHead, Builder::predictionHead);
        s.add("gaussian_kernel_size", ValueType.integer(0).metavar("K"), "9", "target blur kernel size, odd; 0 = no blur",
                b -> b.gaussianKernelSize, Builder::gaussianKernelSize);
        s.add("gaussian_sigma", ValueType.number(0).metavar("S"), "1", "target blur sigma", b -> b.gaussianSigma, Builder::gaussianSigma);
        s.add("norm_pix_loss", ValueType.toggle(), "true", "per-patch normalised pixel targets", b -> b.normPixLoss, Builder::normPixLoss);
        s.add("loss_type", ValueType.choice(LossType.class), "L2", "pixel loss", b -> b.lossType, Builder::lossType);
        s.add("permutation_type", ValueType.choice(OrderType.class), "attention_center", "autoregression order (attention_center = SemAIM)",
                b -> b.permutationType, Builder::permutationType);
        s.add("attention_type", ValueType.choice(AttentionType.class), "cls", "similarity map of the attention orders",
                b -> b.attentionType, Builder::attentionType);
        s.add("predict_feature", ValueType.choice(FeatureTarget.class), "none", "prediction target (spec 4.4): none = blurred, "
                        + "normalised pixels; inference = the model's own unmasked encoder output; ema = its EMA copy's (needs "
                        + "--use_ema_model); clip / dino = a frozen teacher's token features (--teacher), whose cls similarity "
                        + "also gives the order. Feature targets: no blur, loss 2 - 2 cos per patch, head width D (clip: --out_dim)",
                b -> b.predictFeature, Builder::predictFeature);
        s.add("out_dim", ValueType.integer(0), "0", "prediction width for --predict_feature clip (the teacher's projection width; "
                + "the reference hard-codes 512); 0 = the teacher's", b -> b.outDim, Builder::outDim);
        s.add("drop_path", ValueType.number(0), "0.0", "top of the stochastic-depth ramp", b -> b.dropPath, Builder::dropPath);
        return s;
    }

    /** Collects the arguments of an {@link AimConfig}; {@link #build()} checks them together. */
    public static final class Builder {
        private int imgSize;
        private int patchSize;
        private int inChans;
        private int embedDim;
        private int depth;
        private int numHeads;
        private int queryDepth;
        private double mlpRatio;
        private PredictionHeadType predictionHead;
        private int gaussianKernelSize;
        private double gaussianSigma;
        private boolean normPixLoss;
        private LossType lossType;
        private OrderType permutationType;
        private AttentionType attentionType;
        private FeatureTarget predictFeature;
        private int outDim;
        private double dropPath;

        /** aim_base with the README recipe: the {@link #KWARGS} defaults. */
        private Builder() {
            KWARGS.applyDefaults(this);
        }

        private Builder(AimConfig c) {
            imgSize = c.imgSize;
            patchSize = c.patchSize;
            inChans = c.inChans;
            embedDim = c.embedDim;
            depth = c.depth;
            numHeads = c.numHeads;
            queryDepth = c.queryDepth;
            mlpRatio = c.mlpRatio;
            predictionHead = c.predictionHead;
            gaussianKernelSize = c.gaussianKernelSize;
            gaussianSigma = c.gaussianSigma;
            normPixLoss = c.normPixLoss;
            lossType = c.lossType;
            permutationType = c.permutationType;
            attentionType = c.attentionType;
            predictFeature = c.predictFeature;
            outDim = c.outDim;
            dropPath = c.dropPath;
        }

        public Builder imgSize(int v) { imgSize = v; return this; }
        public Builder patchSize(int v) { patchSize = v; return this; }
        public Builder inChans(int v) { inChans = v; return this; }
        public Builder embedDim(int v) { embedDim = v; return this; }
        public Builder depth(int v) { depth = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder queryDepth(int v) { queryDepth = v; return this; }
        public Builder mlpRatio(double v) { mlpRatio = v; return this; }
        public Builder predictionHead(PredictionHeadType v) { predictionHead = v; return this; }
        public Builder gaussianKernelSize(int v) { gaussianKernelSize = v; return this; }
        public Builder gaussianSigma(double v) { gaussianSigma = v; return this; }
        public Builder normPixLoss(boolean v) { normPixLoss = v; return this; }
        public Builder lossType(LossType v) { lossType = v; return this; }
        public Builder permutationType(OrderType v) { permutationType = v; return this; }
        public Builder attentionType(AttentionType v) { attentionType = v; return this; }
        public Builder predictFeature(FeatureTarget v) { predictFeature = v; return this; }
        public Builder outDim(int v) { outDim = v; return this; }
        public Builder dropPath(double v) { dropPath = v; return this; }

        /**
         * The config; an inconsistent set of arguments is an {@link IllegalArgumentException} naming them as keyword
         * arguments: "AimConfig: gaussian_kernel_size 4 must be 0 (off) or odd".
         */
        public AimConfig build() {
            return new AimConfig(this, "AimConfig: ", UnaryOperator.identity());
        }

        /**
         * As {@link #build()}, with each argument named by {@code name} (its keyword, e.g. "img_size") and nothing before
         * it: the command-line flags that set them, so that a mistake reads "--gaussian_kernel_size 4 must be 0 (off) or odd".
         */
        public AimConfig build(UnaryOperator<String> name) {
            return new AimConfig(this, "", name);
        }
    }
}
