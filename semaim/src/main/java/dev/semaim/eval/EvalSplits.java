package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;
import dev.semaim.run.ProgressLine;

import java.io.IOException;
import java.util.Locale;

/**
 * The data of one evaluation run: the {@link EvalData} of {@code --data_path}, and the training and held-out
 * splits cut to {@code --max_train_images} / {@code --max_eval_images} by seeded random subsets (seed, seed + 1).
 */
record EvalSplits(EvalData data, Dataset train, Dataset val) {

    /** Opens {@code o.dataPath} (warnings go to the progress line's error stream) and takes the subsets. */
    static EvalSplits open(EvalOptions o, ProgressLine progress) throws IOException {
        EvalData data = EvalData.open(o.dataPath, o.inChans, progress::warning);
        return new EvalSplits(data, Subset.random(data.train().dataset(), o.maxTrainImages, o.seed),
                Subset.random(data.heldOut(), o.maxEvalImages, o.seed + 1));
    }

    /** The data's classes must fit --nb_classes ({@link #checkClasses(EvalOptions, int, String)}); returns this. */
    EvalSplits checkClasses(EvalOptions o) {
        checkClasses(o, data.train().dataset().numClasses(), "--data_path " + o.dataPath);
        return this;
    }

    /**
     * --nb_classes must cover the {@code found} classes of {@code source} ("--data_path X"): a head of fewer cannot
     * learn them, and a k-NN run that voted anyway would record a class count its data does not have.
     */
    static void checkClasses(EvalOptions o, int found, String source) {
        if (found > o.nbClasses) {
            throw new IllegalArgumentException("--nb_classes " + o.nbClasses + " but " + source + " has " + found + " classes");
        }
    }

    /** The evaluation pipeline Resize(int(input_size / crop_pct)) + CenterCrop(input_size) with the data's statistics. */
    Transform evalTransform(EvalOptions o) {
        return Transforms.eval(o.inputSize, o.cropPct, data.train().mean(), data.train().std());
    }

    /** "data: ... (N training images), held-out ... (M images)" for the start-up messages. */
    String describe() {
        return String.format(Locale.ROOT, "data: %s (%d training images), held-out %s (%d images)", data.train().description(),
                train.size(), data.heldOutDescription(), val.size());
    }
}
