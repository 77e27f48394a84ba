package dev.semaim.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-style IDX files: big-endian int32 magic (0x00000803 = 2051 for uint8 images with 3 dims,
 * 0x00000801 = 2049 for uint8 labels with 1 dim), the dimension sizes, then the raw bytes. Gzip-compressed
 * files ({@code *-ubyte.gz}, as Debian's {@code dataset-fashion-mnist} ships them) are detected by their
 * magic bytes 1f 8b, not by name. Every error names the file.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    private IdxReader() {
    }

    public static IdxImages readImages(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, file.toString());
        }
    }

    public static int[] readLabels(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, file.toString());
        }
    }

    /** Images from a stream (gzipped or raw); {@code name} is used in error messages. */
    public static IdxImages readImages(InputStream stream, String name) throws IOException {
        return read(stream, name, in -> {
            int[] dims = header(in, name, IMAGES_MAGIC, 3);
            byte[] pixels = body(in, name, (long) dims[0] * dims[1] * dims[2]);
            return new IdxImages(dims[0], dims[1], dims[2], pixels);
        });
    }

    /** Labels (0..255) from a stream (gzipped or raw); {@code name} is used in error messages. */
    public static int[] readLabels(InputStream stream, String name) throws IOException {
        return read(stream, name, in -> {
            int[] dims = header(in, name, LABELS_MAGIC, 1);
            byte[] raw = body(in, name, dims[0]);
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        });
    }

    private interface Contents<T> {
        T read(DataInputStream in) throws IOException;
    }

    /**
     * Reads {@code contents} from the (possibly gzipped) stream. The gzip decoder's own errors name no file
     * ("Unexpected end of ZLIB input stream"): they are given the file's name and said plainly.
     */
    private static <T> T read(InputStream stream, String name, Contents<T> contents) throws IOException {
        DataInputStream in = open(stream);
        try {
            return contents.read(in);
        } catch (EOFException e) { // only the gzip decoder throws it past header(): raw data ends in a short count
            throw new IOException(name + ": truncated gzip file: the compressed data ends before the IDX data does ("
                    + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new IOException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static DataInputStream open(InputStream stream) throws IOException {
        BufferedInputStream buf = new BufferedInputStream(stream, 1 << 16);
        buf.mark(2);
        int b0 = buf.read(), b1 = buf.read();
        buf.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(buf, 1 << 16), 1 << 16) : buf;
        return new DataInputStream(in);
    }

    private static int[] header(DataInputStream in, String name, int expectedMagic, int ndims) throws IOException {
        try {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IOException(String.format("%s: bad IDX magic %d (0x%08x), expected %d (%s)", name, magic,
                        magic, expectedMagic, expectedMagic == IMAGES_MAGIC ? "uint8 images" : "uint8 labels"));
            }
            int[] dims = new int[ndims];
            for (int d = 0; d < ndims; d++) {
                dims[d] = in.readInt();
                if (dims[d] <= 0) {
                    throw new IOException(name + ": bad IDX dimension " + d + " = " + dims[d]);
                }
            }
            return dims;
        } catch (EOFException e) {
            throw new IOException(name + ": truncated IDX header", e);
        }
    }

    /** The first allocation of {@link #body}: 1 MiB, doubled as more data arrives. */
    private static final int FIRST_CHUNK = 1 << 20;

    /**
     * Exactly {@code length} bytes and then the end of the data. The array grows with the data read (from
     * {@link #FIRST_CHUNK}, doubling, at most {@code length}) rather than being allocated from the header's
     * claim, so a cut or corrupt file whose header claims gigabytes fails as truncated having allocated at most
     * 1 MiB or three times the data it holds, gzipped or not.
     */
    private static byte[] body(DataInputStream in, String name, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": IDX payload of " + length + " bytes is too large");
        }
        byte[] data = new byte[(int) Math.min(length, FIRST_CHUNK)];
        int got = in.readNBytes(data, 0, data.length);
        while (got == data.length && got < length) {
            data = Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
            got += in.readNBytes(data, got, data.length - got);
        }
        if (got != length) {
            throw new IOException(name + ": truncated IDX data, expected " + length + " bytes after the header, got " + got);
        }
        if (in.read() != -1) {
            throw new IOException(name + ": trailing bytes after " + length + " bytes of IDX data");
        }
        return data;
    }
}
