package dev.semaim.audit;

import dev.semaim.io.Convert;
import dev.semaim.io.WeightFiles;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.train.PretrainOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link AimViT} rebuilt from a file, for inspection (visualize, audit). Two kinds of file are read:
 * <ul>
 *   <li>a {@code semaim pretrain} checkpoint ({@link Checkpoints}): the model is built from the run's settings in
 *       the metadata "config" (the pretrain settings, {@link PretrainOptions#fromMap}) and loaded strictly with the
 *       model's weights (the optimizer state and the EMA copy of {@code --use_ema_model} left out);</li>
 *   <li>any other safetensors file whose metadata "config" holds the AimViT constructor arguments as JSON
 *       ({@link AimConfig#KWARGS}: img_size, patch_size, in_chans, embed_dim, depth, num_heads, query_depth, ...; the
 *       golden fixtures' form). Its weights are the tensors named {@code param.<key>} when there are any (the fixtures), else all
 *       tensors; they are loaded strictly;</li>
 *   <li>weights without "config" metadata, safetensors or a PyTorch {@code .pth} (an official SemAIM checkpoint, as it
 *       is or after {@code semaim convert}): the model is the one the command's model flags describe
 *       ({@link PretrainOptions#MODEL_FLAGS}); a DDP {@code module.} prefix is stripped and the optimizer state left
 *       out; loaded strictly.</li>
 * </ul>
 * Asked for the EMA copy instead ({@code --ema}), each reads that: a checkpoint's {@code ema.*} tensors (the reference
 * takes the order of its pixel targets from this copy), an official {@code .pth} file's {@code ema_state_dict}.
 */
public record SavedModel(Path path, AimViT model, String configJson) {
    /** Prefix of the weights in the golden fixtures. */
    public static final String FIXTURE_PREFIX = "param.";

    /** The model of a safetensors file with 'config' metadata (a pretrain checkpoint), refusing non-finite weights. */
    public static SavedModel load(Path path, String flag) {
        return load(path, flag, false, null, false);
    }

    /**
     * Reads {@code path}; every problem is an {@link IllegalArgumentException} naming the file (and the flag): weights
     * that do not fit the config (shape, an integer dtype for a float parameter), and non-finite values unless
     * {@code allowNonFinite} (inspecting a diverged checkpoint is a reason to insist). Weights without "config" metadata
     * (or a {@code .pth} file) are read as the model {@code flags} describe, when not null; {@code ema}: the file's EMA
     * copy instead of the model's weights.
     */
    public static SavedModel load(Path path, String flag, boolean allowNonFinite, PretrainOptions flags, boolean ema) {
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(flag + " " + path + " does not exist");
        if (!Convert.isSafetensors(path)) {
            if (flags == null) throw new IllegalArgumentException(flag + " " + path + " is not a .safetensors file");
            return fromFlags(path, flag, allowNonFinite, flags, ema);
        }
        Safetensors.File f;
        try {
            f = Safetensors.read(path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + path + " is not a readable safetensors file: " + e.getMessage(), e);
        }
        String json = f.metadata().get("config");
        if (json == null && flags != null) return fromFlags(path, flag, allowNonFinite, flags, ema);
        if (json == null)
            throw new IllegalArgumentException(flag + " " + path + " has no 'config' metadata: give a semaim pretrain checkpoint "
                    + "or a safetensors file whose metadata 'config' holds the AimViT arguments as JSON");
        return of(path, flag, allowNonFinite, f.metadata(), ema ? emaCopy(path, flag, f.tensors()) : f.tensors());
    }

    /** The tensors {@code ema.*} of a checkpoint, without the prefix; an error naming the file and --ema where there are none. */
    private static Map<String, Tensor> emaCopy(Path path, String flag, Map<String, Tensor> tensors) {
        Map<String, Tensor> ema = WeightFiles.entry(tensors, Checkpoints.EMA);
        if (ema.isEmpty())
            throw new IllegalArgumentException("--ema: " + flag + " " + path + " holds no EMA copy (no " + Checkpoints.EMA_PREFIX
                    + "* tensors: a pretrain run keeps one with --use_ema_model)");
        return ema;
    }

    /**
     * The model of weights whose metadata 'config' describes it, read as {@link #load} reads such a safetensors file, from
     * memory: {@code semaim convert} checks with it that what it is about to write fits the config it attaches.
     * {@code flag} and {@code path} name the weights in errors.
     */
    public static SavedModel of(Path path, String flag, boolean allowNonFinite, Map<String, String> metadata, Map<String, Tensor> tensors) {
        AimConfig config = config(metadata, flag + " " + path);
        Map<String, Tensor> weights;
        if (Checkpoints.isCheckpoint(metadata)) { // a pretrain checkpoint: drop the optimizer state and the EMA copy
            weights = new LinkedHashMap<>();
            tensors.forEach((k, t) -> {
                if (WeightFiles.isModelTensor(k)) weights.put(k, t);
            });
        } else {
            weights = weights(tensors);
        }
        return new SavedModel(path, loaded(path, flag, allowNonFinite, config, weights, "the model of its config"), metadata.get("config"));
    }

    /** The model a file's metadata 'config' describes: a pretrain checkpoint's settings, or the AimViT arguments. */
    private static AimConfig config(Map<String, String> metadata, String where) {
        Map<String, Object> cfg = parseObject(metadata.get("config"), where);
        try {
            return Checkpoints.isCheckpoint(metadata) ? PretrainOptions.fromMap(cfg).modelConfig() : AimConfig.fromKwargs(cfg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": metadata 'config' does not describe a model: " + e.getMessage(), e);
        }
    }

    /**
     * The 'config' metadata (the AimViT arguments as JSON) for weights that lack it ({@code semaim convert}): that of
     * the safetensors file {@code from} (a pretrain checkpoint or weights with 'config'), or, when {@code from} is null,
     * the model {@code flags} describe.
     */
    public static String configJson(Path from, PretrainOptions flags) {
        AimConfig config;
        if (from == null) {
            config = flags.modelConfig(); // a model the flags cannot describe: a usage error naming the flag
        } else {
            if (!Files.isRegularFile(from)) throw new IllegalArgumentException("--config_from " + from + " does not exist");
            Map<String, String> metadata;
            try {
                metadata = Safetensors.readMetadata(from);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--config_from " + from + " is not a readable safetensors file: " + e.getMessage(), e);
            }
            if (!metadata.containsKey("config")) {
                throw new IllegalArgumentException("--config_from " + from + " has no 'config' metadata either; describe the model with "
                        + "--config_from_flags and the model flags (--model, --input_size, ...)");
            }
            config = config(metadata, "--config_from " + from);
        }
        return Json.object(config.toKwargs());
    }

    /**
     * Weights without config metadata, as the model flags describe: 'module.' stripped, optimizer state left out; with
     * {@code ema} the EMA copy: a .pth file's 'ema_state_dict' (the official checkpoints'), a safetensors file's ema.*.
     */
    private static SavedModel fromFlags(Path path, String flag, boolean allowNonFinite, PretrainOptions flags, boolean ema) {
        AimConfig config = flags.modelConfig(); // a model the flags cannot describe: a usage error naming the flag
        Map<String, Tensor> weights;
        String key = !ema ? null : Convert.isSafetensors(path) ? Checkpoints.EMA : Convert.EMA_STATE_DICT;
        try {
            weights = WeightFiles.readWeights(path, key);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException((ema ? "--ema: " + flag + " " + path + " gives no EMA copy: " : flag + " " + path
                    + " is unreadable: ") + e.getMessage(), e);
        }
        String described = "the model the flags describe (--model " + flags.model + " --input_size " + config.imgSize() + " --patch_size "
                + config.patchSize() + " --in_chans " + config.inChans() + " --embed_dim " + config.embedDim() + " --depth " + config.depth()
                + " --num_heads " + config.numHeads() + " --query_depth " + config.queryDepth() + "; it has no 'config' metadata)";
        return new SavedModel(path, loaded(path, flag, allowNonFinite, config, weights, described), Json.object(config.toKwargs()));
    }

    private static AimViT loaded(Path path, String flag, boolean allowNonFinite, AimConfig config, Map<String, Tensor> weights, String described) {
        AimViT model = new AimViT(config, new Rng(0));
        try {
            StateDict.load(model, weights, true, allowNonFinite);
        } catch (RuntimeException e) {
            boolean nonFinite = e.getMessage() != null && e.getMessage().startsWith("non-finite");
            throw new IllegalArgumentException(flag + " " + path + (nonFinite ? ": " + e.getMessage() + "; pass --allow_non_finite to load them anyway"
                    : ": the weights do not fit " + described + ": " + e.getMessage()), e);
        }
        return model;
    }

    private static Map<String, Tensor> weights(Map<String, Tensor> all) {
        boolean fixture = all.keySet().stream().anyMatch(k -> k.startsWith(FIXTURE_PREFIX));
        if (!fixture) return all;
        Map<String, Tensor> w = new LinkedHashMap<>();
        all.forEach((k, t) -> { if (k.startsWith(FIXTURE_PREFIX)) w.put(k.substring(FIXTURE_PREFIX.length()), t); });
        return w;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseObject(String json, String where) {
        Object o;
        try {
            o = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": metadata 'config' is not JSON: " + e.getMessage(), e);
        }
        if (!(o instanceof Map)) throw new IllegalArgumentException(where + ": metadata 'config' is not a JSON object");
        return (Map<String, Object>) o;
    }
}
