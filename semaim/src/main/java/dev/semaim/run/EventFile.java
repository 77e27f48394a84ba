package dev.semaim.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}, the name PyTorch's
 * {@code SummaryWriter} gives it) holding scalars, so that TensorBoard, tensorboardX or any TFRecord reader opens the
 * run. The file is created by the first scalar with TensorBoard's version record {@code "brain.Event:2"}.
 *
 * <p>The format, written from its public description (TFRecord framing of {@code tensorflow.Event} protobufs):
 * <pre>
 *   record  = uint64 length (LE) | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
 *   masked  = ((crc &gt;&gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8          (CRC-32C, Castagnoli)
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
 * </pre>
 * The protobuf is encoded by hand: four wire types (varint, 64-bit, length-delimited, 32-bit) are all it needs.
 *
 * <p>Each record is appended and flushed by its own write (open, write, close), so a killed run loses at most the
 * record being written; readers stop at a truncated tail record, as TensorBoard does. Every process writes a file
 * of its own (the pid and a counter are in the name): a resumed run adds a file beside the first, and TensorBoard
 * shows both on one time axis.
 */
public final class EventFile {
    /** File-name prefix TensorBoard looks for. */
    public static final String PREFIX = "events.out.tfevents.";
    private static final int MASK_DELTA = 0xa282ead8;
    private static final AtomicInteger FILES_OF_THIS_PROCESS = new AtomicInteger();

    private final Path dir;
    private Path file;

    /** An event file in {@code dir} (created, with the folder, by the first scalar). */
    public EventFile(Path dir) {
        this.dir = dir;
    }

    /** The file, or null before the first scalar. */
    public Path file() {
        return file;
    }

    /** Appends one Event with one scalar summary value and flushes it to the file. */
    public void scalar(String tag, long step, double value) throws IOException {
        if (file == null) {
            Files.createDirectories(dir);
            file = dir.resolve(String.format("%s%010d.%s.%d.%d", PREFIX, System.currentTimeMillis() / 1000, hostName(),
                    ProcessHandle.current().pid(), FILES_OF_THIS_PROCESS.getAndIncrement()));
            byte[] version = new Proto().fixed64(1, wallTime()).bytes(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8)).toBytes();
            append(record(version));
        }
        byte[] summaryValue = new Proto().bytes(1, tag.getBytes(StandardCharsets.UTF_8)).fixed32(2, (float) value).toBytes();
        byte[] summary = new Proto().bytes(1, summaryValue).toBytes();
        byte[] event = new Proto().fixed64(1, wallTime()).varint(2, step).bytes(5, summary).toBytes();
        append(record(event));
    }

    private void append(byte[] record) throws IOException {
        // one write per record: a crash cannot interleave half of one record with the next
        Files.write(file, record, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** The TFRecord framing of {@code data}. */
    static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc(data, 0, data.length));
        return b.array();
    }

    static int maskedCrc(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** The host part of the name (the run lock's host, no DNS look-up): letters, digits, '-', '_' and '.' only. */
    private static String hostName() {
        return RunFolder.Holder.thisHost().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** A protobuf message being encoded: field key = (number << 3) | wire type, then the value. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            rawVarint((long) field << 3);
            rawVarint(v);
            return this;
        }

        Proto fixed64(int field, double v) {
            rawVarint((long) field << 3 | 1);
            long bits = Double.doubleToLongBits(v);
            for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)));
            return this;
        }

        Proto bytes(int field, byte[] v) {
            rawVarint((long) field << 3 | 2);
            rawVarint(v.length);
            out.writeBytes(v);
            return this;
        }

        Proto fixed32(int field, float v) {
            rawVarint((long) field << 3 | 5);
            int bits = Float.floatToIntBits(v);
            for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
            return this;
        }

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) { // negative steps take ten bytes, as protobuf's int64 does
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
