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
import dev.semaim.train.Pretrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link AimViT} rebuilt from a file, for inspection (visualize, audit). Two kinds of file are read:
 * <ul>
 *   <li>a {@code semaim pretrain} checkpoint ({@link Checkpoints}): the model is built from the run's settings in
 *       the metadata "config" (the pretrain flags, through {@link Pretrainer#modelConfig}) and loaded strictly;</li>
 *   <li>any other safetensors file whose metadata "config" holds the AimViT constructor arguments as JSON
 *       (img_size, patch_size, in_chans, embed_dim, depth, num_heads, query_depth, ...; the golden fixtures'
 *       form). Its weights are the tensors named {@code param.<key>} when there are any (the fixtures), else all
 *       tensors; they are loaded strictly.</li>
 * </ul>
 */
public record SavedModel(Path path, AimViT model, String configJson) {
    /** Prefix of the weights in the golden fixtures. */
    public static final String FIXTURE_PREFIX = "param.";

    /** Reads {@code path}; every problem is an {@link IllegalArgumentException} naming the file (and the flag). */
    public static SavedModel load(Path path, String flag) {
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
            config = f.metadata().containsKey("format") ? Pretrainer.modelConfig(pretrainOptions(cfg)) : fromKwargs(cfg);
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
            StateDict.load(model, weights, true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(flag + " " + path + ": the weights do not fit the model of its config: " + e.getMessage(), e);
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

    /** The pretrain settings that shape the model, from a checkpoint's "config" (PretrainOptions.asMap form). */
    static PretrainOptions pretrainOptions(Map<String, Object> m) {
        PretrainOptions o = new PretrainOptions();
        o.model = str(m, "model", o.model);
        o.inputSize = integer(m, "input_size", o.inputSize);
        o.patchSize = integer(m, "patch_size", o.patchSize);
        o.inChans = integer(m, "in_chans", o.inChans);
        o.embedDim = integer(m, "embed_dim", o.embedDim);
        o.depth = integer(m, "depth", o.depth);
        o.numHeads = integer(m, "num_heads", o.numHeads);
        o.queryDepth = integer(m, "query_depth", o.queryDepth);
        o.predictionHeadType = str(m, "prediction_head_type", o.predictionHeadType);
        o.gaussianKernelSize = integer(m, "gaussian_kernel_size", o.gaussianKernelSize);
        o.gaussianSigma = number(m, "gaussian_sigma", o.gaussianSigma);
        o.normPixLoss = bool(m, "norm_pix_loss", o.normPixLoss);
        o.permutationType = str(m, "permutation_type", o.permutationType);
        o.attentionType = str(m, "attention_type", o.attentionType);
        o.lossType = str(m, "loss_type", o.lossType);
        return o;
    }

    /** AimViT keyword arguments (the reference's names) → config; absent ones take aim_base's values. */
    static AimConfig fromKwargs(Map<String, Object> m) {
        AimConfig b = AimConfig.aimBase();
        return new AimConfig(integer(m, "img_size", b.imgSize()), integer(m, "patch_size", b.patchSize()),
                integer(m, "in_chans", b.inChans()), integer(m, "embed_dim", b.embedDim()), integer(m, "depth", b.depth()),
                integer(m, "num_heads", b.numHeads()), integer(m, "query_depth", b.queryDepth()), number(m, "mlp_ratio", b.mlpRatio()),
                str(m, "prediction_head_type", b.predictionHead()), integer(m, "gaussian_kernel_size", b.gaussianKernelSize()),
                number(m, "gaussian_sigma", b.gaussianSigma()), bool(m, "norm_pix_loss", b.normPixLoss()),
                str(m, "loss_type", b.lossType()), str(m, "permutation_type", b.permutationType()),
                str(m, "attention_type", b.attentionType()), str(m, "predict_feature", b.predictFeature()),
                integer(m, "out_dim", b.outDim()), number(m, "drop_path", b.dropPath()));
    }

    private static String str(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof String)) throw new IllegalArgumentException("config '" + key + "' is " + v + ", not a string");
        return (String) v;
    }

    private static int integer(Map<String, Object> m, String key, int dflt) {
        double d = number(m, key, dflt);
        if (d != Math.rint(d)) throw new IllegalArgumentException("config '" + key + "' is " + d + ", not an integer");
        return (int) d;
    }

    private static double number(Map<String, Object> m, String key, double dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number)) throw new IllegalArgumentException("config '" + key + "' is " + v + ", not a number");
        return ((Number) v).doubleValue();
    }

    private static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Boolean)) throw new IllegalArgumentException("config '" + key + "' is " + v + ", not true/false");
        return (Boolean) v;
    }
}
