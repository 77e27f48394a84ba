package dev.semaim.data;

/** One dataset item: an image and its class index (0 .. numClasses-1). */
public record Sample(Image image, int label) {
}
