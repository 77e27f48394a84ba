package dev.semaim.cli;

import dev.semaim.audit.SavedModel;
import dev.semaim.eval.EvalOptions;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
import dev.semaim.train.PretrainOptions;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The flags that name the model a command inspects ({@code visualize}, {@code audit}), declared once here:
 * {@code --checkpoint}, the model flags that describe weights without 'config' metadata, {@code --allow_non_finite},
 * {@code --ema}.
 */
final class ModelSource {
    Path checkpoint;
    /** The model flags: the architecture of weights without 'config' metadata. */
    final PretrainOptions arch = new PretrainOptions();
    boolean allowNonFinite;
    boolean ema;

    /** Declares the flags in {@code s}, held by the options' {@code source}; {@code what} says what the model is for. */
    static <O> void declare(Schema<O> s, Function<O, ModelSource> source, String what) {
        s.add("checkpoint", ValueType.path().metavar("FILE"), null, "a semaim pretrain checkpoint, or safetensors weights whose metadata "
                + "'config' holds the AimViT arguments, or weights without it (safetensors or .pth, e.g. an official checkpoint) read as "
                + "the model flags describe", o -> source.apply(o).checkpoint, (o, v) -> source.apply(o).checkpoint = v).required(what);
        s.addFrom(PretrainOptions.SCHEMA, o -> source.apply(o).arch, PretrainOptions.MODEL_FLAGS);
        s.add(EvalOptions.FINETUNE.setting("allow_non_finite", Boolean.class), o -> source.apply(o).allowNonFinite,
                (o, v) -> source.apply(o).allowNonFinite = v);
        s.add("ema", ValueType.toggle(), null, "the EMA copy of the weights instead of the model's: the ema.* tensors of a pretrain "
                + "checkpoint of --use_ema_model (the copy that gave that run its orders), an official .pth file's ema_state_dict",
                o -> source.apply(o).ema, (o, v) -> source.apply(o).ema = v);
    }

    SavedModel load() {
        return SavedModel.load(checkpoint, "--checkpoint", allowNonFinite, arch, ema);
    }
}
