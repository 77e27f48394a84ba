package dev.semaim.io;

import dev.semaim.model.ViTTeacher;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A teacher's weights file ({@code --teacher}, spec §4.4) read into a {@link ViTTeacher}, whatever its layout:
 * <ul>
 *   <li>OpenAI CLIP in its own key layout, as the plain state dict the official code {@code torch.load}s or as the
 *       TorchScript archive {@code clip.load} downloads (read by {@link TorchCheckpoint} without running its code):
 *       {@code visual.conv1.weight}, {@code visual.class_embedding}, {@code visual.positional_embedding},
 *       {@code visual.ln_pre.*}, {@code visual.transformer.resblocks.N.{ln_1, attn.in_proj_*, attn.out_proj, ln_2,
 *       mlp.c_fc, mlp.c_proj}}, {@code visual.ln_post.*}, {@code visual.proj}; the text tower's keys are ignored;</li>
 *   <li>Hugging Face {@code CLIPVisionModel} / {@code CLIPVisionModelWithProjection} safetensors: {@code vision_model.*}
 *       ({@code q_proj/k_proj/v_proj} fused into one qkv) and {@code visual_projection.weight} (transposed);</li>
 *   <li>a timm ViT such as DINO's {@code dino_vitbase16_pretrain.pth}: {@code cls_token}, {@code pos_embed},
 *       {@code patch_embed.proj.*}, {@code blocks.N.*}, {@code norm.*}; a {@code head.*} is ignored, as timm's
 *       {@code num_classes=0} model does.</li>
 * </ul>
 * A DDP {@code module.} prefix is removed. Neither layout records the head count: it is width / {@link #HEAD_DIM}, as in
 * every OpenAI CLIP and DINO ViT. Anything else is an error listing the keys each layout needs.
 */
public final class TeacherFile {
    /** The attention head width of OpenAI CLIP's and DINO's ViTs: heads = width / 64. */
    public static final int HEAD_DIM = 64;
    private static final String CLIP = "visual.", HF = "vision_model.", MODULE = "module.";
    private static final List<String> CLIP_KEYS = List.of("visual.conv1.weight", "visual.class_embedding", "visual.positional_embedding",
            "visual.ln_pre.weight", "visual.transformer.resblocks.0.attn.in_proj_weight", "visual.ln_post.weight", "visual.proj");
    private static final List<String> HF_KEYS = List.of("vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.class_embedding",
            "vision_model.embeddings.position_embedding.weight", "vision_model.pre_layrnorm.weight",
            "vision_model.encoder.layers.0.self_attn.q_proj.weight", "vision_model.post_layernorm.weight", "visual_projection.weight");
    private static final List<String> TIMM_KEYS = List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "norm.weight");

    private TeacherFile() {
    }

    /** The teacher in {@code file} (.pth, TorchScript .pt, or .safetensors), heads = width / {@link #HEAD_DIM}. */
    public static ViTTeacher read(Path file) throws IOException {
        return read(file, HEAD_DIM);
    }

    /** As {@link #read(Path)} with another head width (small test towers). */
    public static ViTTeacher read(Path file, int headDim) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--teacher " + file + " does not exist");
        Map<String, Tensor> raw;
        try {
            raw = WeightFiles.read(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--teacher " + file + " is unreadable: " + e.getMessage(), e);
        }
        Map<String, Tensor> stripped = new LinkedHashMap<>();
        raw.forEach((k, v) -> stripped.put(k.startsWith(MODULE) ? k.substring(MODULE.length()) : k, v));
        return of(stripped, headDim, "--teacher " + file);
    }

    /** A teacher from a state dict in one of the three layouts; {@code source} names it in errors. */
    public static ViTTeacher of(Map<String, Tensor> sd, int headDim, String source) {
        if (sd.containsKey(CLIP + "conv1.weight")) return build(ViTTeacher.Style.CLIP, fromOpenAi(sd, source), headDim, source);
        if (sd.containsKey(HF + "embeddings.patch_embedding.weight")) return build(ViTTeacher.Style.CLIP, fromHuggingFace(sd, source), headDim, source);
        if (sd.containsKey("patch_embed.proj.weight") && sd.containsKey("blocks.0.attn.qkv.weight")) {
            Map<String, Tensor> w = new LinkedHashMap<>();
            sd.forEach((k, v) -> { if (!k.startsWith("head.") && !k.startsWith("fc_norm.")) w.put(k, v); });
            return build(ViTTeacher.Style.TIMM, w, headDim, source);
        }
        List<String> first = new ArrayList<>(sd.keySet()).subList(0, Math.min(6, sd.size()));
        throw new IllegalArgumentException(source + ": not a teacher layout this program reads; expected OpenAI CLIP keys " + CLIP_KEYS
                + " (its .pth or TorchScript archive), Hugging Face CLIPVisionModel keys " + HF_KEYS + ", or timm/DINO ViT keys " + TIMM_KEYS
                + "; the file has " + sd.size() + " tensors, first " + first);
    }

    private static ViTTeacher build(ViTTeacher.Style style, Map<String, Tensor> w, int headDim, String source) {
        int dim = w.get("patch_embed.proj.weight").size(0);
        if (dim % headDim != 0)
            throw new IllegalArgumentException(source + ": width " + dim + " is not a multiple of the head width " + headDim);
        return new ViTTeacher(style, w, dim / headDim, source);
    }

    private static Map<String, Tensor> fromOpenAi(Map<String, Tensor> sd, String source) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        put(w, "patch_embed.proj.weight", sd, CLIP + "conv1.weight", source);
        put(w, "cls_token", sd, CLIP + "class_embedding", source);
        put(w, "pos_embed", sd, CLIP + "positional_embedding", source);
        norm(w, "norm_pre", sd, CLIP + "ln_pre", source);
        for (int i = 0; sd.containsKey(CLIP + "transformer.resblocks." + i + ".ln_1.weight"); i++) {
            String p = CLIP + "transformer.resblocks." + i + ".", q = "blocks." + i + ".";
            norm(w, q + "norm1", sd, p + "ln_1", source);
            put(w, q + "attn.qkv.weight", sd, p + "attn.in_proj_weight", source);
            put(w, q + "attn.qkv.bias", sd, p + "attn.in_proj_bias", source);
            norm(w, q + "attn.proj", sd, p + "attn.out_proj", source);
            norm(w, q + "norm2", sd, p + "ln_2", source);
            norm(w, q + "mlp.fc1", sd, p + "mlp.c_fc", source);
            norm(w, q + "mlp.fc2", sd, p + "mlp.c_proj", source);
        }
        norm(w, "norm", sd, CLIP + "ln_post", source);
        if (sd.containsKey(CLIP + "proj")) w.put("proj", sd.get(CLIP + "proj"));
        return w;
    }

    private static Map<String, Tensor> fromHuggingFace(Map<String, Tensor> sd, String source) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        String e = HF + "embeddings.";
        put(w, "patch_embed.proj.weight", sd, e + "patch_embedding.weight", source);
        put(w, "cls_token", sd, e + "class_embedding", source);
        put(w, "pos_embed", sd, e + "position_embedding.weight", source);
        norm(w, "norm_pre", sd, HF + "pre_layrnorm", source);
        for (int i = 0; sd.containsKey(HF + "encoder.layers." + i + ".layer_norm1.weight"); i++) {
            String p = HF + "encoder.layers." + i + ".", q = "blocks." + i + ".";
            norm(w, q + "norm1", sd, p + "layer_norm1", source);
            for (String kind : List.of("weight", "bias")) {           // rows [q | k | v], as OpenAI's in_proj
                Tensor qw = need(sd, p + "self_attn.q_proj." + kind, source), kw = need(sd, p + "self_attn.k_proj." + kind, source),
                        vw = need(sd, p + "self_attn.v_proj." + kind, source);
                w.put(q + "attn.qkv." + kind, Tensor.cat(0, qw, kw, vw));
            }
            norm(w, q + "attn.proj", sd, p + "self_attn.out_proj", source);
            norm(w, q + "norm2", sd, p + "layer_norm2", source);
            norm(w, q + "mlp.fc1", sd, p + "mlp.fc1", source);
            norm(w, q + "mlp.fc2", sd, p + "mlp.fc2", source);
        }
        norm(w, "norm", sd, HF + "post_layernorm", source);
        Tensor proj = sd.get("visual_projection.weight");                // (K, D): a Linear without bias
        if (proj != null) {
            if (proj.rank() != 2) throw new IllegalArgumentException(source + ": visual_projection.weight " + Shape.str(proj.shape()) + " is not (K, D)");
            w.put("proj", proj.transpose(0, 1).contiguous());
        }
        return w;
    }

    /** A module's weight and bias (a LayerNorm or a Linear). */
    private static void norm(Map<String, Tensor> w, String to, Map<String, Tensor> sd, String from, String source) {
        put(w, to + ".weight", sd, from + ".weight", source);
        put(w, to + ".bias", sd, from + ".bias", source);
    }

    private static void put(Map<String, Tensor> w, String to, Map<String, Tensor> sd, String from, String source) {
        w.put(to, need(sd, from, source));
    }

    private static Tensor need(Map<String, Tensor> sd, String key, String source) {
        Tensor t = sd.get(key);
        if (t == null) throw new IllegalArgumentException(source + ": incomplete teacher: no '" + key + "'");
        return t;
    }
}
