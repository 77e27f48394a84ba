package dev.semaim.train;

import dev.semaim.model.AimViT;

import java.nio.file.Path;

/**
 * The end of a pre-training run.
 *
 * @param nextEpoch        the epoch a resume would continue with (= epochs when the run finished)
 * @param optimizerSteps   optimizer steps done in total, resumed ones included
 * @param lastEpochLoss    mean loss of the last epoch trained in this process (NaN if none)
 * @param imagesPerSecond  training throughput of this process (order pass, forward, backward and step)
 * @param lastCheckpoint   the last checkpoint written (null if none)
 * @param timeLimitReached whether the run stopped early at its time limit
 * @param model            the trained model
 */
public record PretrainResult(int nextEpoch, long optimizerSteps, double lastEpochLoss, double imagesPerSecond,
                             Path lastCheckpoint, boolean timeLimitReached, AimViT model) {
}
