package dev.semaim.train;

import dev.semaim.data.IdxDataset;
import dev.semaim.data.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingDataTest {
    @TempDir
    Path dir;

    private static void greyPng(Path file, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                img.getRaster().setSample(x, y, 0, rng.nextInt(256));
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void corruptJpegInAFolderIsSkippedWithAWarning() throws Exception {
        Path data = dir.resolve("data");
        for (int i = 0; i < 6; i++) {
            greyPng(data.resolve("train/" + (i % 2 == 0 ? "a" : "b") + "/" + i + ".png"), i);
        }
        Files.write(data.resolve("train/a/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 3});
        PretrainOptions o = TinyRun.options(dir.resolve("out"));
        o.dataPath = data.toString();
        o.batchSize = 7; // one batch holding every file, the broken one included
        o.epochs = 1;
        o.warmupEpochs = 0;
        TinyRun r = TinyRun.run(o, -1);
        assertEquals(1, r.losses.size());
        assertTrue(r.output().contains("warning: skipping unreadable image " + data.resolve("train/a/broken.jpg")), r.output());
        assertTrue(r.output().contains("image folder " + data.resolve("train") + " (7 images, 2 classes)"), r.output());
    }

    @Test
    void emptyOrMissingFoldersNameTheFlagAndThePath() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingData.open(empty.toString(), 3, w -> { }));
        assertTrue(e.getMessage().startsWith("--data_path " + empty + ": ") && e.getMessage().contains("no class sub-folders"), e.getMessage());
        Path missing = dir.resolve("nope");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingData.open(missing.toString(), 3, w -> { }));
        assertEquals("--data_path " + missing + " does not exist", e.getMessage());
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingData.open(file.toString(), 3, w -> { }));
        assertEquals("--data_path " + file + " is not a folder", e.getMessage());
    }

    @Test
    void idxFolderIsDetectedAndFashionNamesChosenByPath() throws IOException {
        Path fashion = Files.createDirectories(dir.resolve("fashion-mnist"));
        writeIdx(fashion, 5);
        TrainingData.Source s = TrainingData.open(fashion.toString(), 1, w -> { });
        assertEquals(5, s.dataset().size());
        assertEquals(IdxDataset.FASHION_MNIST_CLASSES, s.dataset().classNames());
        assertEquals(List.of(1, 28, 28), shape(s.dataset().get(0).image()));
        Path digits = Files.createDirectories(dir.resolve("mnist"));
        writeIdx(digits, 3);
        TrainingData.Source d = TrainingData.open(digits.toString(), 3, w -> { });
        assertEquals("0", d.dataset().classNames().get(0));
        assertEquals(List.of(3, 28, 28), shape(d.dataset().get(2).image()));
    }

    private static List<Integer> shape(dev.semaim.data.Image img) {
        return List.of(img.channels(), img.height(), img.width());
    }

    /** Raw (uncompressed) IDX images and labels, n 28x28 images. */
    private static void writeIdx(Path folder, int n) throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        DataOutputStream im = new DataOutputStream(images);
        im.writeInt(2051);
        im.writeInt(n);
        im.writeInt(28);
        im.writeInt(28);
        im.write(new byte[n * 28 * 28]);
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        DataOutputStream lb = new DataOutputStream(labels);
        lb.writeInt(2049);
        lb.writeInt(n);
        for (int i = 0; i < n; i++) {
            lb.writeByte(i % 10);
        }
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
    }
}
