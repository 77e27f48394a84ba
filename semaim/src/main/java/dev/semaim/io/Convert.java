package dev.semaim.io;

import dev.semaim.nn.io.RawTensor;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoint conversion between PyTorch {@code .pth} and safetensors (the CLI's {@code convert}); the format of each
 * side follows its file name. Tensors move as stored bytes ({@link RawTensor}): a float16 or bfloat16 checkpoint
 * stays float16 or bfloat16, and bool, int8 and uint8 tensors keep their dtype. Names are kept verbatim unless
 * {@link Request#timm()} asks for the encoder alone ({@link TimmEncoder}). A pre-training checkpoint's EMA copy
 * ({@code ema.*}) becomes the reference's {@code ema_state_dict} beside the model in a .pth nested under a key, and is
 * left out otherwise.
 */
public final class Convert {
    /** Metadata written on .pth -> safetensors, the key Hugging Face's torch writer sets. */
    static final Map<String, String> METADATA = Map.of("format", "pt");
    private static final String OPTIMIZER_PREFIX = Checkpoints.OPTIMIZER_PREFIX, EMA_PREFIX = Checkpoints.EMA_PREFIX, MODULE = "module.";
    /** Where the reference's pre-training checkpoints keep the EMA copy (spec section 10). */
    public static final String EMA_STATE_DICT = "ema_state_dict";

    /**
     * What to write.
     *
     * @param weightsOnly drop the optimizer state ({@code optimizer.*}); implied for this project's pre-training
     *                    checkpoints, whose weights PyTorch users load with {@code load_state_dict}
     * @param under       nest the .pth state dict under this key ("model", "state_dict"), or null for a plain one
     * @param timm        keep only the ViT encoder, under timm's names ({@link TimmEncoder}), or null
     * @param config      the AimViT arguments as JSON to store as safetensors metadata "config", or null; the weights then
     *                    lose a DDP {@code module.} prefix and the optimizer state, so that they are the AimViT it describes
     */
    public record Request(boolean weightsOnly, String under, Timm timm, String config) {
        public static final Request PLAIN = new Request(false, null, null, null);
    }

    /** What was written: the tensor count, and the groups of tensors left out with their counts ("optimizer.*": 104). */
    public record Result(int tensors, Map<String, Integer> dropped) {
        /** "; left out 104 optimizer.*, 48 query_blocks.*", or "" when nothing was. */
        public String droppedText() {
            if (dropped.isEmpty()) return "";
            List<String> parts = new ArrayList<>();
            dropped.forEach((k, v) -> parts.add(v + " " + k));
            return "; left out " + String.join(", ", parts);
        }
    }

    /** The two final-norm layouts of a timm ViT encoder ({@link TimmEncoder}). */
    public enum Timm {
        /** token pooling: final {@code norm} (timm's default; models_vit without --global_pool) */
        TOKEN,
        /** global average pooling: {@code fc_norm} (timm global_pool='avg'; models_vit --global_pool) */
        AVG
    }

    private Convert() {
    }

    /** Whether the file name says safetensors (else .pth/.pt/.bin, torch.save). */
    public static boolean isSafetensors(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    /** Reads {@code in}, applies {@code r}, writes {@code out}; each file's format follows its name. */
    public static Result convert(Path in, Path out, Request r) throws IOException {
        return convert(in, out, r, tensors -> {
        });
    }

    /**
     * As {@link #convert(Path, Path, Request)}, with {@code check} shown the tensors about to be written (the model's, as
     * named in {@code out}) before anything is: it refuses them by throwing, and {@code out} then stays as it was, so a
     * conversion that turns out wrong never replaces a good file.
     */
    public static Result convert(Path in, Path out, Request r, Consumer<Map<String, RawTensor>> check) throws IOException {
        Map<String, RawTensor> tensors;
        Map<String, String> metadata;
        if (isSafetensors(in)) {
            Safetensors.RawFile f = Safetensors.readRaw(in);
            tensors = f.tensors();
            metadata = f.metadata();
        } else {
            tensors = TorchCheckpoint.readRawStateDict(in);
            metadata = Map.of();
        }
        Map<String, Integer> dropped = new LinkedHashMap<>();
        // the EMA copy of a pre-training checkpoint goes to a .pth nested under --under as the reference's ema_state_dict
        boolean emaAsReference = !isSafetensors(out) && r.under != null && r.timm == null;
        Map<String, RawTensor> ema = new LinkedHashMap<>();
        if (r.weightsOnly || r.timm != null || r.config != null || Checkpoints.isCheckpoint(metadata)) {
            Map<String, RawTensor> weights = new LinkedHashMap<>();
            for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
                String name = r.config != null && e.getKey().startsWith(MODULE) ? e.getKey().substring(MODULE.length()) : e.getKey();
                if (name.startsWith(OPTIMIZER_PREFIX)) dropped.merge(OPTIMIZER_PREFIX + "*", 1, Integer::sum);
                else if (name.startsWith(EMA_PREFIX) && emaAsReference) ema.put(name.substring(EMA_PREFIX.length()), e.getValue());
                else if (name.startsWith(EMA_PREFIX)) dropped.merge(EMA_PREFIX + "* (kept as ema_state_dict by a .pth --under)", 1, Integer::sum);
                else weights.put(name, e.getValue());
            }
            tensors = weights;
        }
        if (r.timm != null) tensors = TimmEncoder.of(tensors, r.timm == Timm.AVG, in.toString(), dropped);
        check.accept(tensors);
        if (isSafetensors(out)) {
            Map<String, String> meta = new LinkedHashMap<>(METADATA);
            if (r.config != null) meta.put("config", r.config);
            Safetensors.writeRaw(out, tensors, meta);
        } else if (!ema.isEmpty()) {
            Map<String, Map<String, RawTensor>> sections = new LinkedHashMap<>();
            sections.put(r.under, tensors);
            sections.put(EMA_STATE_DICT, ema);
            TorchCheckpoint.writeRaw(out, sections);
        } else {
            TorchCheckpoint.writeRaw(out, tensors, r.under);
        }
        return new Result(tensors.size() + ema.size(), dropped);
    }

    /**
     * The state dict of a {@code torch.save} checkpoint ({@code ['state_dict']}, else {@code ['model']}, else the
     * top level; see {@link TorchCheckpoint#stateDict}) as a safetensors file with metadata {"format": "pt"}, every
     * tensor in its own dtype.
     */
    public static void pthToSafetensors(Path in, Path out) throws IOException {
        convert(in, out, Request.PLAIN);
    }

    /** A safetensors file as a top-level state-dict {@code .pth} (safetensors metadata is not carried over). */
    public static void safetensorsToPth(Path in, Path out) throws IOException {
        safetensorsToPth(in, out, null);
    }

    /** As {@link #safetensorsToPth(Path, Path)}, nested under {@code underKey} ("model", "state_dict") when not null. */
    public static void safetensorsToPth(Path in, Path out, String underKey) throws IOException {
        convert(in, out, new Request(false, underKey, null, null));
    }
}
