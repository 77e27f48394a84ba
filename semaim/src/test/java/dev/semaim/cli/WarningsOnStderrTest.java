package dev.semaim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17, item 9: a warning goes to stderr, not among the progress lines on stdout. */
class WarningsOnStderrTest {
    @Test
    void anUnreadableImageIsAWarningOnStderr(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        for (int i = 0; i < 4; i++) {
            Path f = data.resolve("train/" + (i % 2 == 0 ? "a" : "b") + "/" + i + ".png");
            Files.createDirectories(f.getParent());
            ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY), "png", f.toFile());
        }
        Path broken = Files.write(data.resolve("train/a/broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16});
        MainTest.Run r = MainTest.run("pretrain", "--model", "aim_tiny", "--data_path", data.toString(), "--output_dir", dir.resolve("out").toString(),
                "--input_size", "16", "--patch_size", "4", "--in_chans", "1", "--batch_size", "5", "--epochs", "1", "--warmup_epochs", "0",
                "--num_workers", "0");
        assertEquals(0, r.status(), r.err());
        String warning = "warning: skipping unreadable image " + broken;
        assertTrue(r.err().contains(warning), r.err());
        assertFalse(r.out().contains("warning"), r.out());
        assertTrue(r.out().contains("Epoch: [0/1]"), r.out()); // progress stays on stdout
    }
}
