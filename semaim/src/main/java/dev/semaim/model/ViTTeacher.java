package dev.semaim.model;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Elementwise;
import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.LinearAlgebra;
import dev.semaim.autograd.Normalization;
import dev.semaim.autograd.ShapeOps;
import dev.semaim.autograd.Var;
import dev.semaim.nn.layers.MultiHeadAttention;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A frozen ViT teacher for the 'clip' and 'dino' feature targets (spec §4.4): the features of all T tokens,
 * (B, C, H, W) → (B, T, K), computed without gradients. Two tower styles share one forward:
 *
 * <pre>
 *   x = [cls, conv(P, stride P)(images)] + pos            (B, T, D)   CLIP: conv without bias
 *   x = ln_pre(x)                                                      CLIP only
 *   x = x + attn(norm1(x)); x = x + fc2(act(fc1(norm2(x))))  per block  (fused qkv rows [q | k | v], scale hd^-0.5)
 *   f = norm(x) (every token) [@ proj (D, K)]                          CLIP: ln_post, then proj (768 → 512)
 * </pre>
 *
 * <p>{@link Style#TIMM} (DINO ViT-B/16 through timm): LayerNorm eps 1e-6, exact GELU, no ln_pre, no projection;
 * {@link Style#CLIP} (OpenAI CLIP's visual tower): eps 1e-5, QuickGELU x·σ(1.702x), ln_pre, projection. The weights
 * are held under one canonical set of names ({@link #expectedKeys}); {@code dev.semaim.io.TeacherFile} maps the files'
 * layouts (OpenAI CLIP, its TorchScript archive, Hugging Face CLIPVisionModel, timm) onto them.
 *
 * <p>Precision: the tower computes in the dtype and on the backend of the images it is given (the weights are
 * converted to match on first use and kept), so a run in another precision passes images of that dtype.
 */
public final class ViTTeacher implements FeatureTeacher {
    /** The two kinds of tower. */
    public enum Style {
        /** timm's VisionTransformer (DINO): eps 1e-6, exact GELU, patch conv with bias, no ln_pre, no projection. */
        TIMM(1e-6),
        /** OpenAI CLIP's VisionTransformer: eps 1e-5, QuickGELU, conv without bias, ln_pre, projection. */
        CLIP(1e-5);

        /** LayerNorm eps of every norm of the tower. */
        public final double eps;

        Style(double eps) {
            this.eps = eps;
        }
    }

    public final Style style;
    public final int dim, depth, heads, patch, inChans, grid;
    /** Width of the features: the projection's K, else D. */
    public final int outDim;
    /** Canonical name → weight, as loaded (float32 or as stored). */
    private final Map<String, Tensor> weights;
    /** The weights converted to the dtype/backend last used. */
    private final Map<String, Tensor> converted = new TreeMap<>();
    private DType convertedDtype;
    private Backend convertedBackend;

    /**
     * @param weights canonical names ({@link #expectedKeys}): {@code cls_token} (D) or (1, 1, D), {@code pos_embed}
     *                (T, D) or (1, T, D), {@code patch_embed.proj.weight} (D, C, P, P), ...; {@code proj} (D, K) optional
     * @param heads   attention heads (the files do not record them; OpenAI CLIP and DINO/timm ViTs use width / 64)
     */
    public ViTTeacher(Style style, Map<String, Tensor> weights, int heads, String source) {
        this.style = style;
        this.weights = new TreeMap<>(weights);
        Tensor pe = weights.get("patch_embed.proj.weight");
        if (pe == null || pe.rank() != 4 || pe.size(2) != pe.size(3))
            throw new IllegalArgumentException(source + ": the patch embedding is missing or not (D, C, P, P)");
        this.dim = pe.size(0);
        this.inChans = pe.size(1);
        this.patch = pe.size(2);
        int d = 0;
        while (weights.containsKey("blocks." + d + ".norm1.weight")) d++;
        this.depth = d;
        this.heads = heads;
        if (heads <= 0 || dim % heads != 0)
            throw new IllegalArgumentException(source + ": width " + dim + " is not divisible into " + heads + " attention heads");
        Tensor pos = weights.get("pos_embed");
        int tokens = pos == null ? 0 : pos.size(pos.rank() - 2);
        this.grid = (int) Math.round(Math.sqrt(tokens - 1));
        if (pos == null || grid * grid + 1 != tokens)
            throw new IllegalArgumentException(source + ": the position embedding " + (pos == null ? "is missing" : Shape.str(pos.shape())
                    + " is not (1 + G·G, D)"));
        Tensor proj = weights.get("proj");
        this.outDim = proj == null ? dim : proj.size(1);
        List<String> missing = new ArrayList<>();
        for (String k : expectedKeys(style, depth, proj != null)) if (!weights.containsKey(k)) missing.add(k);
        if (depth == 0 || !missing.isEmpty())
            throw new IllegalArgumentException(source + ": incomplete " + style + " teacher: missing " + (depth == 0 ? "blocks.0.*" : missing));
        if (proj != null && (proj.rank() != 2 || proj.size(0) != dim))
            throw new IllegalArgumentException(source + ": projection " + Shape.str(proj.shape()) + " is not (" + dim + ", K)");
    }

    /** The canonical weight names of a tower of {@code depth} blocks. */
    public static List<String> expectedKeys(Style style, int depth, boolean proj) {
        List<String> k = new ArrayList<>(List.of("cls_token", "pos_embed", "patch_embed.proj.weight"));
        if (style == Style.TIMM) k.add("patch_embed.proj.bias");
        if (style == Style.CLIP) k.addAll(List.of("norm_pre.weight", "norm_pre.bias"));
        for (int i = 0; i < depth; i++) {
            for (String m : List.of("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2")) {
                k.add("blocks." + i + "." + m + ".weight");
                k.add("blocks." + i + "." + m + ".bias");
            }
        }
        k.addAll(List.of("norm.weight", "norm.bias"));
        if (proj) k.add("proj");
        return k;
    }

    /** The image side the position embedding was made for. */
    public int imgSize() {
        return grid * patch;
    }

    // images: (B, C, H, W) → (B, T, K)
    @Override
    public Tensor features(Tensor images) {
        int[] s = images.shape();
        if (s.length != 4 || s[1] != inChans || s[2] != imgSize() || s[3] != imgSize())
            throw new IllegalArgumentException("teacher: images " + Shape.str(s) + " are not (B, " + inChans + ", " + imgSize() + ", "
                    + imgSize() + ") as its patch and position embeddings need");
        try (GradMode.Scope g = GradMode.noGrad()) {
            return TensorScope.returning(() -> forward(images).data());
        }
    }

    private Var forward(Tensor images) {
        int b = images.size(0), l = grid * grid;
        Tensor patches = images.patchifyChannelMajor(patch).contiguous();                 // (B, L, C·P·P)
        Var w = w("patch_embed.proj.weight", images).reshape(dim, inChans * patch * patch); // (D, C·P·P)
        Var t = LinearAlgebra.linear(Var.constant(patches), w, style == Style.TIMM ? w("patch_embed.proj.bias", images) : null); // (B, L, D)
        Var cls = w("cls_token", images).reshape(1, 1, dim).expand(b, 1, dim);             // (B, 1, D)
        Var x = Arithmetic.add(ShapeOps.cat(1, cls, t), w("pos_embed", images).reshape(1, l + 1, dim)); // x: (B, T, D)
        if (style == Style.CLIP) x = norm("norm_pre", x, images);
        for (int i = 0; i < depth; i++) {
            try (TensorScope step = TensorScope.open()) {                                   // each state goes once read
                step.adopt(x.data());
                x = block("blocks." + i + ".", x, images);
                step.keep(x.data());
            }
        }
        Var f = norm("norm", x, images);                                                   // f: (B, T, D)
        return weights.containsKey("proj") ? LinearAlgebra.matmul(f, w("proj", images)) : f; // (B, T, K)
    }

    // x: (B, T, D) → (B, T, D)
    private Var block(String p, Var x, Tensor like) {
        Var qkv = LinearAlgebra.linear(norm(p + "norm1", x, like), w(p + "attn.qkv.weight", like), w(p + "attn.qkv.bias", like)); // (B, T, 3D)
        Var a = MultiHeadAttention.attendPacked(qkv, heads, null).out();                   // (B, T, D)
        Var y = LinearAlgebra.linear(a, w(p + "attn.proj.weight", like), w(p + "attn.proj.bias", like), x);
        Var h = LinearAlgebra.linear(norm(p + "norm2", y, like), w(p + "mlp.fc1.weight", like), w(p + "mlp.fc1.bias", like)); // (B, T, 4D)
        return LinearAlgebra.linear(activation(h), w(p + "mlp.fc2.weight", like), w(p + "mlp.fc2.bias", like), y);
    }

    private Var activation(Var h) {
        if (style == Style.TIMM) return Elementwise.gelu(h);
        // QuickGELU: x·σ(1.702x) = x / (1 + exp(−1.702x))
        return Arithmetic.div(h, Arithmetic.addScalar(Elementwise.exp(Arithmetic.mulScalar(h, -1.702)), 1.0));
    }

    private Var norm(String name, Var x, Tensor like) {
        return Normalization.layerNorm(x, w(name + ".weight", like), w(name + ".bias", like), style.eps);
    }

    /** A weight in the dtype and on the backend of {@code like}, converted once per change of either. */
    private Var w(String name, Tensor like) {
        if (convertedDtype != like.dtype() || convertedBackend != like.backend()) {
            converted.clear();
            convertedDtype = like.dtype();
            convertedBackend = like.backend();
        }
        return Var.constant(converted.computeIfAbsent(name, k -> TensorScope.detach(weights.get(k).to(like.backend()).to(like.dtype()))));
    }
}
