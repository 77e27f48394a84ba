package dev.semaim.eval;

import dev.semaim.io.Convert;
import dev.semaim.io.WeightFiles;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.LoadReport;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads pre-trained weights into a classifier {@link VisionTransformer} as MAE/SemAIM's fine-tuning,
 * linear-probing and k-NN scripts do (spec section 7): from this project's safetensors checkpoints (the
 * optimizer state is skipped) or a PyTorch {@code .pth} ({@code ['state_dict']}, else {@code ['model']}, else
 * the top level); every "module." substring is removed; the pre-training-only tensors {@code query_blocks.*},
 * {@code prediction_head.*}, {@code gaussian_blur.*} (and {@code norm.*} under global pooling, whose
 * {@code fc_norm} starts fresh) are dropped; {@code head.*} is dropped when its shape differs; {@code pos_embed}
 * is resized bicubically when the patch grid differs; the load is non-strict.
 *
 * <p>Unlike the reference, weights that do not fit are errors, never a random network scored under the
 * checkpoint's name: the architecture in the checkpoint's {@code config} metadata must be the requested one
 * ({@link #checkArchitecture}, before any work), every tensor must have the model's shape and a floating-point
 * dtype, a missing encoder tensor other than the ones the protocol re-creates ({@code head.*}, {@code fc_norm.*})
 * needs {@code --allow_missing_keys}, and a NaN or infinity needs {@code --allow_non_finite}.
 */
public final class BackboneLoader {
    private static final List<String> PRETRAIN_ONLY = List.of("query_blocks.", "prediction_head.", "gaussian_blur.");
    /** What the protocols build fresh (spec sections 7-9: expected missing keys). */
    private static final List<String> RECREATED = List.of("head.", "fc_norm.");
    private static final Pattern SIZE = Pattern.compile("(?:aim|vit)_?(tiny|small|base|large)(?:_patch\\d+)?");

    /** What was loaded from where, with the keys set aside before loading. */
    public record Result(Path source, LoadReport report, List<String> dropped, String posEmbedNote) {
        /** One short line per finding, for the run log. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            boolean onlyRecreated = report.unexpected().isEmpty()
                    && report.missing().stream().allMatch(BackboneLoader::recreated);
            out.add("loaded pre-trained weights from " + source + ": " + report
                    + (!report.clean() && onlyRecreated ? " (fresh, as the protocol re-creates them)" : ""));
            if (!dropped.isEmpty()) {
                out.add("ignored " + dropped.size() + " pre-training-only or unusable tensors (" + LoadReport.summarize(dropped) + ")");
            }
            if (posEmbedNote != null) {
                out.add(posEmbedNote);
            }
            return out;
        }
    }

    private BackboneLoader() {
    }

    /** The model tensors of a checkpoint file, names as stored. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        requireFile(file);
        return WeightFiles.read(file);
    }

    /**
     * Before any work: when {@code --finetune} is a safetensors file whose metadata {@code config} records an
     * architecture (this project's pre-training and evaluation checkpoints, the fixtures' AimViT arguments), it must
     * be the requested one (patch size, channels, width, depth, heads; the input size may differ, pos_embed is
     * resized). A file without a readable architecture is left to the tensor shapes at load time.
     */
    public static void checkArchitecture(EvalOptions o) {
        if (o.finetune == null) {
            return;
        }
        requireFile(o.finetune);
        if (!Convert.isSafetensors(o.finetune)) {
            return;
        }
        VitSpec stored = recordedArchitecture(Safetensors.readMetadata(o.finetune));
        VitSpec wanted = o.vitSpec();
        if (stored != null && !sameArchitecture(stored, wanted)) {
            throw new IllegalArgumentException("--finetune " + o.finetune + " holds a " + shape(stored)
                    + " (its metadata 'config') but --model " + o.model + " asks for a " + shape(wanted)
                    + ": pass the architecture it was trained with (--model, --patch_size, --in_chans, --embed_dim, --depth, --num_heads)");
        }
    }

    /**
     * {@link #read} (the entry {@code --checkpoint_key} names, when given) then
     * {@link #load(VisionTransformer, Map, Path, boolean, boolean)} with the options' flags; lines to {@code log}.
     */
    public static Result load(VisionTransformer model, EvalOptions o, Consumer<String> log) throws IOException {
        requireFile(o.finetune);
        Map<String, Tensor> stored;
        try {
            stored = WeightFiles.read(o.finetune, o.checkpointKey);
        } catch (IllegalArgumentException e) {
            if (o.checkpointKey == null) {
                throw e;
            }
            throw new IllegalArgumentException("--checkpoint_key " + o.checkpointKey + ": " + e.getMessage(), e);
        }
        Result r = load(model, stored, o.finetune, o.allowMissingKeys, o.allowNonFinite);
        r.lines().forEach(log);
        return r;
    }

    /**
     * Cleans the names as described above and loads non-strictly into {@code model}; every refusal is one line
     * naming {@code source} and the flag that would override it, where one does.
     */
    public static Result load(VisionTransformer model, Map<String, Tensor> stored, Path source, boolean allowMissingKeys,
                              boolean allowNonFinite) {
        Map<String, Tensor> own = StateDict.of(model);
        Map<String, Tensor> clean = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : stored.entrySet()) {
            String name = e.getKey().replace("module.", "");
            boolean pretrainOnly = PRETRAIN_ONLY.stream().anyMatch(name::startsWith)
                    || (model.globalPool && name.startsWith("norm."));
            boolean headMismatch = name.startsWith("head.") && own.containsKey(name) && !own.get(name).sameShape(e.getValue());
            if (pretrainOnly || headMismatch) {
                dropped.add(name);
            } else {
                clean.put(name, e.getValue());
            }
        }
        String note = null;
        Tensor pos = clean.get("pos_embed");
        if (pos != null && pos.rank() == 3 && model.posEmbed.data().rank() == 3 && pos.size(2) == model.embedDim
                && pos.size(1) != model.posEmbed.data().size(1)) {
            int target = model.patchEmbed.grid;
            int from = (int) Math.round(Math.sqrt(pos.size(1) - 1));
            try {
                clean.put("pos_embed", PosEmbedResize.resize(pos, 1, target));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--finetune " + source + ": " + e.getMessage(), e);
            }
            note = "pos_embed resized bicubically from a " + from + "x" + from + " to a " + target + "x" + target + " grid";
        }
        List<String> missing = new ArrayList<>();
        for (String k : own.keySet()) {
            if (!clean.containsKey(k) && !recreated(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty() && !allowMissingKeys) {
            throw new IllegalArgumentException("--finetune " + source + " lacks " + missing.size() + " encoder tensor(s) the model needs ("
                    + LoadReport.summarize(missing) + "): is it a checkpoint of this architecture? Pass --allow_missing_keys "
                    + "to keep their random initialisation");
        }
        LoadReport report;
        try {
            report = StateDict.load(model, clean, false, allowNonFinite);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--finetune " + source + ": " + e.getMessage()
                    + (e.getMessage().startsWith("non-finite") ? "; pass --allow_non_finite to load them anyway" : ""), e);
        }
        return new Result(source, report, dropped, note);
    }

    private static boolean recreated(String key) {
        return RECREATED.stream().anyMatch(key::startsWith);
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--finetune " + file + " does not exist");
        }
    }


    /**
     * The architecture a checkpoint's metadata {@code config} records, or null when it records none that can be read:
     * a pre-training config (model aim_X with overrides, 0 = the preset's), an evaluation config (vit_X_patchN with the
     * resolved sizes) or AimViT keyword arguments (explicit sizes).
     */
    static VitSpec recordedArchitecture(Map<String, String> metadata) {
        String json = metadata.get("config");
        if (json == null) {
            return null;
        }
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> cfg)) {
                return null;
            }
            int patch = intOf(cfg, "patch_size"), inChans = intOf(cfg, "in_chans");
            int embed = intOf(cfg, "embed_dim"), depth = intOf(cfg, "depth"), heads = intOf(cfg, "num_heads");
            Matcher m = cfg.get("model") instanceof String name ? SIZE.matcher(name.toLowerCase(Locale.ROOT)) : null;
            String size = m != null && m.matches() ? m.group(1) : embed > 0 && depth > 0 && heads > 0 ? "base" : null;
            if (size == null || patch < 1 || inChans < 1) {
                return null;
            }
            // the input size is not compared (pos_embed is resized): one patch satisfies VitSpec's check
            return VitSpec.parse("vit_" + size + "_patch" + patch, patch, patch, inChans, embed, depth, heads);
        } catch (IllegalArgumentException e) { // not JSON, or sizes no ViT has: nothing to compare against
            return null;
        }
    }

    private static int intOf(Map<?, ?> cfg, String key) {
        return cfg.get(key) instanceof Long v && v > 0 && v <= Integer.MAX_VALUE ? v.intValue() : 0;
    }

    private static boolean sameArchitecture(VitSpec a, VitSpec b) {
        return a.patchSize() == b.patchSize() && a.inChans() == b.inChans() && a.embedDim() == b.embedDim()
                && a.depth() == b.depth() && a.numHeads() == b.numHeads();
    }

    private static String shape(VitSpec s) {
        return String.format(Locale.ROOT, "ViT patch %d, %d channel(s), width %d, depth %d, heads %d",
                s.patchSize(), s.inChans(), s.embedDim(), s.depth(), s.numHeads());
    }
}
