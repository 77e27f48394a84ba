package dev.semaim.run;

import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;

/**
 * The optimisation settings that pre-training ({@code PretrainOptions}) and the evaluation protocols share,
 * named after their flags: batch size, epochs, gradient accumulation, the learning-rate recipe (peak lr =
 * blr x effective batch / 256 unless an absolute lr is given; warm-up + cosine down to min_lr) and weight
 * decay. They are declared once, in {@link #declareOptim}, with each recipe's defaults.
 */
public abstract class OptimOptions {
    public int batchSize;
    public int epochs;
    public int accumIter;
    /** Base lr: absolute lr = blr x effective batch / 256 when {@link #lr} is NaN (unset). */
    public double blr;
    /** Absolute lr; NaN = from {@link #blr}. */
    public double lr;
    /** Floor of the cosine schedule. */
    public double minLr;
    /** Linear warm-up from 0, in (fractional) epochs. */
    public double warmupEpochs;
    public double weightDecay;

    /** Effective batch = batch x accumulation steps (one process). */
    public int effectiveBatch() {
        return batchSize * accumIter;
    }

    /** The absolute peak lr: {@link #lr} if set, else blr x effective batch / 256. */
    public double absoluteLr() {
        return Double.isNaN(lr) ? blr * effectiveBatch() / 256.0 : lr;
    }

    /**
     * Declares {@code --epochs --accum_iter --blr --lr --min_lr --warmup_epochs --weight_decay} with a recipe's defaults;
     * {@code blrNote} is appended to the help of --blr. The recorded lr is the absolute peak lr.
     */
    protected static <O extends OptimOptions> void declareOptim(Schema<O> s, String epochs, String blr, String blrNote, String minLr,
                                                                String warmup, String weightDecay, String weightDecayHelp) {
        s.add("epochs", ValueType.integer(1), epochs, "training epochs", o -> o.epochs, (o, v) -> o.epochs = v);
        s.add("accum_iter", ValueType.integer(1), "1", "iterations whose gradients are summed before each optimizer step",
                o -> o.accumIter, (o, v) -> o.accumIter = v);
        s.add("blr", ValueType.numberAbove(0).metavar("LR"), blr, "base learning rate: lr = blr x effective batch / 256" + blrNote,
                o -> o.blr, (o, v) -> o.blr = v);
        s.add("lr", ValueType.positiveOrNone().metavar("LR"), "none", "absolute learning rate; overrides --blr",
                o -> o.lr, (o, v) -> o.lr = v).recordedAs(OptimOptions::absoluteLr);
        s.add("min_lr", ValueType.number(0).metavar("LR"), minLr, "floor of the cosine schedule", o -> o.minLr, (o, v) -> o.minLr = v);
        s.add("warmup_epochs", ValueType.number(0).metavar("E"), warmup, "linear warm-up from 0, in (fractional) epochs",
                o -> o.warmupEpochs, (o, v) -> o.warmupEpochs = v);
        s.add("weight_decay", ValueType.number(0).metavar("WD"), weightDecay, weightDecayHelp,
                o -> o.weightDecay, (o, v) -> o.weightDecay = v);
    }

    /** The warm-up must end before the last epoch and the floor must not exceed the peak lr (messages name the flags). */
    protected void checkSchedule() {
        if (warmupEpochs >= epochs) {
            throw new IllegalArgumentException("--warmup_epochs " + warmupEpochs + " must be smaller than --epochs " + epochs);
        }
        if (minLr > absoluteLr()) {
            throw new IllegalArgumentException("--min_lr " + minLr + " is larger than the peak lr " + absoluteLr());
        }
    }
}
