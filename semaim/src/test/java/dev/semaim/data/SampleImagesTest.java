package dev.semaim.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SampleImagesTest {
    /** visualize and audit take their images from --data: an error about them names --data, not pretrain's --data_path. */
    @Test
    void aBadDataPathNamesTheFlagOfTheCommandsThatReadIt(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none"), file = Files.writeString(dir.resolve("a.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleImages.fromData(missing.toString(), 2, 28, 1));
        assertEquals("--data " + missing + " does not exist", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SampleImages.fromData(file.toString(), 2, 28, 1));
        assertEquals("--data " + file + " is not a folder", e.getMessage());
    }
}
