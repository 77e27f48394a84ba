package dev.semaim.audit;

import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.train.PretrainOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link AimViT} rebuilt from a file, for inspection (visualize, audit). Two kinds of file are read:
 * <ul>
 *   <li>a {@code semaim pretrain} checkpoint ({@link Checkpoints}): the model is built from the run's settings in
 *       the metadata "config" (the pretrain settings, {@link PretrainOptions#fromMap}) and loaded strictly;</li>
 *   <li>any other safetensors file whose metadata "config" holds the AimViT constructor arguments as JSON
 *       ({@link AimConfig#KWARGS}: img_size, patch_size, in_chans, embed_dim, depth, num_heads, query_depth, ...; the
 *       golden fixtures' form). Its weights are the tensors named {@code param.<key>} when there are any (the fixtures), else all
 *       tensors; they are loaded strictly.</li>
 * </ul>
 */
public record SavedModel(Path path, AimViT model, String configJson) {
    /** Prefix of the weights in the golden fixtures. */
    public static final String FIXTURE_PREFIX = "param.";

    /** {@link #load(Path, String, boolean)} refusing non-finite weights. */
    public static SavedModel load(Path path, String flag) {
        return load(path, flag, false);
    }

    /**
     * Reads {@code path}; every problem is an {@link IllegalArgumentException} naming the file (and the flag): weights
     * that do not fit the config (shape, an integer dtype for a float parameter), and non-finite values unless
     * {@code allowNonFinite} (inspecting a diverged checkpoint is a reason to insist).
     */
    public static SavedModel load(Path path, String flag, boolean allowNonFinite) {
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(flag + " " + path + " does not exist");
        Safetensors.File f;
        try {
            f = Safetensors.read(path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + path + " is not a readable safetensors file: " + e.getMessage(), e);
        }
        String json = f.metadata().get("config");
        if (json == null)
            throw new IllegalArgumentException(flag + " " + path + " has no 'config' metadata: give a semaim pretrain checkpoint "
                    + "or a safetensors file whose metadata 'config' holds the AimViT arguments as JSON");
        Map<String, Object> cfg = parseObject(json, flag + " " + path);
        AimConfig config;
        Map<String, Tensor> weights;
        try {
            config = f.metadata().containsKey("format") ? PretrainOptions.fromMap(cfg).modelConfig() : AimConfig.fromKwargs(cfg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + path + ": metadata 'config' does not describe a model: " + e.getMessage(), e);
        }
        if (f.metadata().containsKey("format")) { // a pretrain checkpoint: drop the optimizer state
            weights = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : f.tensors().entrySet())
                if (!e.getKey().startsWith(Checkpoints.OPTIMIZER_PREFIX)) weights.put(e.getKey(), e.getValue());
        } else {
            weights = weights(f.tensors());
        }
        AimViT model = new AimViT(config, new Rng(0));
        try {
            StateDict.load(model, weights, true, allowNonFinite);
        } catch (RuntimeException e) {
            boolean nonFinite = e.getMessage() != null && e.getMessage().startsWith("non-finite");
            throw new IllegalArgumentException(flag + " " + path + (nonFinite ? ": " + e.getMessage() + "; pass --allow_non_finite to load them anyway"
                    : ": the weights do not fit the model of its config: " + e.getMessage()), e);
        }
        return new SavedModel(path, model, json);
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
