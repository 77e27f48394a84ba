package dev.semaim.run;

import dev.semaim.nn.Module;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pre-training checkpoints as one safetensors file: the model's state dict under the reference's key names
 * (spec section 10, no prefix, so the file loads into PyTorch with {@code strict=False}), the optimizer state
 * under {@code optimizer.}, an EMA copy's weights (--use_ema_model) under {@code ema.}, and in the metadata the {@link TrainingState}, the model name and the run's
 * settings as JSON. Writes are atomic (temporary file, fsync, rename), so a run killed while saving keeps the
 * previous file.
 */
public final class Checkpoints {
    /** Rolling checkpoint rewritten every epoch (and every --save_every_steps); auto-resume reads it ({@link RunFiles}). */
    public static final String LATEST = "checkpoint-latest.safetensors";
    public static final String OPTIMIZER_PREFIX = "optimizer.";
    /** The weights of the EMA copy (--use_ema_model), beside the model's: the reference's {@code ema_state_dict}. */
    public static final String EMA = "ema", EMA_PREFIX = EMA + ".";
    static final String FORMAT_KEY = "format";
    static final String FORMAT = "semaim-pretrain-1";
    /** Metadata key of the loss scaler's state (JSON of PyTorch's GradScaler.state_dict()), the official checkpoint's key. */
    public static final String LOSS_SCALER = "loss_scaler";
    /**
     * Metadata key naming the protocol of a fine-tuning or linear-probing checkpoint ("finetune", "linprobe"), which
     * share this format; a pre-training checkpoint has none.
     */
    public static final String PROTOCOL = "protocol";
    /** What {@link Loaded#kind} calls a checkpoint without {@link #PROTOCOL}. */
    public static final String PRETRAIN = "pretrain";

    /** A checkpoint read back; {@code ema} holds the EMA copy's weights (names without {@link #EMA_PREFIX}), empty when none. */
    public record Loaded(Path path, Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, Tensor> ema, TrainingState state,
                         Map<String, String> metadata) {
        /**
         * Gives {@code scaler} (when not null) the loss scaler state saved with a float16 run (PyTorch's keys); a
         * checkpoint without one (a float32 or bfloat16 run, or one written before mixed precision) leaves it as it is.
         * Malformed state names the file. Returns whether a state was loaded.
         */
        public boolean restoreLossScaler(GradScaler scaler) {
            String json = metadata.get(LOSS_SCALER);
            if (scaler == null || json == null) {
                return false;
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, ?> state = (Map<String, ?>) Json.parse(json);
                scaler.load(state);
                return true;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint " + path + ": '" + LOSS_SCALER + "' " + json + " is not a loss scaler state: "
                        + e.getMessage(), e);
            }
        }

        /** The command that wrote it: {@link #PRETRAIN}, or its {@link #PROTOCOL} ("finetune", "linprobe"). */
        public String kind() {
            return metadata.getOrDefault(PROTOCOL, PRETRAIN);
        }

        /**
         * Loads the weights strictly into {@code targetModel} and the optimizer state into {@code targetOptimizer}; a
         * mismatch names the file. Non-finite weights are refused: training on from them diverges at once, and the
         * run would then call this file its last good checkpoint.
         */
        public void restore(Module targetModel, Optimizer targetOptimizer) {
            String nonFinite = StateDict.describeNonFinite(model);
            if (nonFinite != null) {
                throw new IllegalArgumentException("checkpoint " + path + " holds non-finite weights (" + nonFinite
                        + "): training cannot continue from it; resume from an earlier checkpoint");
            }
            try {
                StateDict.load(targetModel, model, true, true); // checked just above
                targetOptimizer.loadState(optimizer);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint " + path + " does not fit this model/optimizer: " + e.getMessage(), e);
            }
        }

        /** Loads the EMA weights strictly into {@code targetEma}; false (nothing loaded) when the checkpoint has none. */
        public boolean restoreEma(Module targetEma) {
            if (ema.isEmpty()) return false;
            try {
                StateDict.load(targetEma, ema, true, false);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint " + path + ": its " + EMA_PREFIX + "* weights do not fit this model: " + e.getMessage(), e);
            }
            return true;
        }
    }

    private Checkpoints() {
    }

    /** The numbered checkpoint holding the weights after {@code epochsDone} epochs: checkpoint-0020.safetensors. */
    public static String numbered(int epochsDone) {
        return String.format(Locale.ROOT, "checkpoint-%04d.safetensors", epochsDone);
    }

    /**
     * Writes model, optimizer state and run state atomically.
     *
     * @param extraMetadata more string metadata (model name, settings JSON); may be empty
     */
    public static void save(Path file, Module model, Optimizer optimizer, TrainingState state, Map<String, String> extraMetadata) {
        save(file, model, optimizer, state, extraMetadata, null);
    }

    /** As {@link #save(Path, Module, Optimizer, TrainingState, Map)} with an EMA copy's weights under {@link #EMA_PREFIX} (null = none). */
    public static void save(Path file, Module model, Optimizer optimizer, TrainingState state, Map<String, String> extraMetadata, Module ema) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(StateDict.of(model));
        if (ema != null) StateDict.of(ema).forEach((k, v) -> tensors.put(EMA_PREFIX + k, v));
        for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
            tensors.put(OPTIMIZER_PREFIX + e.getKey(), e.getValue());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        meta.putAll(state.toMetadata());
        meta.putAll(extraMetadata);
        Safetensors.write(file, tensors, meta);
    }

    /** Whether a safetensors file's metadata marks it as one of these checkpoints. */
    public static boolean isCheckpoint(Map<String, String> metadata) {
        return FORMAT.equals(metadata.get(FORMAT_KEY));
    }

    /** Reads a checkpoint; a missing, truncated or foreign file is an {@link IllegalArgumentException} naming it. */
    public static Loaded load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("checkpoint " + file + " does not exist");
        }
        Safetensors.File f;
        try {
            f = Safetensors.read(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("checkpoint " + file + " is unreadable (truncated or corrupt?): " + e.getMessage(), e);
        }
        if (!FORMAT.equals(f.metadata().get(FORMAT_KEY))) {
            throw new IllegalArgumentException("checkpoint " + file + " is not a semaim pre-training checkpoint (metadata '"
                    + FORMAT_KEY + "' is " + f.metadata().get(FORMAT_KEY) + ", expected " + FORMAT + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> opt = new LinkedHashMap<>();
        Map<String, Tensor> ema = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
            if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                opt.put(e.getKey().substring(OPTIMIZER_PREFIX.length()), e.getValue());
            } else if (e.getKey().startsWith(EMA_PREFIX)) {
                ema.put(e.getKey().substring(EMA_PREFIX.length()), e.getValue());
            } else {
                model.put(e.getKey(), e.getValue());
            }
        }
        return new Loaded(file, model, opt, ema, TrainingState.fromMetadata(file, f.metadata()), f.metadata());
    }
}
