package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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
        if (!Convert.isSafetensors(file)) return TorchCheckpoint.readStateDict(file);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Safetensors.read(file).tensors().forEach((k, v) -> {
            if (!k.startsWith(Checkpoints.OPTIMIZER_PREFIX) && !k.startsWith(Checkpoints.EMA_PREFIX)) out.put(k, v);
        });
        return out;
    }

    /**
     * As {@link #read}, with the "module." prefix of a DDP-trained model (official checkpoints) removed from each name:
     * weights meant to be loaded strictly as a whole model.
     */
    public static Map<String, Tensor> readWeights(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        read(file).forEach((k, v) -> out.put(k.startsWith(MODULE) ? k.substring(MODULE.length()) : k, v));
        return out;
    }
}
