package dev.semaim.viz;

import dev.semaim.nn.io.AtomicFile;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writing pictures: PNG through ImageIO (no display needed), atomically (temporary file in the same folder, then rename). */
public final class Pictures {
    private Pictures() {}

    public static void writePng(BufferedImage img, Path file) {
        try {
            AtomicFile.write(file, ch -> {
                if (!ImageIO.write(img, "png", AtomicFile.stream(ch))) throw new IOException("no PNG writer in this JVM");
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
