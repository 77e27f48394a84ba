package dev.semaim.viz;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Labels render headless: the Java2D path here, and the built-in bitmap font that stands in on machines without fonts. */
class TextTest {
    static int lit(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) != 0) n++;
        return n;
    }

    @Test
    void textLightsPixels() {
        BufferedImage img = new BufferedImage(200, Text.LINE, BufferedImage.TYPE_INT_RGB);
        Text.draw(img, "loss 0.123", 2, 0, Color.WHITE);
        assertTrue(lit(img) > 20, "lit pixels: " + lit(img) + " (system font: " + Text.usesSystemFont() + ")");
        assertTrue(Text.width("loss 0.123") > Text.width("loss"));
    }

    @Test
    void bitmapFontDrawsEveryGlyphDistinctly() {
        String chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;-+=()[]/%_'<>!?#*";
        Set<String> seen = new HashSet<>();
        for (char c : chars.toCharArray()) {
            BufferedImage img = new BufferedImage(BitmapFont.GLYPH_W, BitmapFont.GLYPH_H, BufferedImage.TYPE_INT_RGB);
            BitmapFont.draw(img, String.valueOf(c), 0, 0, 0xFFFFFF, 1);
            StringBuilder bits = new StringBuilder();
            for (int y = 0; y < img.getHeight(); y++)
                for (int x = 0; x < img.getWidth(); x++) bits.append((img.getRGB(x, y) & 0xFFFFFF) != 0 ? '#' : '.');
            assertTrue(bits.indexOf("#") >= 0, "glyph '" + c + "' is empty");
            assertTrue(seen.add(bits.toString()), "glyph '" + c + "' looks like another one");
        }
        assertEquals(2 * (3 * BitmapFont.ADVANCE - 1), BitmapFont.width("abc", 2));
        BufferedImage lower = new BufferedImage(20, 8, BufferedImage.TYPE_INT_RGB), upper = new BufferedImage(20, 8, BufferedImage.TYPE_INT_RGB);
        BitmapFont.draw(lower, "ab", 0, 0, 0xFFFFFF, 1);
        BitmapFont.draw(upper, "AB", 0, 0, 0xFFFFFF, 1);
        assertEquals(lit(upper), lit(lower));
    }
}
