package dev.semaim.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * The end of a fine-tuning or linear-probing run: the last held-out accuracy, the best top-1 over the epochs
 * of this run, the optimizer steps, the last checkpoint (null when evaluating only), training seconds, and
 * the fields written to results.json.
 */
public record ClassifierRun(Accuracy accuracy, double bestTop1, int epochs, long optimizerSteps, Path checkpoint, double trainSeconds,
                            Map<String, Object> fields) {
}
