package dev.semaim.model;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.layers.Block;
import dev.semaim.nn.layers.Init;
import dev.semaim.nn.layers.LayerNorm;
import dev.semaim.nn.layers.Linear;
import dev.semaim.nn.layers.ModuleList;
import dev.semaim.nn.layers.PatchEmbed;
import dev.semaim.nn.layers.PosEmbed;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * The classifier ViT of fine-tuning, linear probing and k-NN (spec §7–§9), timm-compatible keys:
 * cls_token, pos_embed (learnable, starts from the sin-cos table), patch_embed.proj.*, blocks.i.*, then
 * {@code fc_norm.*} (global pool: mean of the patch tokens, cls excluded) or {@code norm.*} (cls token:
 * norm → token 0), then head.* (absent when numClasses is 0: the features are the output).
 * Encoder keys equal AimViT's, so pre-trained weights load 1:1.
 */
public final class VisionTransformer extends Module {
    public final int embedDim, numClasses;
    public final boolean globalPool;
    public final Parameter clsToken, posEmbed;
    public final PatchEmbed patchEmbed;
    public final ModuleList<Block> blocks;
    /** fc_norm with global pooling, norm with the cls token. */
    public final LayerNorm finalNorm;
    /** null when numClasses is 0. */
    public final Linear head;

    /**
     * Builds and initialises: Xavier linears with zero biases, unit norms, cls N(0, 0.02), patch
     * embedding as {@link PatchEmbed#init}, head weight trunc-normal std 2e-5 (§7), stochastic depth
     * ramp linspace(0, dropPath, depth).
     */
    public VisionTransformer(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads, double mlpRatio,
                             int numClasses, boolean globalPool, double dropPath, Rng rng) {
        if (numClasses < 0) throw new IllegalArgumentException("VisionTransformer: numClasses " + numClasses + " is negative");
        this.embedDim = embedDim;
        this.numClasses = numClasses;
        this.globalPool = globalPool;
        this.clsToken = param("cls_token", Tensor.zeros(1, 1, embedDim));
        PatchEmbed pe = new PatchEmbed(imgSize, patchSize, inChans, embedDim);
        this.posEmbed = param("pos_embed", PosEmbed.sinCos(embedDim, pe.grid, true));
        this.patchEmbed = child("patch_embed", pe);
        Rng dropRng = rng.fork(0x0D10);
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < depth; i++)
            blocks.add(new Block(embedDim, numHeads, mlpRatio, depth == 1 ? 0 : dropPath * i / (depth - 1), dropRng));
        this.finalNorm = child(globalPool ? "fc_norm" : "norm", new LayerNorm(embedDim));
        this.head = numClasses > 0 ? child("head", new Linear(embedDim, numClasses)) : null;
        patchEmbed.init(rng);
        Init.normal(clsToken, rng, 0.02);
        for (Block b : blocks) b.init(rng);
        if (head != null) {
            Init.truncNormal(head.weight, rng, 2e-5);
            Init.zeros(head.bias);
        }
    }

    /** The encoder of a pre-training configuration (same image, patch, width, depth, heads, mlp ratio). */
    public static VisionTransformer of(AimConfig c, int numClasses, boolean globalPool, double dropPath, Rng rng) {
        return new VisionTransformer(c.imgSize(), c.patchSize(), c.inChans(), c.embedDim(), c.depth(), c.numHeads(), c.mlpRatio(),
                numClasses, globalPool, dropPath, rng);
    }

    // images: (B, C, H, W) → tokens after the last block (B, T, D)
    private Var encode(Tensor images) {
        Var x = patchEmbed.tokens(images, clsToken.var(), posEmbed.var());   // x: (B, T, D)
        for (Block b : blocks) {
            try (TensorScope step = TensorScope.open()) {                    // without gradients each state goes once read
                step.adopt(x.data());                                        // (a graph holds it otherwise)
                x = b.forward(x, null);                                      // x: (B, T, D)
                step.keep(x.data());
            }
        }
        return x;
    }

    /** The pooled, normed feature (B, D): fc_norm(mean of patch tokens) or norm(x)[:, 0]. */
    public Var forwardFeatures(Tensor images) {
        Var x = encode(images);                                              // x: (B, T, D)
        if (globalPool) return finalNorm.forward(x.narrow(1, 1, x.size(1) - 1).mean(false, 1)); // (B, D)
        return finalNorm.forward(x).select(1, 0);                            // (B, D)
    }

    /** Logits (B, numClasses), or the features (B, D) when there is no head. */
    public Var forward(Tensor images) {
        Var f = forwardFeatures(images);
        return head == null ? f : head.forward(f);
    }

    /** Features (B, D) for linear probing and k-NN: eval mode, no gradients, every other buffer gone on return. */
    public Tensor features(Tensor images) {
        boolean wasTraining = isTraining();
        eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            return TensorScope.returning(() -> forwardFeatures(images).data());
        } finally {
            train(wasTraining);
        }
    }

    /**
     * All T tokens after the last block and the final norm (B, T, D), eval mode, no gradients: a
     * DINO-style {@link FeatureTeacher} for the feature targets of §4.4 ({@code vit::tokens}).
     */
    public Tensor tokens(Tensor images) {
        boolean wasTraining = isTraining();
        eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            return TensorScope.returning(() -> finalNorm.forward(encode(images)).data());
        } finally {
            train(wasTraining);
        }
    }
}
