package dev.semaim.data;

/**
 * One mini-batch: {@code images} is a contiguous (size, channels, height, width) float array,
 * {@code labels[b]} the class of image b, {@code index} the batch's position within its epoch.
 */
public record Batch(int index, float[] images, int[] labels, int size, int channels, int height, int width) {
}
