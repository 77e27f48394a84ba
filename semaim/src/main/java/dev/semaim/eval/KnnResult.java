package dev.semaim.eval;

/** k-NN accuracy in percent over {@code testCount} test images, with the settings that produced it. */
public record KnnResult(double top1, double top5, int k, double temperature, int testCount) {
}
