package dev.semaim.nn.io;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}}
 * (padded with spaces), then the raw little-endian tensor bytes, with offsets relative to the end of
 * the header. Reading validates strictly and names the file and tensor in every error. {@link #read} gives engine
 * tensors (F16/BF16 widened to F32, BOOL/U8/I8/I16 to I32, see {@link RawTensor#toTensor()}); {@link #readRaw}
 * and {@link #writeRaw} carry every dtype's bytes untouched, for converters. Writing keeps the map's order and is
 * atomic: the previous file survives any crash during the write.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The contents of a file: tensors in data order (on the default backend) and the metadata. */
    public record File(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** The named tensor, or an error naming the file and the missing name. */
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException(path + ": no tensor '" + name + "' (it holds " + tensors.size() + " tensors)");
            return t;
        }
    }

    /** A file's contents as stored: every tensor's dtype and bytes untouched (for converters). */
    public record RawFile(Path path, Map<String, RawTensor> tensors, Map<String, String> metadata) {}

    private static final String METADATA = "__metadata__";
    /** The reference implementation's limit; a larger header means a corrupt length field. */
    private static final long MAX_HEADER = 100L << 20;
    /** Bytes moved per I/O call, so huge tensors need no second full-size buffer. */
    private static final int CHUNK = 1 << 20;

    /** A header entry before its data is read. */
    private record Entry(String name, String dtype, int elementBytes, int[] shape, long begin, long end) {}

    // ---------------------------------------------------------------- reading

    public static File read(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = header(path, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries) tensors.put(e.name, readRawTensor(ch, h.dataStart, e).toTensor());
            return new File(path, tensors, h.metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read}, with every tensor's dtype and bytes as stored (F16 stays F16). */
    public static RawFile readRaw(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = header(path, ch);
            Map<String, RawTensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries) tensors.put(e.name, readRawTensor(ch, h.dataStart, e));
            return new RawFile(path, tensors, h.metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The metadata of a file, from its header alone (validated as {@link #read} does, the tensor data not read): to
     * check what a checkpoint holds before the work that needs it.
     */
    public static Map<String, String> readMetadata(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return header(path, ch).metadata;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /** A validated header: metadata, entries sorted by offset, where the data starts in the file. */
    private record Header(Map<String, String> metadata, List<Entry> entries, long dataStart) {}

    private static Header header(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw bad(path, "file has " + size + " bytes, fewer than the 8-byte header length");
        long n = readFully(ch, 0, 8).getLong();
        if (n < 0 || n > size - 8)
            throw bad(path, "header length " + Long.toUnsignedString(n) + " is larger than the file (" + size + " bytes)");
        if (n > MAX_HEADER) throw bad(path, "header length " + n + " exceeds the " + MAX_HEADER + "-byte limit");
        Map<String, Object> header = parseHeader(path, readFully(ch, 8, (int) n));
        Map<String, String> metadata = metadata(path, header.get(METADATA));
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet())
            if (!e.getKey().equals(METADATA)) entries.add(entry(path, e.getKey(), e.getValue()));
        // by (begin, end): an empty tensor sits before a non-empty one that starts where it does; stable for ties
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkLayout(path, entries, size - 8 - n);
        return new Header(metadata, entries, 8 + n);
    }

    private static Map<String, Object> parseHeader(Path path, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw bad(path, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(path, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map)) throw bad(path, "header is not a JSON object");
        @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) root;
        return map;
    }

    private static Map<String, String> metadata(Path path, Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) return out;
        if (!(value instanceof Map)) throw bad(path, "\"__metadata__\" is not an object of strings");
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!(e.getValue() instanceof String))
                throw bad(path, "\"__metadata__\" value of \"" + e.getKey() + "\" is not a string");
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }

    private static Entry entry(Path path, String name, Object value) {
        if (!(value instanceof Map)) throw bad(path, name, "header entry is not an object");
        Map<?, ?> info = (Map<?, ?>) value;
        for (Object k : info.keySet())
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets"))
                throw bad(path, name, "unknown header field \"" + k + "\"");
        if (!(info.get("dtype") instanceof String)) throw bad(path, name, "\"dtype\" missing or not a string");
        String dtype = (String) info.get("dtype");
        int elementBytes = elementBytes(path, name, dtype);
        long[] dims = longs(path, name, info.get("shape"), "shape", -1);
        int[] shape = new int[dims.length];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) throw bad(path, name, "shape size " + dims[i] + " exceeds 2^31-1");
            shape[i] = (int) dims[i];
            numel *= dims[i]; // < 2^62: both factors are below 2^31
            if (numel > Integer.MAX_VALUE) throw bad(path, name, "shape " + java.util.Arrays.toString(dims) + " has more than 2^31-1 elements");
        }
        long[] off = longs(path, name, info.get("data_offsets"), "data_offsets", 2);
        if (off[1] < off[0]) throw bad(path, name, "data_offsets [" + off[0] + ", " + off[1] + "] out of range (end before begin)");
        long need = numel * elementBytes;
        if (off[1] - off[0] != need)
            throw bad(path, name, "shape " + Shape.str(shape) + " of dtype " + dtype + " needs " + need + " bytes but data_offsets ["
                    + off[0] + ", " + off[1] + "] hold " + (off[1] - off[0]));
        return new Entry(name, dtype, elementBytes, shape, off[0], off[1]);
    }

    private static int elementBytes(Path path, String name, String dtype) {
        int bytes = RawTensor.elementBytes(dtype);
        if (bytes < 0) throw bad(path, name, "unknown dtype '" + dtype + "' (supported: " + RawTensor.SUPPORTED + ")");
        return bytes;
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private static long[] longs(Path path, String name, Object value, String field, int length) {
        if (!(value instanceof List)) throw bad(path, name, "\"" + field + "\" missing or not an array");
        List<?> list = (List<?>) value;
        if (length >= 0 && list.size() != length) throw bad(path, name, "\"" + field + "\" has " + list.size() + " entries, not " + length);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (v instanceof java.math.BigInteger && ((java.math.BigInteger) v).signum() > 0)
                throw bad(path, name, "\"" + field + "\" entry " + v + " exceeds 2^63-1, far beyond any file"
                        + (field.equals("data_offsets") ? " (offsets out of range)" : ""));
            if (!(v instanceof Long) || (Long) v < 0)
                throw bad(path, name, "\"" + field + "\" entry " + v + " is not a non-negative integer" + (field.equals("data_offsets") ? " (offsets out of range)" : ""));
            out[i] = (Long) v;
        }
        return out;
    }

    /**
     * Entries sorted by begin must tile [0, dataBytes) exactly. A tensor that reaches past the data section right
     * after its predecessor means a short file; one that starts elsewhere is misplaced, and it is the one to blame
     * even when the gap it left is met first (it sorts last, after the innocent neighbour that now seems misplaced).
     */
    private static void checkLayout(Path path, List<Entry> entries, long dataBytes) {
        Entry beyond = entries.stream().filter(e -> e.end > dataBytes).findFirst().orElse(null);
        long at = 0;
        String previous = null;
        for (Entry e : entries) {
            if (e.end > dataBytes && e.begin == at)
                throw bad(path, e.name, "truncated data: the tensor ends at data byte " + e.end + " but the file holds only " + dataBytes + " data bytes");
            if (e.end > dataBytes || (e.begin > at && beyond != null))
                throw outOfRange(path, beyond, dataBytes);
            if (e.begin < at)
                throw bad(path, e.name, "data_offsets [" + e.begin + ", " + e.end + "] overlap tensor '" + previous + "' (which ends at " + at + ")");
            if (e.begin > at)
                throw bad(path, e.name, "data_offsets [" + e.begin + ", " + e.end + "] are not contiguous: " + (e.begin - at) + " unused bytes before it");
            at = e.end;
            previous = e.name;
        }
        if (at != dataBytes) throw bad(path, (dataBytes - at) + " bytes after the last tensor's data (data_offsets end at " + at + ")");
    }

    private static IllegalArgumentException outOfRange(Path path, Entry e, long dataBytes) {
        return bad(path, e.name, "data_offsets [" + e.begin + ", " + e.end + "] out of range: the data section has " + dataBytes + " bytes");
    }

    /** One tensor's bytes; a tensor's data is below 2 GiB since its element count is below 2^31 (checked in entry). */
    private static RawTensor readRawTensor(FileChannel ch, long dataStart, Entry e) throws IOException {
        long bytes = e.end - e.begin;
        if (bytes > Integer.MAX_VALUE - 8) throw new IOException("tensor '" + e.name + "' holds " + bytes + " bytes, over the 2 GiB limit");
        ByteBuffer buf = readFully(ch, dataStart + e.begin, (int) bytes);
        return new RawTensor(e.dtype, e.shape, buf.array());
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, position + buf.position());
            if (r < 0) throw new IOException("file ended while reading " + length + " bytes at " + position);
        }
        return buf.flip();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes tensors (any backend, any strides; stored row-major) in the map's order, with optional
     * metadata (null or empty: none), atomically ({@link AtomicFile}).
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Stored> stored = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t == null) throw bad(path, e.getKey(), "tensor is null");
            stored.put(e.getKey(), new Stored(t.dtype().safetensorsName, t.shape(), (long) t.numel() * t.dtype().bytes));
        }
        byte[] header = header(path, stored, metadata);
        try {
            AtomicFile.write(path, ch -> {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(ch, ByteBuffer.wrap(header));
                for (Tensor t : tensors.values()) writeData(ch, t);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": writing failed: " + e.getMessage(), e);
        }
    }

    /** Tensors of any dtype with their bytes as they are (F16 stays F16), otherwise as {@link #write}. */
    public static void writeRaw(Path path, Map<String, RawTensor> tensors, Map<String, String> metadata) {
        Map<String, Stored> stored = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
            RawTensor t = e.getValue();
            if (t == null) throw bad(path, e.getKey(), "tensor is null");
            stored.put(e.getKey(), new Stored(t.dtype(), t.shape(), t.data().length));
        }
        byte[] header = header(path, stored, metadata);
        try {
            AtomicFile.write(path, ch -> {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(ch, ByteBuffer.wrap(header));
                for (RawTensor t : tensors.values()) writeFully(ch, ByteBuffer.wrap(t.data()));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": writing failed: " + e.getMessage(), e);
        }
    }

    /** What the header says of one tensor. */
    private record Stored(String dtype, int[] shape, long bytes) {}

    /** The JSON header, padded with spaces so that the data starts at a multiple of 8 bytes. */
    private static byte[] header(Path path, Map<String, Stored> tensors, Map<String, String> metadata) {
        StringBuilder b = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            b.append(Json.quote(METADATA)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw bad(path, "metadata key or value is null: " + e);
                b.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                sep = ",";
            }
            b.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Stored> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA)) throw bad(path, "invalid tensor name '" + name + "'");
            Stored t = e.getValue();
            long bytes = t.bytes;
            if (b.length() > 1) b.append(',');
            b.append(Json.quote(name)).append(":{\"dtype\":\"").append(t.dtype).append("\",\"shape\":[");
            int[] s = t.shape;
            for (int i = 0; i < s.length; i++) b.append(i > 0 ? "," : "").append(s[i]);
            b.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        b.append('}');
        byte[] raw = b.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(raw, padded);
        java.util.Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, Tensor t) throws IOException {
        Object host = t.toArray(); // row-major copy on the host
        int numel = t.numel(), elementBytes = t.dtype().bytes, perChunk = CHUNK / elementBytes;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < numel; from += perChunk) {
            int count = Math.min(perChunk, numel - from);
            buf.clear();
            switch (t.dtype()) {
                case F32: buf.asFloatBuffer().put((float[]) host, from, count); break;
                case F64: buf.asDoubleBuffer().put((double[]) host, from, count); break;
                case I32: buf.asIntBuffer().put((int[]) host, from, count); break;
                case I64: buf.asLongBuffer().put((long[]) host, from, count); break;
                default: buf.asShortBuffer().put((short[]) host, from, count); break; // BF16, F16: their bits
            }
            buf.limit(count * elementBytes);
            writeFully(ch, buf);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static IllegalArgumentException bad(Path path, String what) {
        return new IllegalArgumentException(path + ": " + what);
    }

    private static IllegalArgumentException bad(Path path, String tensor, String what) {
        return new IllegalArgumentException(path + ": tensor '" + tensor + "': " + what);
    }
}
