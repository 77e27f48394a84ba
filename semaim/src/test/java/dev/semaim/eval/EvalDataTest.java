package dev.semaim.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The held-out split is found next to the training split, and its absence is an error (spec section 12.2). */
class EvalDataTest {
    @TempDir
    Path dir;

    /** n images of 4x4 (IDX magic 0x803) and their labels (magic 0x801). */
    private static void idx(Path folder, String prefix, int n) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + n * 16).putInt(0x803).putInt(n).putInt(4).putInt(4);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 16; p++) {
                images.put((byte) (i * 16 + p));
            }
            labels.put((byte) (i % 10));
        }
        Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }

    @Test
    void idxFolderNeedsTheT10kFiles() throws IOException {
        idx(dir, "train", 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalData.open(dir.toString(), 1, w -> { }));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("held-out"), e.getMessage());
        idx(dir, "t10k", 3);
        EvalData d = EvalData.open(dir.toString(), 1, w -> { });
        assertEquals(6, d.train().dataset().size());
        assertEquals(3, d.heldOut().size());
        assertEquals(2, d.heldOut().get(2).label());
    }

    @Test
    void imageFolderNeedsVal() throws IOException {
        for (String split : new String[] {"train", "val"}) {
            for (String c : new String[] {"cat", "dog"}) {
                Path folder = Files.createDirectories(dir.resolve(split).resolve(c));
                ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", folder.resolve("a.png").toFile());
            }
            if (split.equals("train")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalData.open(dir.toString(), 3, w -> { }));
                assertTrue(e.getMessage().contains("no val/ folder") && e.getMessage().contains("12.2"), e.getMessage());
            }
        }
        EvalData d = EvalData.open(dir.toString(), 3, w -> { });
        assertEquals(2, d.heldOut().size());
        assertEquals(d.train().dataset().classNames(), d.heldOut().classNames());
    }

    @Test
    void evaluationCropFraction() {
        dev.semaim.data.Image img = dev.semaim.data.EmbeddedFashionMnist.test().get(0).image();  // 28x28 grey
        float[] mean = {0.5f}, std = {0.25f};
        dev.semaim.data.Image same = dev.semaim.data.Transforms.eval(28, 1.0, mean, std).apply(img, new java.util.SplittableRandom(1));
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals((img.get(0, y, x) / 255f - 0.5f) / 0.25f, same.get(0, y, x), 1e-5, "crop_pct 1 keeps the image, pixel " + y + "," + x);
            }
        }
        dev.semaim.data.Image zoomed = dev.semaim.data.Transforms.eval(28, 0.875, mean, std).apply(img, new java.util.SplittableRandom(1));
        assertEquals(28, zoomed.height());
        assertThrows(IllegalArgumentException.class, () -> dev.semaim.data.Transforms.eval(28, 1.5, mean, std));
    }
}
