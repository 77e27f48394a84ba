package dev.semaim.data;

/**
 * The contents of an IDX image file (magic 2051): {@code count} images of rows x cols unsigned bytes,
 * {@code pixels[(n * rows + y) * cols + x]}.
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixel array length " + pixels.length + " != " + count + "*" + rows + "*" + cols);
        }
    }

    /** Image n as a uint8 grey image, shape (1, rows, cols). */
    public Image image(int n) {
        int plane = rows * cols;
        float[] data = new float[plane];
        for (int i = 0, off = n * plane; i < plane; i++) {
            data[i] = pixels[off + i] & 0xff;
        }
        return new Image(data, 1, rows, cols, true);
    }
}
