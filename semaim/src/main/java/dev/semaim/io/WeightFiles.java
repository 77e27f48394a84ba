package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A model's weights read from a file of either format: this project's safetensors files or a PyTorch checkpoint. */
public final class WeightFiles {
    private static final String MODULE = "module.";

    private WeightFiles() {
    }

    /**
     * The model tensors of {@code file}, names as stored: a safetensors file's tensors less the optimizer state and the EMA
     * copy of a pre-training checkpoint, or a {@code .pth} file's state dict ({@link TorchCheckpoint#stateDict}). Half floats
     * become F32 ({@link dev.semaim.nn.io.RawTensor#toTensor()}).
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * As {@link #read(Path)}, from the entry {@code key} (the official {@code --checkpoint_key}; null = as {@link #read(Path)}):
     * a {@code .pth} file's top-level dict {@code key}, or a safetensors file's tensors named {@code key.*} (prefix
     * removed), where {@code state_dict} and {@code model} mean the model's own tensors. An absent entry is an
     * {@link IllegalArgumentException} naming the file and the entries it has.
     */
    public static Map<String, Tensor> read(Path file, String key) throws IOException {
        if (!Convert.isSafetensors(file)) return TorchCheckpoint.readStateDict(file, key);
        Map<String, Tensor> tensors = Safetensors.read(file).tensors();
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean own = key == null || key.equals("state_dict") || key.equals("model");
        String prefix = key + ".";
        if (own) {
            tensors.forEach((k, v) -> {
                if (isModelTensor(k)) out.put(k, v);
            });
        } else {
            out.putAll(entry(tensors, key));
        }
        if (!own && out.isEmpty()) {
            Set<String> entries = new TreeSet<>();
            tensors.keySet().forEach(k -> entries.add(k.contains(".") ? k.substring(0, k.indexOf('.')) + ".*" : k));
            throw new IllegalArgumentException(file + " has no tensors named " + prefix + "* (its names start with " + entries + ")");
        }
        return out;
    }

    /** The tensors of {@code tensors} named {@code key.*}, named without that prefix (none: empty), in order. */
    public static Map<String, Tensor> entry(Map<String, Tensor> tensors, String key) {
        String prefix = key + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    /**
     * Whether a tensor of a semaim pre-training checkpoint is one of the model's weights, not its optimizer state
     * ({@code optimizer.*}) or its EMA copy ({@code ema.*}, a second whole model): what loads into the model.
     */
    public static boolean isModelTensor(String name) {
        return !name.startsWith(Checkpoints.OPTIMIZER_PREFIX) && !name.startsWith(Checkpoints.EMA_PREFIX);
    }

    /**
     * As {@link #read}, with the "module." prefix of a DDP-trained model (official checkpoints) removed from each name:
     * weights meant to be loaded strictly as a whole model.
     */
    public static Map<String, Tensor> readWeights(Path file) throws IOException {
        return readWeights(file, null);
    }

    /** As {@link #readWeights(Path)}, from the entry {@code key} ({@link #read(Path, String)}). */
    public static Map<String, Tensor> readWeights(Path file, String key) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        read(file, key).forEach((k, v) -> out.put(k.startsWith(MODULE) ? k.substring(MODULE.length()) : k, v));
        return out;
    }
}
