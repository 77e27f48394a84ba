package dev.semaim.cli;

import dev.semaim.run.OptimOptions;

/**
 * The optimisation flags {@code pretrain}, {@code finetune} and {@code linprobe} share (epochs, accumulation,
 * the lr recipe, weight decay), declared with per-command defaults, and their transfer into {@link OptimOptions}.
 */
final class OptimFlags {
    private OptimFlags() {
    }

    /**
     * {@code --epochs --accum_iter --blr --lr --min_lr --warmup_epochs --weight_decay} with the given defaults;
     * {@code blrNote} is appended to the help of --blr, {@code weightDecayHelp} is the help of --weight_decay.
     */
    static Flags declare(Flags f, String epochs, String blr, String blrNote, String minLr, String warmup, String weightDecay,
                         String weightDecayHelp) {
        return f.value("epochs", "N", epochs, "training epochs")
                .value("accum_iter", "N", "1", "iterations whose gradients are summed before each optimizer step")
                .value("blr", "LR", blr, "base learning rate: lr = blr x effective batch / 256" + blrNote)
                .value("lr", "LR", null, "absolute learning rate; overrides --blr")
                .value("min_lr", "LR", minLr, "floor of the cosine schedule")
                .value("warmup_epochs", "E", warmup, "linear warm-up from 0, in (fractional) epochs")
                .value("weight_decay", "WD", weightDecay, weightDecayHelp);
    }

    /** Reads the flags of {@link #declare} into {@code o}. */
    static void read(FlagValues f, OptimOptions o) {
        o.epochs = f.integer("epochs", 1);
        o.accumIter = f.integer("accum_iter", 1);
        o.blr = f.number("blr", 0);
        o.lr = f.optionalNumber("lr", 0).orElse(Double.NaN);
        o.minLr = f.number("min_lr", 0);
        o.warmupEpochs = f.number("warmup_epochs", 0);
        o.weightDecay = f.number("weight_decay", 0);
    }
}
