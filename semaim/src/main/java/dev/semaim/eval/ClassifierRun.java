package dev.semaim.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * The end of a fine-tuning or linear-probing run: the last held-out accuracy, the best top-1 over the epochs
 * of this run, the epochs and optimizer steps of the weights, where they are (the last checkpoint written; with --eval
 * the checkpoint evaluated, null for the --finetune weights or the random initialisation), training seconds, the
 * fields written to the results file and that file ({@link EvalOptions#results()}).
 */
public record ClassifierRun(Accuracy accuracy, double bestTop1, int epochs, long optimizerSteps, Path checkpoint, double trainSeconds,
                            Map<String, Object> fields, Path results) {
}
