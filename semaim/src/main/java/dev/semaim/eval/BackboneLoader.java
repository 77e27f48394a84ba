package dev.semaim.eval;

import dev.semaim.io.TorchCheckpoint;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.LoadReport;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Loads pre-trained weights into a classifier {@link VisionTransformer} as MAE/SemAIM's fine-tuning,
 * linear-probing and k-NN scripts do (spec section 7): from this project's safetensors checkpoints (the
 * optimizer state is skipped) or a PyTorch {@code .pth} ({@code ['state_dict']}, else {@code ['model']}, else
 * the top level); every "module." substring is removed; the pre-training-only tensors {@code query_blocks.*},
 * {@code prediction_head.*}, {@code gaussian_blur.*} (and {@code norm.*} under global pooling, whose
 * {@code fc_norm} starts fresh) are dropped; {@code head.*} is dropped when its shape differs; {@code pos_embed}
 * is resized bicubically when the patch grid differs; the load is non-strict and reports what did not match
 * (expected missing: head.*, fc_norm.*).
 */
public final class BackboneLoader {
    private static final List<String> PRETRAIN_ONLY = List.of("query_blocks.", "prediction_head.", "gaussian_blur.");

    /** What was loaded from where, with the keys set aside before loading. */
    public record Result(Path source, LoadReport report, List<String> dropped, String posEmbedNote) {
        /** One line per finding, for the run log. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add("loaded pre-trained weights from " + source + ": " + report);
            if (!dropped.isEmpty()) {
                out.add("ignored " + dropped.size() + " pre-training-only or unusable tensors (" + summarize(dropped) + ")");
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
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--finetune " + file + " does not exist");
        }
        if (file.getFileName().toString().endsWith(".safetensors")) {
            Safetensors.File f = Safetensors.read(file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            f.tensors().forEach((k, v) -> {
                if (!k.startsWith(Checkpoints.OPTIMIZER_PREFIX)) {
                    out.put(k, v);
                }
            });
            return out;
        }
        return TorchCheckpoint.readStateDict(file);
    }

    /** {@link #read} then {@link #load(VisionTransformer, Map, Path)}; progress lines go to {@code log}. */
    public static Result load(VisionTransformer model, Path file, Consumer<String> log) throws IOException {
        Result r = load(model, read(file), file);
        r.lines().forEach(log);
        return r;
    }

    /** Cleans the names as described above and loads non-strictly into {@code model}. */
    public static Result load(VisionTransformer model, Map<String, Tensor> stored, Path source) {
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
            clean.put("pos_embed", PosEmbedResize.resize(pos, 1, target));
            note = "pos_embed resized bicubically from a " + from + "x" + from + " to a " + target + "x" + target + " grid";
        }
        return new Result(source, StateDict.load(model, clean, false), dropped, note);
    }

    /** "head.weight, head.bias, query_blocks.* (96), ..." */
    private static String summarize(List<String> names) {
        Map<String, Integer> groups = new LinkedHashMap<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            String key = dot < 0 || n.startsWith("head.") ? n : n.substring(0, dot) + ".*";
            groups.merge(key, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        groups.forEach((k, c) -> parts.add(c > 1 ? k + " (" + c + ")" : k));
        return String.join(", ", parts);
    }
}
