package dev.semaim.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** IDX bytes: magic, dims, payload. */
    private static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(payload);
        return b.array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bo)) {
            out.write(raw);
        }
        return bo.toByteArray();
    }

    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, (byte) 255, 7, 8, 9, 10, 11}; // 2 images of 2x3

    @Test
    void readsRawAndGzippedFiles() throws IOException {
        byte[] raw = idx(2051, new int[] {2, 2, 3}, PIXELS);
        Path rawFile = Files.write(dir.resolve("images-idx3-ubyte"), raw);
        Path gzFile = Files.write(dir.resolve("images-idx3-ubyte.gz"), gzip(raw));
        for (Path f : List.of(rawFile, gzFile)) {
            IdxImages im = IdxReader.readImages(f);
            assertEquals(2, im.count());
            assertEquals(2, im.rows());
            assertEquals(3, im.cols());
            assertArrayEquals(new float[] {255, 7, 8, 9, 10, 11}, im.image(1).data());
        }
        // Compression is detected by content, not by name.
        Path misnamed = Files.write(dir.resolve("plain.gz"), raw);
        assertEquals(2, IdxReader.readImages(misnamed).count());

        Path labels = Files.write(dir.resolve("labels.gz"), gzip(idx(2049, new int[] {3}, new byte[] {9, 0, (byte) 200})));
        assertArrayEquals(new int[] {9, 0, 200}, IdxReader.readLabels(labels));
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path labelsAsImages = Files.write(dir.resolve("swapped"), idx(2049, new int[] {3}, new byte[3]));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(labelsAsImages));
        assertTrue(e.getMessage().contains(labelsAsImages.toString()) && e.getMessage().contains("magic"), e.getMessage());

        byte[] full = idx(2051, new int[] {2, 2, 3}, PIXELS);
        Path truncated = Files.write(dir.resolve("truncated.gz"), gzip(Arrays.copyOf(full, full.length - 1)));
        e = assertThrows(IOException.class, () -> IdxReader.readImages(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()) && e.getMessage().contains("truncated"), e.getMessage());

        Path header = Files.write(dir.resolve("header"), Arrays.copyOf(full, 6));
        e = assertThrows(IOException.class, () -> IdxReader.readImages(header));
        assertTrue(e.getMessage().contains(header.toString()), e.getMessage());
    }

    /** Issue 17 item 9: a gzipped IDX file cut short said "Unexpected end of ZLIB input stream" without naming it. */
    @Test
    void aTruncatedGzipFileIsNamedAndCalledTruncated() throws IOException {
        byte[] gz = gzip(idx(2051, new int[] {2, 2, 3}, PIXELS));
        Path cut = Files.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().startsWith(cut + ": truncated gzip file"), e.getMessage());
        Path corrupt = dir.resolve("corrupt-labels.gz");
        byte[] labels = gzip(idx(2049, new int[] {3}, new byte[] {9, 0, 1}));
        for (int i = 10; i < labels.length - 8; i++) {
            labels[i] = (byte) 0xff; // deflate blocks of nonsense
        }
        Files.write(corrupt, labels);
        e = assertThrows(IOException.class, () -> IdxReader.readLabels(corrupt));
        assertTrue(e.getMessage().startsWith(corrupt + ": "), e.getMessage());
    }

    /**
     * A 116-byte file whose header claims 60000 images of 100x200 (1.2 GB) is reported as truncated, raw or gzipped,
     * without allocating the claimed size first (it used to: an OutOfMemoryError on a small heap).
     */
    @Test
    void aHeaderClaimingMoreThanTheFileHoldsIsTruncationNotAnAllocation() throws IOException {
        byte[] raw = idx(2051, new int[] {60000, 100, 200}, new byte[100]);
        assertEquals(116, raw.length);
        Path rawFile = Files.write(dir.resolve("big-claim-idx3-ubyte"), raw);
        Path gzFile = Files.write(dir.resolve("big-claim-idx3-ubyte.gz"), gzip(raw));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (Path f : List.of(rawFile, gzFile)) {
            long before = threads.getThreadAllocatedBytes(thread);
            IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f));
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(e.getMessage().startsWith(f + ": truncated IDX data, expected 1200000000 bytes after the header, got 100"),
                    e.getMessage());
            assertTrue(allocated < 16 << 20, f + ": allocated " + allocated + " bytes");
        }
    }

    @Test
    void datasetReplicatesChannelsAndChecksLabels() throws IOException {
        Path images = Files.write(dir.resolve("i"), idx(2051, new int[] {2, 2, 3}, PIXELS));
        Path labels = Files.write(dir.resolve("l"), idx(2049, new int[] {2}, new byte[] {1, 0}));
        IdxDataset grey = IdxDataset.open(images, labels, List.of("a", "b"), 1);
        assertEquals(2, grey.size());
        assertEquals(2, grey.numClasses());
        assertEquals(1, grey.get(0).label());
        IdxDataset rgb = IdxDataset.open(images, labels, List.of("a", "b"), 3);
        Sample s = rgb.get(1);
        assertEquals(3, s.image().channels());
        assertArrayEquals(new float[] {255, 7, 8, 9, 10, 11, 255, 7, 8, 9, 10, 11, 255, 7, 8, 9, 10, 11}, s.image().data());
        assertThrows(IllegalArgumentException.class, () -> IdxDataset.open(images, labels, List.of("a"), 1));
    }

    @Test
    void embeddedFashionMnist() {
        IdxDataset train = EmbeddedFashionMnist.train();
        IdxDataset test = EmbeddedFashionMnist.test(3);
        assertEquals(3500, train.size());
        assertEquals(1000, test.size());
        assertEquals(10, train.numClasses());
        assertEquals("Ankle boot", train.classNames().get(9));
        // First labels of the original files: train 9, 0, 0, 3 and test 9, 2, 1, 1.
        assertArrayEquals(new int[] {9, 0, 0, 3}, Arrays.copyOf(train.labels(), 4));
        assertArrayEquals(new int[] {9, 2, 1, 1}, Arrays.copyOf(test.labels(), 4));
        Image first = train.get(0).image();
        assertEquals(1, first.channels());
        assertEquals(28, first.height());
        double sum = 0;
        for (float v : first.data()) {
            sum += v;
        }
        assertEquals(76247, sum); // pixel sum of the first training image
        assertEquals(3, test.get(0).image().channels());
    }
}
