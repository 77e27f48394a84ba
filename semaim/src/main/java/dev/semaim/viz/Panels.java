package dev.semaim.viz;

import java.awt.image.BufferedImage;

/** Single picture panels: an image upscaled for reading, and a patch-grid heat map laid over it. */
public final class Panels {
    private Panels() {}

    /** Opacity of a heat map over its image. */
    public static final double HEAT_ALPHA = 0.7;

    /**
     * An image given in display units (0 = black, 1 = white; clamped), upscaled to size×size by nearest
     * neighbour. chw: (C, H, W) with C = 1 (grey) or 3 (RGB).
     */
    public static BufferedImage image(float[] chw, int channels, int height, int width, int size) {
        if (channels != 1 && channels != 3)
            throw new IllegalArgumentException("Panels.image: " + channels + " channels (1 or 3 can be shown)");
        if (chw.length != channels * height * width)
            throw new IllegalArgumentException("Panels.image: " + chw.length + " values for (" + channels + ", " + height + ", " + width + ")");
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            int sy = y * height / size;
            for (int x = 0; x < size; x++) {
                int sx = x * width / size;
                int r = byteOf(chw[sy * width + sx]);
                int g = channels == 3 ? byteOf(chw[(height + sy) * width + sx]) : r;
                int b = channels == 3 ? byteOf(chw[(2 * height + sy) * width + sx]) : r;
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    /**
     * A heat map of per-patch values (grid×grid, raster order p = r·grid + c) scaled from [lo, hi] to the
     * {@link Colormap}, each patch a block of the size×size panel (nearest upsampling), blended with
     * {@link #HEAT_ALPHA} over a greyed copy of {@code base} (null: no image under it).
     */
    public static BufferedImage heat(double[] values, int grid, double lo, double hi, BufferedImage base, int size) {
        if (values.length != grid * grid)
            throw new IllegalArgumentException("Panels.heat: " + values.length + " values for a " + grid + "x" + grid + " grid");
        double span = hi > lo ? hi - lo : 1;
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            int r = y * grid / size;
            for (int x = 0; x < size; x++) {
                int c = x * grid / size;
                int h = Colormap.rgb((values[r * grid + c] - lo) / span);
                if (base != null) h = blend(h, grey(base.getRGB(x * base.getWidth() / size, y * base.getHeight() / size)));
                out.setRGB(x, y, h);
            }
        }
        return out;
    }

    private static int grey(int rgb) {
        int v = (((rgb >> 16) & 0xFF) * 30 + ((rgb >> 8) & 0xFF) * 59 + (rgb & 0xFF) * 11) / 100;
        return (v << 16) | (v << 8) | v;
    }

    private static int blend(int heat, int under) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double v = HEAT_ALPHA * ((heat >> shift) & 0xFF) + (1 - HEAT_ALPHA) * ((under >> shift) & 0xFF);
            out |= (int) Math.round(v) << shift;
        }
        return out;
    }

    private static int byteOf(float v) {
        if (!(v > 0)) return 0;
        return v >= 1 ? 255 : Math.round(v * 255);
    }
}
