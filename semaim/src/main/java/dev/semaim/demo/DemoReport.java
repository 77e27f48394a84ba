package dev.semaim.demo;

import dev.semaim.eval.KnnResult;
import dev.semaim.train.PretrainResult;

/**
 * What {@code semaim demo} measured: k-NN accuracy of the same architecture at random initialisation and
 * after SemAIM pre-training, for the cls feature (after the final norm) and the mean of the normed patch
 * tokens.
 */
public record DemoReport(KnnResult randomCls, KnnResult randomMean, KnnResult pretrainedCls, KnnResult pretrainedMean,
                         PretrainResult training, double trainSeconds, int trainImages, int testImages) {
}
