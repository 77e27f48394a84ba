package dev.semaim.nn.io;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir Path dir;

    static final Path GOLDEN = Path.of("..", "tests", "src", "test", "resources", "golden");

    @Test
    void roundTripKeepsEveryDtypeShapeOrderAndMetadata() {
        Rng rng = new Rng(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("z.f32", Tensor.randn(rng, DType.F32, 3, 5));
        in.put("a.f64", Tensor.randn(rng, DType.F64, 2, 1, 4));
        in.put("m.i32", Tensor.of(new int[] {1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}, 4));
        in.put("b.i64", Tensor.of(new long[] {Long.MAX_VALUE, -1, 1L << 40}, 3, 1));
        in.put("scalar", Tensor.scalar(2.5, DType.F32));
        in.put("empty", Tensor.zeros(DType.F32, 0, 3));
        in.put("view", Tensor.randn(rng, DType.F32, 4, 6).transpose(0, 1).narrow(0, 1, 3)); // non-contiguous (3, 4)
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", "{\"depth\": 4, \"name\": \"t\\u00e9st\"}");
        meta.put("note", "line\nbreak \"quoted\" \\ tab\t");
        Path p = dir.resolve("rt.safetensors");
        Safetensors.write(p, in, meta);

        Safetensors.File f = Safetensors.read(p);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(f.tensors().keySet()), "file order is the map order");
        assertEquals(meta, f.metadata());
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            Tensor got = f.get(e.getKey()), want = e.getValue();
            assertEquals(want.dtype(), got.dtype(), e.getKey());
            assertArrayEquals(want.shape(), got.shape(), e.getKey());
            assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), e.getKey());
        }
        assertArrayEquals(new long[] {Long.MAX_VALUE, -1, 1L << 40}, f.get("b.i64").toLongArray(), "I64 exact beyond 2^53");
    }

    @Test
    void bf16AndF16TensorsAreWrittenAsTheirBitsAndReadBackWidened() {
        Tensor x = Tensor.of(new float[] {1.00390625f, -3.5f, 65504f, 0x1p-24f}, 2, 2);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", x.to(DType.BF16));
        in.put("h", x.to(DType.F16).transpose(0, 1)); // a view: written in row-major order
        Path p = dir.resolve("half.safetensors");
        Safetensors.write(p, in, Map.of());
        Safetensors.RawFile raw = Safetensors.readRaw(p);
        assertEquals("BF16", raw.tensors().get("b").dtype());
        ByteBuffer b = ByteBuffer.wrap(raw.tensors().get("h").data()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(dev.semaim.tensor.HalfFloats.toF16(1.00390625f), b.getShort(0));
        assertEquals(dev.semaim.tensor.HalfFloats.toF16(65504f), b.getShort(2), "the transposed view's second element");
        Safetensors.File f = Safetensors.read(p);
        assertArrayEquals(in.get("b").toFloatArray(), f.get("b").toFloatArray());
        assertArrayEquals(in.get("h").toFloatArray(), f.get("h").toFloatArray());
    }

    @Test
    void emptyTensorsMayShareAnOffsetWithTheirNeighbours() throws IOException {
        Path p = raw("empties", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"e\":{\"dtype\":\"I64\",\"shape\":[0,2],\"data_offsets\":[4,4]}}", new byte[8]);
        Safetensors.File f = Safetensors.read(p);
        assertEquals(List.of("a", "e", "b"), List.copyOf(f.tensors().keySet()), "data order");
        assertArrayEquals(new int[] {0, 2}, f.get("e").shape());
    }

    @Test
    void headerIsSpacePaddedToEightBytesAndNoTempFileRemains() throws IOException {
        Path p = dir.resolve("pad.safetensors");
        Safetensors.write(p, Map.of("x", Tensor.of(new float[] {1, 2, 3}, 3)), null);
        byte[] b = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}"), header);
        assertTrue(header.substring(header.lastIndexOf('}') + 1).isBlank());
        assertEquals(8 + n + 12, b.length);
        assertEquals(List.of("pad.safetensors"), listDir());
    }

    @Test
    void failedWriteLeavesThePreviousFileIntact() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        Safetensors.write(p, Map.of("x", Tensor.of(new float[] {1, 2}, 2)), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(p);
        // a view that points past its storage: fails while the data is being written, after the temp file exists
        Tensor broken = new Tensor(Tensor.zeros(2).storage(), new int[] {4}, new int[] {1}, 1);
        Map<String, Tensor> next = new LinkedHashMap<>();
        next.put("x", Tensor.of(new float[] {5, 6}, 2));
        next.put("broken", broken);
        assertThrows(RuntimeException.class, () -> Safetensors.write(p, next, null));
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("keep.safetensors"), listDir(), "the temporary file is removed");
    }

    @Test
    void readsHalfAndBfloat16AsFloat32() throws IOException {
        // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 0x0001; BF16: 1.0 = 0x3f80, -3.0 = 0xc040
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : new int[] {0x3c00, 0xc100, 0x7bff, 0x0001, 0x3f80, 0xc040}) data.putShort((short) h);
        Path p = raw("half", "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}", data.array());
        Safetensors.File f = Safetensors.read(p);
        assertEquals(DType.F32, f.get("h").dtype());
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f}, f.get("h").toFloatArray());
        assertArrayEquals(new float[] {1f, -3f}, f.get("b").toFloatArray());
    }

    @Test
    void goldenPosEmbedFixture() {
        Safetensors.File f = Safetensors.read(GOLDEN.resolve("pos_embed.safetensors"));
        assertEquals(List.of("d32_g4", "d768_g14"), List.copyOf(f.tensors().keySet()));
        Tensor t = f.get("d768_g14");
        assertArrayEquals(new int[] {1, 197, 768}, t.shape());
        assertEquals(0.0, t.select(1, 0).abs().sum().item(), "row 0 (cls) is zeros");
        // patch (r=0, c=1) is token 2: dims 0..2 and 192..194 from the README's §13 values
        Tensor r0c1 = t.select(0, 0).select(0, 2);
        assertEquals(0.84147096, r0c1.get(0), 1e-7);
        assertEquals(0.81525064, r0c1.get(1), 1e-7);
        assertEquals(0.78859305, r0c1.get(2), 1e-7);
        assertEquals(0.5403023, r0c1.get(192), 1e-7);
        assertEquals(1.0, r0c1.get(576), 0);
        // patch (r=3, c=5) is token 1 + 3*14 + 5 = 48
        Tensor r3c5 = t.select(0, 0).select(0, 48);
        assertEquals(-0.9589243, r3c5.get(0), 1e-7);
        assertEquals(0.14112, r3c5.get(384), 1e-6);
        assertEquals(371.09409, r3c5.to(DType.F64).sum().item(), 1e-4);
        assertArrayEquals(new int[] {1, 17, 32}, f.get("d32_g4").shape());
    }

    @Test
    void everyGoldenFixtureReads() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(GOLDEN)) {
            files = s.filter(x -> x.toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
        }
        assertTrue(files.size() >= 6, "golden fixtures found: " + files);
        for (Path p : files) assertTrue(!Safetensors.read(p).tensors().isEmpty(), p.toString());
        Safetensors.File train = Safetensors.read(GOLDEN.resolve("train_steps.safetensors"));
        assertTrue(train.metadata().containsKey("optimizer"), "metadata keys: " + train.metadata().keySet());
        assertEquals(1.1864128, train.get("loss").get(0), 1e-7);
    }

    // ---------------------------------------------------------------- malformed files

    @Test
    void headerLengthLargerThanFile() throws IOException {
        Path p = dir.resolve("long.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0).array());
        expect(p, "header length 1000 is larger than the file (16 bytes)");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        expect(tiny, "fewer than the 8-byte header length");
    }

    @Test
    void invalidJson() throws IOException {
        expect(raw("json", "{\"x\":{\"dtype\":\"F32\",", new byte[0]), "header is not valid JSON");
        expect(raw("notobj", "[1,2]", new byte[0]), "header is not a JSON object");
        expect(raw("dup", "{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"x\":{}}", new byte[4]), "duplicate key \"x\"");
        expect(raw("meta", "{\"__metadata__\":{\"k\":1}}", new byte[0]), "\"__metadata__\" value of \"k\" is not a string");
    }

    @Test
    void unknownDtype() throws IOException {
        expect(raw("dt", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w': unknown dtype 'F8_E4M3' (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    }

    /** BOOL, U8, I8 and I16 read for a model become I32 (exact); read raw, every dtype keeps its bytes, and writes back the same file. */
    @Test
    void smallIntegerAndBoolDtypes() throws IOException {
        byte[] data = {1, 0, (byte) 200, (byte) 255, (byte) 0x80, 0x7f, 0x00, (byte) 0x80};
        Path p = raw("small", "{\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]},"
                + "\"i\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[4,6]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[6,8]}}", data);
        Safetensors.File f = Safetensors.read(p);
        assertEquals(DType.I32, f.get("b").dtype());
        assertArrayEquals(new int[] {1, 0}, (int[]) f.get("b").toArray());
        assertArrayEquals(new int[] {200, 255}, (int[]) f.get("u").toArray());
        assertArrayEquals(new int[] {-128, 127}, (int[]) f.get("i").toArray());
        assertArrayEquals(new int[] {-32768}, (int[]) f.get("s").toArray());
        Safetensors.RawFile raw = Safetensors.readRaw(p);
        assertEquals("U8", raw.tensors().get("u").dtype());
        assertArrayEquals(new byte[] {(byte) 200, (byte) 255}, raw.tensors().get("u").data());
        Path back = dir.resolve("back.safetensors");
        Safetensors.writeRaw(back, raw.tensors(), raw.metadata());
        assertEquals(raw.tensors(), Safetensors.readRaw(back).tensors());
    }

    /** Half precision read raw and written raw stays 2 bytes an element: a F16 file converts to a F16 file, not F32. */
    @Test
    void halfStaysHalfThroughRawReadAndWrite() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00).putShort((short) 0xc040);
        Path p = raw("h", "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}", data.array());
        Path back = dir.resolve("h2.safetensors");
        Safetensors.writeRaw(back, Safetensors.readRaw(p).tensors(), Map.of());
        Safetensors.RawFile f = Safetensors.readRaw(back);
        assertEquals("F16", f.tensors().get("h").dtype());
        assertEquals("BF16", f.tensors().get("b").dtype());
        assertEquals(2, f.tensors().get("h").data().length);
        assertArrayEquals(new float[] {1f}, Safetensors.read(back).get("h").toFloatArray());
        assertArrayEquals(new float[] {-3f}, Safetensors.read(back).get("b").toFloatArray());
    }

    @Test
    void shapeAndOffsetSizesDisagree() throws IOException {
        expect(raw("size", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
                "tensor 'w': shape (2, 3) of dtype F32 needs 24 bytes but data_offsets [0, 20] hold 20");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        expect(raw("rev", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", new byte[8]),
                "tensor 'w': data_offsets [8, 4] out of range");
        expect(raw("neg", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[4]),
                "tensor 'w': \"data_offsets\" entry -4 is not a non-negative integer (offsets out of range)");
        expect(raw("past", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[64,68]}}", new byte[4]),
                "tensor 'w': data_offsets [64, 68] out of range: the data section has 4 bytes");
    }

    /** Issue 17 item 9: the first tensor moved past the data section was reported as its neighbour's gap. */
    @Test
    void aTensorMovedPastTheDataIsBlamedNotItsNeighbour() throws IOException {
        expect(raw("moved", "{\"cls_token\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4096,4100]},"
                        + "\"pos_embed\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensor 'cls_token': data_offsets [4096, 4100] out of range: the data section has 12 bytes");
        expect(raw("edge", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[8]),
                "tensor 'b': data_offsets [8, 12] out of range: the data section has 8 bytes");
    }

    /** Issue 17 item 9: offsets near 2^63 (and past 2^63-1) were reported as a JSON error. */
    @Test
    void offsetsNear2To63SayWhatIsWrong() throws IOException {
        expect(raw("max", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,9223372036854775807]}}", new byte[4]),
                "tensor 'w': data_offsets [9223372036854775803, 9223372036854775807] out of range: the data section has 4 bytes");
        expect(raw("over", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775807,9223372036854775811]}}", new byte[4]),
                "tensor 'w': \"data_offsets\" entry 9223372036854775811 exceeds 2^63-1, far beyond any file (offsets out of range)");
        expect(raw("shape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w': \"shape\" entry 18446744073709551616 exceeds 2^63-1");
    }

    @Test
    void overlappingOffsets() throws IOException {
        expect(raw("over", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensor 'b': data_offsets [4, 12] overlap tensor 'a'");
    }

    @Test
    void nonContiguousOffsets() throws IOException {
        expect(raw("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
                "tensor 'b': data_offsets [8, 12] are not contiguous: 4 unused bytes before it");
        expect(raw("tail", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[12]),
                "8 bytes after the last tensor's data");
    }

    @Test
    void truncatedData() throws IOException {
        expect(raw("trunc", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[4,20]}}", new byte[10]),
                "tensor 'b': truncated data: the tensor ends at data byte 20 but the file holds only 10 data bytes");
    }

    @Test
    void writerRejectsBadNames() {
        Path p = dir.resolve("names.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(p, Map.of("__metadata__", Tensor.zeros(1)), null));
        assertTrue(e.getMessage().contains("invalid tensor name '__metadata__'"), e.getMessage());
    }

    /** Reading p must fail with a message naming the file and containing {@code fragment}. */
    private static void expect(Path p, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "message: " + e.getMessage() + "\nwanted: " + fragment);
    }

    /** A file with a hand-written header (padded to 8) followed by {@code data}. */
    private Path raw(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int n = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + n + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(h);
        for (int i = h.length; i < n; i++) b.put((byte) ' ');
        b.put(data);
        Path p = dir.resolve(name + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
