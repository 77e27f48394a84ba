package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.LinearAlgebra;
import dev.semaim.autograd.ShapeOps;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * timm PatchEmbed (spec §2.2): a kernel-P, stride-P convolution C→D with bias, flattened row-major over
 * the grid (token p = row·G + col). Computed as a matrix product: the (D, C, P, P) weight viewed as
 * (D, C·P·P) times each patch vector in (channel, y, x) order ({@link Tensor#patchifyChannelMajor}).
 * Keys: proj.weight (D, C, P, P), proj.bias (D).
 */
public final class PatchEmbed extends Module {
    /** The convolution's parameters, under the child name "proj" as in timm. */
    public static final class Proj extends Module {
        public final Parameter weight, bias;

        Proj(int dim, int inChans, int patch) {
            weight = param("weight", Tensor.zeros(dim, inChans, patch, patch));
            bias = param("bias", Tensor.zeros(dim));
        }
    }

    public final int imgSize, patchSize, inChans, dim, grid, numPatches;
    public final Proj proj;

    public PatchEmbed(int imgSize, int patchSize, int inChans, int dim) {
        if (patchSize <= 0 || imgSize % patchSize != 0)
            throw new IllegalArgumentException("PatchEmbed: image size " + imgSize + " is not a multiple of patch size " + patchSize);
        this.imgSize = imgSize;
        this.patchSize = patchSize;
        this.inChans = inChans;
        this.dim = dim;
        this.grid = imgSize / patchSize;
        this.numPatches = grid * grid;
        this.proj = child("proj", new Proj(dim, inChans, patchSize));
    }

    /** Spec §2.7: Xavier-uniform on the (D, C·P·P) view; bias keeps PyTorch's Conv2d default U(±1/sqrt(C·P·P)). */
    public void init(Rng rng) {
        Init.xavierUniform(proj.weight, rng);
        Init.convDefaultBias(proj.bias, rng, inChans * patchSize * patchSize);
    }

    // images: (B, C, H, W) → (B, L, D)
    public Var forward(Tensor images) {
        int[] s = images.shape();
        if (s.length != 4 || s[1] != inChans || s[2] != imgSize || s[3] != imgSize)
            throw new IllegalArgumentException("PatchEmbed: images " + Shape.str(s) + " are not (B, " + inChans + ", " + imgSize + ", " + imgSize + ")");
        Tensor patches = images.patchifyChannelMajor(patchSize).contiguous();            // patches: (B, L, C·P·P)
        Var w = proj.weight.var().reshape(dim, inChans * patchSize * patchSize);         // w: (D, C·P·P)
        boolean copied = patches.storage() != images.storage();                          // a copy: the graph's own
        return LinearAlgebra.linear(copied ? Var.temporary(patches) : Var.constant(patches), w, proj.bias.var()); // (B, L, D)
    }

    /**
     * The ViT token sequence: [cls, PatchEmbed(x)] + pos, with cls (1, 1, D) and pos (1, 1 + L, D).
     * images: (B, C, H, W) → (B, 1 + L, D).
     */
    public Var tokens(Tensor images, Var cls, Var pos) {
        Var t = forward(images);                                                          // t: (B, L, D)
        Var c = cls.expand(t.size(0), 1, dim);                                             // c: (B, 1, D)
        Var joined = ShapeOps.cat(1, c, t);                                                // joined: (B, 1 + L, D)
        return Arithmetic.add(joined, pos);                                                // (B, 1 + L, D)
    }
}
