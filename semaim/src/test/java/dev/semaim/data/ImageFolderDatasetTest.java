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

    /** An empty file named {@code relative} (construction lists files; it decodes none). */
    private static void touch(Path dir, String relative) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[0]);
    }

    private static List<String> relativeFiles(ImageFolderDataset ds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            out.add(ds.root().relativize(ds.file(i)).toString());
        }
        return out;
    }

    /**
     * torchvision's {@code sorted(os.walk(class_dir))} orders folders by path, then names within a folder: a file of
     * c/ before any file of c/sub/, and 'c/sub' &lt; 'c/sub-x' &lt; 'c/sub/x' because '-' (0x2d) &lt; '/' (0x2f).
     */
    @Test
    void samplesFollowTorchvisionWalkOrder() throws IOException {
        for (String f : List.of("c/sub/a.jpg", "c/z.jpg", "c/a-b.jpg", "d/sub/x/1.png", "d/sub-x/1.png", "d/sub/1.png", "d/0.png")) {
            touch(root, f);
        }
        touch(root, "d/sub/notes.txt");
        assertEquals(List.of("c/a-b.jpg", "c/z.jpg", "c/sub/a.jpg", "d/0.png", "d/sub/1.png", "d/sub-x/1.png", "d/sub/x/1.png"),
                relativeFiles(new ImageFolderDataset(root)));
    }

    /** Python orders str by code point; String.compareTo would put U+1F600 (a surrogate pair) before U+FFFD. */
    @Test
    void namesCompareByCodePointAsPythonDoes() {
        assertTrue(ImageFolderDataset.pythonOrder("\uFFFD.jpg", "\uD83D\uDE00.jpg") < 0);
        assertTrue(ImageFolderDataset.pythonOrder("a", "ab") < 0);
        assertTrue(ImageFolderDataset.pythonOrder("sub-x", "sub/x") < 0);
        assertEquals(0, ImageFolderDataset.pythonOrder("\uD83D\uDE00", "\uD83D\uDE00"));
    }

    /** A class folder that is a symbolic link, and a linked sub-folder inside a class, are walked into. */
    @Test
    void symbolicLinksToFoldersAreFollowed(@TempDir Path elsewhere) throws IOException {
        png("cat/a.png", 2, 2);
        Files.createSymbolicLink(root.resolve("dog"), Files.createDirectories(elsewhere.resolve("dogs")));
        png("dog/b.png", 3, 2); // through the link: the file lies in elsewhere/dogs
        Files.createSymbolicLink(root.resolve("cat/more"), Files.createDirectories(elsewhere.resolve("more")));
        touch(elsewhere, "more/c.png");
        ImageFolderDataset ds = new ImageFolderDataset(root);
        assertEquals(List.of("cat", "dog"), ds.classNames());
        assertEquals(List.of("cat/a.png", "cat/more/c.png", "dog/b.png"), relativeFiles(ds));
        assertEquals(1, ds.label(2));
        assertEquals(3, ds.get(2).image().width());
    }

    /** A link back to a folder above it would be walked forever: an error naming the class folder. */
    @Test
    void aSymbolicLinkLoopFailsNamingTheClassFolder() throws IOException {
        png("cat/a.png", 2, 2);
        Files.createSymbolicLink(root.resolve("cat/again"), root.resolve("cat"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageFolderDataset(root));
        assertMessageNames(root.resolve("cat"), e);
        assertTrue(e.getMessage().contains("symbolic link loop") && e.getMessage().contains("again"), e.getMessage());
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
