package dev.semaim.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of TensorBoard event files for the tests, written from the format's public description and sharing no
 * code with the writer ({@link EventFile}): its own CRC-32C (bitwise, from the Castagnoli polynomial), its own
 * little-endian framing and a generic protobuf decoder. Every length and data CRC is checked; a bad one, a truncated
 * record or a malformed protobuf is an {@link IllegalStateException} naming the file and byte offset.
 */
public final class TfEventsReader {
    /** One summary value: {@code Value { string tag = 1; float simple_value = 2; }}. */
    public record Scalar(String tag, float value) {
    }

    /** {@code Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }}. */
    public record Event(double wallTime, long step, String fileVersion, List<Scalar> scalars) {
    }

    private TfEventsReader() {
    }

    /** CRC-32C (reflected polynomial 0x82F63B78, initial and final xor 0xFFFFFFFF), one bit at a time. */
    static long crc32c(byte[] b, int off, int len) {
        int crc = 0xFFFFFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc & 0xFFFFFFFFL;
    }

    static long masked(long crc) {
        long rotated = ((crc >>> 15) | (crc << 17)) & 0xFFFFFFFFL;
        return (rotated + 0xa282ead8L) & 0xFFFFFFFFL;
    }

    private static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Every record of {@code file}, decoded. */
    public static List<Event> read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<Event> events = new ArrayList<>();
        int pos = 0;
        while (pos < b.length) {
            if (b.length - pos < 12) {
                throw new IllegalStateException(file + " @" + pos + ": truncated record header");
            }
            long len = le(b, pos, 8);
            long lenCrc = le(b, pos + 8, 4);
            if (lenCrc != masked(crc32c(b, pos, 8))) {
                throw new IllegalStateException(file + " @" + pos + ": length CRC mismatch");
            }
            if (len > b.length - pos - 16) {
                throw new IllegalStateException(file + " @" + pos + ": truncated record of " + len + " bytes");
            }
            int data = pos + 12;
            long dataCrc = le(b, data + (int) len, 4);
            if (dataCrc != masked(crc32c(b, data, (int) len))) {
                throw new IllegalStateException(file + " @" + pos + ": data CRC mismatch");
            }
            events.add(event(fields(b, data, data + (int) len, file)));
            pos = data + (int) len + 4;
        }
        return events;
    }

    private static Event event(Map<Integer, List<Object>> f) {
        double wallTime = f.containsKey(1) ? Double.longBitsToDouble((Long) f.get(1).get(0)) : 0;
        long step = f.containsKey(2) ? (Long) f.get(2).get(0) : 0;
        String version = f.containsKey(3) ? new String((byte[]) f.get(3).get(0), StandardCharsets.UTF_8) : null;
        List<Scalar> scalars = new ArrayList<>();
        for (Object summary : f.getOrDefault(5, List.of())) {
            byte[] s = (byte[]) summary;
            for (Object value : fields(s, 0, s.length, null).getOrDefault(1, List.of())) {
                byte[] v = (byte[]) value;
                Map<Integer, List<Object>> vf = fields(v, 0, v.length, null);
                String tag = new String((byte[]) vf.get(1).get(0), StandardCharsets.UTF_8);
                float simple = Float.intBitsToFloat((Integer) vf.get(2).get(0));
                scalars.add(new Scalar(tag, simple));
            }
        }
        return new Event(wallTime, step, version, scalars);
    }

    /**
     * A protobuf message's fields by number: varint -> Long, 64-bit -> Long (raw bits), length-delimited -> byte[],
     * 32-bit -> Integer (raw bits).
     */
    private static Map<Integer, List<Object>> fields(byte[] b, int from, int to, Path file) {
        Map<Integer, List<Object>> out = new LinkedHashMap<>();
        int[] p = {from};
        while (p[0] < to) {
            long key = varint(b, p, to);
            int number = (int) (key >>> 3);
            Object value = switch ((int) (key & 7)) {
                case 0 -> varint(b, p, to);
                case 1 -> {
                    check(p[0] + 8 <= to, file, p[0]);
                    long v = le(b, p[0], 8);
                    p[0] += 8;
                    yield v;
                }
                case 2 -> {
                    int n = (int) varint(b, p, to);
                    check(n >= 0 && p[0] + n <= to, file, p[0]);
                    byte[] v = java.util.Arrays.copyOfRange(b, p[0], p[0] + n);
                    p[0] += n;
                    yield v;
                }
                case 5 -> {
                    check(p[0] + 4 <= to, file, p[0]);
                    int v = (int) le(b, p[0], 4);
                    p[0] += 4;
                    yield v;
                }
                default -> throw new IllegalStateException(file + " @" + p[0] + ": wire type " + (key & 7));
            };
            out.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static long varint(byte[] b, int[] p, int to) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            check(p[0] < to, null, p[0]);
            int x = b[p[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 10 bytes @" + p[0]);
    }

    private static void check(boolean ok, Path file, int at) {
        if (!ok) {
            throw new IllegalStateException((file == null ? "" : file + " ") + "@" + at + ": malformed protobuf");
        }
    }
}
