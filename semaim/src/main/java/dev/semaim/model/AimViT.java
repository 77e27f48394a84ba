package dev.semaim.model;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.layers.AttentionMask;
import dev.semaim.nn.layers.Block;
import dev.semaim.nn.layers.Init;
import dev.semaim.nn.layers.LayerNorm;
import dev.semaim.nn.layers.Linear;
import dev.semaim.nn.layers.Mlp;
import dev.semaim.nn.layers.ModuleList;
import dev.semaim.nn.layers.PatchEmbed;
import dev.semaim.nn.layers.PosEmbed;
import dev.semaim.nn.layers.QueryBlock;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * The SemAIM pre-training model (spec §2): a content stream of masked ViT blocks interleaved with a
 * query stream of cross-attention blocks, every query block reading the encoder every
 * step = depth/queryDepth blocks; the query stream ends in the shared final {@code norm} and the
 * prediction head. State-dict keys follow §10: cls_token, pos_embed (frozen), patch_embed.proj.*,
 * blocks.i.*, query_blocks.j.*, norm.*, prediction_head.*, gaussian_blur.weight (buffer, when blurring).
 *
 * <p>A training step: {@code Tensor pi = model.priority(images, rng)} (runs the no-grad order pass when
 * the permutation type needs a map), then {@code model.forward(images, pi)}. The priority is a plain
 * tensor, so no gradient can reach the order.
 */
public final class AimViT extends Module {
    public final AimConfig config;
    public final Parameter clsToken, posEmbed;
    public final PatchEmbed patchEmbed;
    public final ModuleList<Block> blocks;
    public final ModuleList<QueryBlock> queryBlocks;
    public final LayerNorm norm;
    /** The prediction head: an {@link Mlp} (D → 4D → K) or a {@link Linear} (D → K). */
    public final Module predictionHead;
    /** The target blur; null when gaussianKernelSize is 0 or the target is a feature. */
    public final GaussianBlur gaussianBlur;
    private final UnaryOperator<Var> head;
    private FeatureTeacher teacher;
    /**
     * Whether the masked pass runs the fused attention (the order masks built on the fly, no (B, 1, T, T) masks and
     * no T x T scores kept) instead of the unfused attention with materialised masks, its oracle. Off by default until
     * measured on a device; -Dsemaim.attention.fused=true turns it on, as {@link #setFusedAttention} does.
     */
    private boolean fusedAttention = Boolean.getBoolean("semaim.attention.fused");

