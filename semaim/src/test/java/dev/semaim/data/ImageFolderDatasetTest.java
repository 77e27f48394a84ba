package dev.semaim.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    private void png(String relative, int w, int h) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, ImageDecoderTest.png(ImageDecoderTest.gradient(w, h)));
    }

    @Test
    void classesSortedAndLabelsFollowThem() throws IOException {
        png("zebra/1.png", 4, 3);
        png("ant/b.PNG", 5, 3);
        png("ant/a.jpeg.png", 6, 3);
        png("ant/nested/c.png", 7, 3);
        Files.writeString(root.resolve("ant/readme.txt"), "not an image");
        ImageFolderDataset ds = new ImageFolderDataset(root);
        assertEquals(List.of("ant", "zebra"), ds.classNames());
        assertEquals(4, ds.size());
        assertEquals(0, ds.label(0));
        assertEquals(1, ds.label(3));
        assertEquals(6, ds.get(0).image().width()); // "a.jpeg.png" sorts first
        assertEquals(4, ds.get(3).image().width());
        assertEquals(1, ds.get(3).label());
    }

    @Test
    void badLayoutsFailAtConstructionNamingThePath() throws IOException {
        Path missing = root.resolve("nope");
        assertMessageNames(missing, assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset(missing)));
        assertMessageNames(root, assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset(root)));
        Files.writeString(root.resolve("stray.png"), "x");
        assertMessageNames(root, assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset(root)));
        Files.createDirectories(root.resolve("cls"));
        png("other/x.png", 2, 2);
        assertMessageNames(root.resolve("cls"), assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset(root)));
    }

    private static void assertMessageNames(Path p, Exception e) {
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void corruptImageIsSkippedWarnedOnceAndCounted() throws IOException {
        png("a/0.png", 2, 2);
        Files.createDirectories(root.resolve("a"));
        Path bad = Files.write(root.resolve("a/1.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        png("b/2.png", 3, 2);
        List<String> warnings = new ArrayList<>();
        ImageFolderDataset ds = new ImageFolderDataset(root, new ImageDecoder(), warnings::add);
        assertEquals(3, ds.size());
        Sample s = ds.get(1); // the corrupt file: replaced by the next sample
        assertEquals(3, s.image().width());
        assertEquals(1, s.label());
        ds.get(1);
        assertEquals(1, ds.corruptCount());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains(bad.toString()), warnings.get(0));
        assertEquals(2, ds.get(0).image().width());
    }
}
