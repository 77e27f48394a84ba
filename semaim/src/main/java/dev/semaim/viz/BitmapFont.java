package dev.semaim.viz;

import java.awt.image.BufferedImage;

/**
 * A 5×7 pixel font of this project's own drawing, used when the JVM cannot render text (a machine without
 * fonts or fontconfig). Covers digits, A–Z (lower case is drawn as upper case) and common punctuation; other
 * characters draw as a box. Each glyph is 7 rows of 5 bits, most significant bit = leftmost pixel.
 */
final class BitmapFont {
    private BitmapFont() {}

    static final int GLYPH_W = 5, GLYPH_H = 7, ADVANCE = 6;

    private static final String CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;-+=()[]/%_'<>!?#*";
    private static final int[][] GLYPHS = {
            {14, 17, 19, 21, 25, 17, 14}, {4, 12, 4, 4, 4, 4, 14}, {14, 17, 1, 2, 4, 8, 31}, {31, 2, 4, 2, 1, 17, 14},
            {2, 6, 10, 18, 31, 2, 2}, {31, 16, 30, 1, 1, 17, 14}, {6, 8, 16, 30, 17, 17, 14}, {31, 1, 2, 4, 8, 8, 8},
            {14, 17, 17, 14, 17, 17, 14}, {14, 17, 17, 15, 1, 2, 12},
            {14, 17, 17, 31, 17, 17, 17}, {30, 17, 17, 30, 17, 17, 30}, {14, 17, 16, 16, 16, 17, 14}, {28, 18, 17, 17, 17, 18, 28},
            {31, 16, 16, 30, 16, 16, 31}, {31, 16, 16, 30, 16, 16, 16}, {14, 17, 16, 23, 17, 17, 15}, {17, 17, 17, 31, 17, 17, 17},
            {14, 4, 4, 4, 4, 4, 14}, {7, 2, 2, 2, 2, 18, 12}, {17, 18, 20, 24, 20, 18, 17}, {16, 16, 16, 16, 16, 16, 31},
            {17, 27, 21, 21, 17, 17, 17}, {17, 17, 25, 21, 19, 17, 17}, {14, 17, 17, 17, 17, 17, 14}, {30, 17, 17, 30, 16, 16, 16},
            {14, 17, 17, 17, 21, 18, 13}, {30, 17, 17, 30, 20, 18, 17}, {15, 16, 16, 14, 1, 1, 30}, {31, 4, 4, 4, 4, 4, 4},
            {17, 17, 17, 17, 17, 17, 14}, {17, 17, 17, 17, 17, 10, 4}, {17, 17, 17, 21, 21, 21, 10}, {17, 17, 10, 4, 10, 17, 17},
            {17, 17, 10, 4, 4, 4, 4}, {31, 1, 2, 4, 8, 16, 31},
            {0, 0, 0, 0, 0, 12, 12}, {0, 0, 0, 0, 12, 4, 8}, {0, 12, 12, 0, 12, 12, 0}, {0, 12, 12, 0, 12, 4, 8},
            {0, 0, 0, 31, 0, 0, 0}, {0, 4, 4, 31, 4, 4, 0}, {0, 0, 31, 0, 31, 0, 0}, {2, 4, 8, 8, 8, 4, 2},
            {8, 4, 2, 2, 2, 4, 8}, {14, 8, 8, 8, 8, 8, 14}, {14, 2, 2, 2, 2, 2, 14}, {1, 1, 2, 4, 8, 16, 16},
            {24, 25, 2, 4, 8, 19, 3}, {0, 0, 0, 0, 0, 0, 31}, {4, 4, 8, 0, 0, 0, 0}, {2, 4, 8, 16, 8, 4, 2},
            {8, 4, 2, 1, 2, 4, 8}, {4, 4, 4, 4, 4, 0, 4}, {14, 17, 1, 2, 4, 0, 4}, {10, 10, 31, 10, 31, 10, 10},
            {0, 21, 14, 31, 14, 21, 0}};
    private static final int[] BOX = {31, 17, 17, 17, 17, 17, 31};

    /** Pixel width of a string at the given scale. */
    static int width(String s, int scale) {
        return s.isEmpty() ? 0 : (s.length() * ADVANCE - 1) * scale;
    }

    /** Draws s with its top-left corner at (x, y) in colour rgb, each font pixel a scale×scale block. */
    static void draw(BufferedImage img, String s, int x, int y, int rgb, int scale) {
        for (int i = 0; i < s.length(); i++) {
            char ch = Character.toUpperCase(s.charAt(i));
            if (ch != ' ') {
                int k = CHARS.indexOf(ch);
                int[] rows = k < 0 ? BOX : GLYPHS[k];
                for (int r = 0; r < GLYPH_H; r++)
                    for (int c = 0; c < GLYPH_W; c++)
                        if ((rows[r] >> (GLYPH_W - 1 - c) & 1) != 0) fill(img, x + (i * ADVANCE + c) * scale, y + r * scale, scale, rgb);
            }
        }
    }

    private static void fill(BufferedImage img, int x0, int y0, int scale, int rgb) {
        for (int y = y0; y < y0 + scale; y++)
            for (int x = x0; x < x0 + scale; x++)
                if (x >= 0 && y >= 0 && x < img.getWidth() && y < img.getHeight()) img.setRGB(x, y, 0xFF000000 | rgb);
    }
}