    /** Builds the model and initialises it per §2.7 with draws from {@code rng}. */
    public AimViT(AimConfig config, Rng rng) {
        this.config = config;
        int d = config.embedDim(), grid = config.grid();
        this.clsToken = param("cls_token", Tensor.zeros(1, 1, d));
        this.posEmbed = frozen("pos_embed", PosEmbed.sinCos(d, grid, true));
        this.patchEmbed = child("patch_embed", new PatchEmbed(config.imgSize(), config.patchSize(), config.inChans(), d));
        Rng dropRng = rng.fork(0x0D10);
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < config.depth(); i++)
            blocks.add(new Block(d, config.numHeads(), config.mlpRatio(), dropPathRate(i), dropRng));
        this.queryBlocks = child("query_blocks", new ModuleList<>());
        for (int j = 0; j < config.queryDepth(); j++)
            queryBlocks.add(new QueryBlock(d, config.numHeads(), config.mlpRatio(), dropPathRate(j), dropRng));
        this.norm = child("norm", new LayerNorm(d));
        int out = config.headOutDim();
        if (config.predictionHead() == PredictionHeadType.MLP) {
            Mlp mlp = child("prediction_head", new Mlp(d, config.mlpHidden(), out));
            this.predictionHead = mlp;
            this.head = mlp::forward;
        } else {
            Linear linear = child("prediction_head", new Linear(d, out));
            this.predictionHead = linear;
            this.head = linear::forward;
        }
        boolean blur = config.pixelTarget() && config.gaussianKernelSize() > 0;
        this.gaussianBlur = blur ? child("gaussian_blur", new GaussianBlur(config.gaussianKernelSize(), config.gaussianSigma(), config.inChans())) : null;
        init(rng);
    }

    /** Stochastic depth of encoder block i: linspace(0, dropPath, depth)[i]; query block j reuses entry j. */
    private double dropPathRate(int i) {
        int n = config.depth();
        return n == 1 ? 0 : config.dropPath() * i / (n - 1);
    }

    /** Spec §2.7: Xavier linears with zero biases, unit norms, cls N(0, 0.02), patch embedding as in PatchEmbed.init. */
    private void init(Rng rng) {
        patchEmbed.init(rng);
        Init.normal(clsToken, rng, 0.02);
        for (Block b : blocks) b.init(rng);
        for (QueryBlock q : queryBlocks) q.init(rng);
        norm.reset();
        if (predictionHead instanceof Mlp) ((Mlp) predictionHead).initXavier(rng);
        else ((Linear) predictionHead).initXavier(rng);
    }

    /**
     * The target encoder of the 'clip' / 'dino' feature targets (a frozen {@link ViTTeacher}, §4.4) or of 'ema'
     * ({@link ModelEma#asTeacher()}): its features of all T tokens are the target, computed without gradients.
     */
    public void setTeacher(FeatureTeacher teacher) {
        this.teacher = teacher;
    }

    // ------------------------------------------------------------------ embeddings

    // images: (B, C, H, W) → h⁰: (B, T, D) = [cls + pos0, PatchEmbed(x) + pos]
    private Var embed(Tensor images) {
        return patchEmbed.tokens(images, clsToken.var(), posEmbed.var());
    }

    private void checkImages(Tensor images) {
        int[] s = images.shape();
        if (s.length != 4 || s[1] != config.inChans() || s[2] != config.imgSize() || s[3] != config.imgSize())
            throw new IllegalArgumentException("AimViT: images " + Shape.str(s) + " are not (B, " + config.inChans() + ", "
                    + config.imgSize() + ", " + config.imgSize() + ")");
    }

    // ------------------------------------------------------------------ order (§4)

    /**
     * The order pass (§4.2): eval mode, no gradients, unmasked encoder, shared final norm → Z, and the
     * last block's attention probabilities, with the cls / gap / self maps derived from them. Each block's
     * activations but its output go when it ends (every block runs in a scope of its own), and each output once the
     * next block has read it.
     */
    public OrderMaps orderMaps(Tensor images) {
        checkImages(images);
        boolean wasTraining = isTraining();
        eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            Var h = embed(images);                                              // h: (B, T, D)
            int last = blocks.size() - 1;
            for (int i = 0; i < last; i++) {
                try (TensorScope step = TensorScope.open()) {                   // each state goes once the next block read it
                    step.adopt(h.data());
                    h = blocks.get(i).forward(h, null);                         // no mask: full attention
                    step.keep(h.data());
                }
            }
            Block.WithProbs r = blocks.get(last).forwardWithProbs(h, null);     // probs: (B, H, T, T)
            return OrderMaps.of(norm.forward(r.out()).data(), r.probs().data()); // z: (B, T, D)
        } finally {
            train(wasTraining);
        }
    }

    /**
     * The attention map A (B, L) the order uses: the configured cls/gap/self map of the model itself, or
     * for 'clip'/'dino' targets the teacher's min-max similarity map (§4.4).
     */
    public Tensor orderPass(Tensor images) {
        // the pass runs every step: everything it made but the map goes back for the next one
        return TensorScope.returning(() -> usesTeacher() ? OrderMaps.teacherMap(teacherFeatures(images))
                : orderMaps(images).map(config.attentionType()));
    }

    /** The priority (B, L) of the configured permutation type, its noise drawn from rng (u first, then the centre draws). */
    public Tensor priority(Tensor images, Rng rng) {
        return priority(images, rng, this);
    }

    /** As {@link #priority(Tensor, Rng)} with the map taken from another model of this config (an EMA copy, §4.2). */
    public Tensor priority(Tensor images, Rng rng, AimViT mapModel) {
        Orders.Noise n = Orders.draw(rng, images.size(0), config.numPatches());
        return priority(images, n.tieBreak(), n.centre(), mapModel);
    }

    /** The priority with injected noise (B, L) and centre draws (B, 2) (may be null unless stochastic_center). */
    public Tensor priority(Tensor images, Tensor noise, Tensor centreU) {
        return priority(images, noise, centreU, this);
    }

    /** The priority with injected noise, the map (when the type needs one) from {@code mapModel}. */
    public Tensor priority(Tensor images, Tensor noise, Tensor centreU, AimViT mapModel) {
        checkImages(images);
        Tensor attn = config.orderNeedsMap() ? mapModel.orderPass(images) : null;
        return Orders.priority(config.permutationType(), config.grid(), noise, attn, centreU);
    }

    // ------------------------------------------------------------------ training forward (§2.5, §5)

    /** The interleaved two-stream pass → prediction (B, T, K), cls slot included. Masks (B, 1, T, T). */
    public Var predict(Tensor images, Tensor maskH, Tensor maskG) {
        return predict(images, maskH, maskG, null);
    }

    /**
     * As {@link #predict(Tensor, Tensor, Tensor)}, showing every stream state to {@code tap} (may be null) by
     * name: "embed" (h⁰), "blocks.i" (h after encoder block i), "query_blocks.j" (g after query block j),
     * "norm" (norm(g)); all (B, T, D). For inspection (semaim audit); the result is the same.
     */
    public Var predict(Tensor images, Tensor maskH, Tensor maskG, BiConsumer<String, Var> tap) {
        return predictMasked(images, AttentionMask.additive(maskH), AttentionMask.additive(maskG), tap);
    }

    /** As {@link #predict(Tensor, Tensor, Tensor, BiConsumer)} under any masks (order masks: the fused attention). */
    public Var predictMasked(Tensor images, AttentionMask maskH, AttentionMask maskG, BiConsumer<String, Var> tap) {
        checkImages(images);
        BiConsumer<String, Var> show = tap == null ? (name, v) -> { } : tap;
        Var h = embed(images);                                                  // h: (B, T, D)
        show.accept("embed", h);
        int b = images.size(0), t = config.numPatches() + 1;
        Var g = posEmbed.var().expand(b, t, config.embedDim());                 // g: (B, T, D) = pos
        int step = config.step();
        for (int i = 0; i < blocks.size(); i++) {
            h = blocks.get(i).forwardMasked(h, maskH);                                // h: (B, T, D)
            show.accept("blocks." + i, h);
            if ((i + 1) % step == 0) {
                int j = (i + 1) / step - 1;
                g = queryBlocks.get(j).forwardMasked(g, h, maskG);                    // g: (B, T, D)
                show.accept("query_blocks." + j, g);
            }
        }
        Var normed = norm.forward(g);                                           // (B, T, D)
        show.accept("norm", normed);
        return head.apply(normed);                                              // (B, T, K)
    }

    /** Turns the fused attention of the masked pass on or off (see the field); the values are the same either way. */
    public void setFusedAttention(boolean on) {
        fusedAttention = on;
    }

    public boolean fusedAttention() {
        return fusedAttention;
    }

    /** Loss, per-patch loss map and prediction for images (B, C, H, W) under the order priority (B, L). */
    public AimOutput forward(Tensor images, Tensor priority) {
        return forward(images, priority, null);
    }

    /** As {@link #forward(Tensor, Tensor)}, with the stream states shown to {@code tap} as in {@link #predict(Tensor, Tensor, Tensor, BiConsumer)}. */
    public AimOutput forward(Tensor images, Tensor priority, BiConsumer<String, Var> tap) {
        checkImages(images);
        int b = images.size(0), l = config.numPatches();
        if (priority.rank() != 2 || priority.size(0) != b || priority.size(1) != l)
            throw new IllegalArgumentException("AimViT: priority " + Shape.str(priority.shape()) + " is not (" + b + ", " + l + ")");
        // the masks, the target and their temporaries are the step's (the attention backward reads the probabilities,
        // the loss's backward the prediction only): the caller's scope ends them
        Var pred = fusedAttention                                                    // pred: (B, T, K)
                ? predictMasked(images, AttentionMask.order(OrderMask.content(priority)), AttentionMask.order(OrderMask.query(priority)), tap)
                : predict(images, Masks.content(priority), Masks.query(priority), tap);   // masks (B, 1, T, T) each
        Var patches = pred.narrow(1, 1, l);                                          // patches: (B, L, K)
        ReconstructionLoss.Result r;
        if (config.pixelTarget()) {
            r = ReconstructionLoss.pixel(patches, target(images), config.lossType());
        } else {
            r = ReconstructionLoss.feature(patches, featureTarget(images).narrow(1, 1, l).contiguous());
        }
        return new AimOutput(r.loss(), r.lossMap(), pred);
    }

    /** The pixel target (B, L, P·P·C): blur → patchify → norm-pix, as configured. */
    public Tensor target(Tensor images) {
        return Targets.pixel(images, gaussianBlur, config.patchSize(), config.normPixLoss());
    }

    private boolean usesTeacher() {
        return config.predictFeature().usesTeacher();
    }

    // (B, C, H, W) → (B, T, K) constant features of the configured target
    private Tensor featureTarget(Tensor images) {
        if (config.predictFeature().needsTargetEncoder()) return teacherFeatures(images); // clip, dino; ema: the EMA copy's z
        return orderMaps(images).z(); // 'inference': the model's own unmasked, normed encoder output
    }

    private Tensor teacherFeatures(Tensor images) {
        if (teacher == null)
            throw new IllegalStateException("AimViT: predict_feature '" + config.predictFeature().spelling() + "' needs "
                    + (usesTeacher() ? "a teacher (setTeacher)" : "an EMA copy (setTeacher(ModelEma.asTeacher()))"));
        Tensor f;
        try (GradMode.Scope s = GradMode.noGrad()) {
            f = teacher.features(images);
        }
        int t = config.numPatches() + 1;
        if (f.rank() != 3 || f.size(0) != images.size(0) || f.size(1) != t || f.size(2) != config.headOutDim())
            throw new IllegalArgumentException("AimViT: teacher features " + Shape.str(f.shape()) + " are not (" + images.size(0) + ", " + t + ", " + config.headOutDim() + ")");
        return f;
    }
}
