package dev.semaim.io;

import dev.semaim.tensor.DType;
import dev.semaim.nn.io.RawTensor;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading the torch-made fixtures (scripts/torch/make_pth_fixtures.py states every value), writing, and
 * rejecting hostile or broken files with messages that name the file and the problem.
 */
class TorchCheckpointTest {
    private static final List<String> KEYS =
            List.of("w", "w_t", "row", "idx", "count", "x64", "scalar", "half", "bf16", "param", "strided");

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource("/dev/semaim/io/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture state dict's values, in closed form. */
    static void assertFixtureStateDict(Map<String, Tensor> sd) {
        assertEquals(KEYS, List.copyOf(sd.keySet()));
        check(sd.get("w"), DType.F32, new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
        check(sd.get("w_t"), DType.F32, new int[] {3, 2}, 0, 3, 1, 4, 2, 5); // transposed view, materialised
        check(sd.get("row"), DType.F32, new int[] {3}, 3, 4, 5); // storage offset 3
        assertEquals(DType.I64, sd.get("idx").dtype());
        assertArrayEquals(new long[] {-2, 0, 5, 1L << 40}, (long[]) sd.get("idx").toArray());
        assertEquals(DType.I32, sd.get("count").dtype());
        assertArrayEquals(new int[] {0, 1, 2, 3}, (int[]) sd.get("count").toArray());
        assertArrayEquals(new int[] {2, 2}, sd.get("count").shape());
        assertEquals(DType.F64, sd.get("x64").dtype());
        assertArrayEquals(new double[] {0.1, -2.5}, (double[]) sd.get("x64").toArray());
        check(sd.get("scalar"), DType.F32, new int[0], 1.5);
        check(sd.get("half"), DType.F32, new int[] {3}, 0.5, -1, 65504);
        check(sd.get("bf16"), DType.F32, new int[] {2}, 1.5, -3);
        check(sd.get("param"), DType.F32, new int[] {2, 2}, 0, 0.25, 0.5, 0.75);
        check(sd.get("strided"), DType.F32, new int[] {2, 2}, 1, 3, 9, 11); // arange(12).view(3,4)[::2, 1::2]
    }

    private static void check(Tensor t, DType dtype, int[] shape, double... values) {
        assertEquals(dtype, t.dtype());
        assertArrayEquals(shape, t.shape());
        assertTrue(t.isContiguous());
        Object host = t.toArray();
        double[] actual = new double[values.length];
        assertEquals(values.length, java.lang.reflect.Array.getLength(host));
        for (int i = 0; i < values.length; i++) actual[i] = ((Number) java.lang.reflect.Array.get(host, i)).doubleValue();
        assertArrayEquals(values, actual);
    }

    @Test
    void readsTheThreeStateDictLayouts() throws IOException {
        assertFixtureStateDict(TorchCheckpoint.readStateDict(fixture("state_dict.pth")));
        assertFixtureStateDict(TorchCheckpoint.readStateDict(fixture("model.pth")));
        assertFixtureStateDict(TorchCheckpoint.readStateDict(fixture("plain.pth")));
    }

    @Test
    void keepsTheRestOfTheCheckpointAsPlainValues() throws IOException {
        Map<?, ?> top = (Map<?, ?>) TorchCheckpoint.load(fixture("state_dict.pth"));
        assertEquals(List.of("epoch", "state_dict", "optimizer", "model"), List.copyOf(top.keySet()));
        assertEquals(7L, top.get("epoch"));
        assertEquals("aim_tiny", top.get("model")); // the factory name, not a state dict
        Map<?, ?> opt = (Map<?, ?>) top.get("optimizer");
        assertEquals(Map.of(0L, Map.of("step", 3L)), opt.get("state"));
        Map<?, ?> group = (Map<?, ?>) ((List<?>) opt.get("param_groups")).get(0);
        assertEquals(0.001, group.get("lr"));
        assertEquals(List.of(0.9, 0.95), group.get("betas"));
        assertEquals(List.of(0L, 1L), group.get("params"));
    }

    @Test
    void moduleStateDictMetadataIsDropped() throws IOException {
        Map<String, Tensor> sd = TorchCheckpoint.readStateDict(fixture("linear.pth"));
        assertEquals(List.of("weight", "bias"), List.copyOf(sd.keySet()));
        check(sd.get("weight"), DType.F32, new int[] {2, 3}, 0, 1, 2, 3, 4, 5);
        check(sd.get("bias"), DType.F32, new int[] {2}, 0.5, -0.5);
    }

    @Test
    void refusesTheHostileFixture() {
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(fixture("hostile.pth")));
        assertTrue(e.getMessage().startsWith("refusing to load "), e.getMessage());
        assertTrue(e.getMessage().contains("hostile.pth"), e.getMessage());
        assertTrue(e.getMessage().contains("pickle references posix.system"), e.getMessage());
    }

    @Test
    void refusesGlobalsOutsideTheAllowList() throws IOException {
        // GLOBAL 'os system' + args + REDUCE, as a hand-made data.pkl.
        byte[] os = pickle("cos\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R.");
        assertRefused(os, "os.system");
        // STACK_GLOBAL 'builtins' 'eval' (protocol 4 spelling).
        byte[] eval = pickle("\u008c\u0008builtins\u008c\u0004eval\u0093)R.");
        assertRefused(eval, "builtins.eval");
        // torch.storage._load_from_bytes would run torch.load (and so arbitrary pickles) on embedded bytes.
        assertRefused(pickle("ctorch.storage\n_load_from_bytes\n)R."), "torch.storage._load_from_bytes");
    }

    /**
     * TorchScript's {@code __torch__.*} classes are allowed as inert records: NEWOBJ makes one, BUILD fills its attributes,
     * a REDUCE on it (a call) is refused, and a name that only looks like one (another module, odd characters) is refused.
     */
    @Test
    void torchScriptRecordsAreDataOnly() throws IOException {
        // GLOBAL '__torch__.m Mod', (), NEWOBJ, {'training': False, 'x': 1}, BUILD
        byte[] record = pickle("c__torch__.m\nMod\n)\u0081}(X\u0008\u0000\u0000\u0000training\u0089X\u0001\u0000\u0000\u0000xK\u0001ub.");
        Path p = tmp.resolve("ts.pt");
        writeZip(p, Map.of("ts/data.pkl", record, "ts/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        Object loaded = TorchCheckpoint.load(p);
        assertEquals("ObjectRecord[className=__torch__.m.Mod, attributes={training=false, x=1}]", loaded.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.stateDict(loaded, "ts.pt"));
        assertEquals("ts.pt: TorchScript module __torch__.m.Mod holds no tensors", e.getMessage());
        Path called = tmp.resolve("called.pt");
        writeZip(called, Map.of("c/data.pkl", pickle("c__torch__.m\nMod\nX\u0002\u0000\u0000\u0000ls\u0085R."),
                "c/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        IOException io = assertThrows(IOException.class, () -> TorchCheckpoint.load(called));
        assertTrue(io.getMessage().contains("a TorchScript object takes no arguments"), io.getMessage());
        assertRefused(pickle("c__torch__x.os\nsystem\n)R."), "__torch__x.os.system");
        assertRefused(pickle("c__torch__.m\nMod;rm\n)\u0081."), "__torch__.m.Mod;rm");
    }

    private void assertRefused(byte[] dataPkl, String global) throws IOException {
        Path p = tmp.resolve("evil.pth");
        writeZip(p, Map.of("evil/data.pkl", dataPkl, "evil/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("refusing to load " + p), e.getMessage());
        assertTrue(e.getMessage().contains("pickle references " + global), e.getMessage());
    }

    /** Records are read in memory, never extracted; a record outside the archive's one folder is refused all the same. */
    @Test
    void rejectsRecordsOutsideTheArchiveFolder() throws IOException {
        Path p = tmp.resolve("traversal.pth");
        writeZip(p, Map.of("archive/data.pkl", new byte[] {(byte) 0x80, 2, '.'}, "../../etc/cron.d/evil", new byte[] {1}));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("traversal.pth") && e.getMessage().contains("zip records under two folders"), e.getMessage());
    }

    @Test
    void rejectsATruncatedZip() throws IOException {
        byte[] all = Files.readAllBytes(fixture("state_dict.pth"));
        Path p = tmp.resolve("cut.pth");
        Files.write(p, Arrays.copyOf(all, all.length / 2));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("cut.pth") && e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void rejectsATamperedDataPkl() throws IOException {
        // Flip one byte of the pickle inside the archive, leaving the zip directory's CRC as it was.
        byte[] all = Files.readAllBytes(fixture("plain.pth"));
        int at = indexOf(all, "w_t".getBytes(StandardCharsets.US_ASCII));
        all[at] = 'v';
        Path p = tmp.resolve("tampered.pth");
        Files.write(p, all);
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("tampered.pth") && e.getMessage().contains("plain/data.pkl")
                && e.getMessage().contains("CRC-32"), e.getMessage());
    }

    @Test
    void rejectsStructurallyBrokenPickles() throws IOException {
        byte[] good = readRecord(fixture("plain.pth"), "plain/data.pkl");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("truncated", "before STOP");
        cases.put("unknown opcode", "unsupported pickle opcode 0xff");
        cases.put("empty stack", "stack underflow");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            byte[] pkl = switch (c.getKey()) {
                case "truncated" -> Arrays.copyOf(good, good.length - 10);
                case "unknown opcode" -> pickle("\u00ff.");
                default -> pickle("R.");
            };
            Path p = tmp.resolve("broken.pth");
            Map<String, byte[]> records = new LinkedHashMap<>();
            records.put("plain/data.pkl", pkl);
            for (int i = 0; i < 9; i++) records.put("plain/data/" + i, readRecord(fixture("plain.pth"), "plain/data/" + i));
            writeZip(p, records);
            IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p), c.getKey());
            assertTrue(e.getMessage().contains("broken.pth (plain/data.pkl)") && e.getMessage().contains(c.getValue()),
                    c.getKey() + ": " + e.getMessage());
        }
    }

    /**
     * data.pkl of {@code _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, (size,), (1,),
     * False, OrderedDict())}.
     */
    private static byte[] vectorPickle(int numel, int offset, int size) {
        return vectorPickle(numel, "K" + (char) offset, size);
    }

    /** As {@link #vectorPickle(int, int, int)}, the offset given as pickle opcodes (LONG1 for one beyond a byte). */
    private static byte[] vectorPickle(int numel, String offsetOps, int size) {
        return pickle("ctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\n"
                + "X\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK" + (char) numel + "tQ" + offsetOps
                + "K" + (char) size + "\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtR.");
    }

    /**
     * Crafted files that used to overflow the stack, hang, read wrong data or fill memory: a list that holds itself as a
     * dict key, a string that is not UTF-8, a storage offset near 2^63 (the bound's sum wrapped negative), a record that inflates past its declared size.
     */
    @Test
    void craftedFilesAreRefusedNamingWhatIsWrong() throws IOException {
        Path p = tmp.resolve("crafted.pth");
        // {}, L = [], L.append(L), d[L] = 1
        writeZip(p, Map.of("c/data.pkl", pickle("}]q\u0000h\u0000aK\u0001s.")));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("unhashable dict key: a ArrayList"), e.getMessage());
        // a string whose bytes are not UTF-8 (it was read with U+FFFD in their place)
        writeZip(p, Map.of("c/data.pkl", pickle("X\u0002\u0000\u0000\u0000\u00ff\u00fe.")));
        e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("a string of 2 bytes that is not UTF-8"), e.getMessage());
        // offset Long.MAX_VALUE (LONG1, 8 bytes little-endian) into a 4-element storage
        writeZip(p, Map.of("c/data.pkl", vectorPickle(4, "\u008a\u0008\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f", 2), "c/data/0", new byte[16]));
        e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("reaches past the 4 elements of its storage"), e.getMessage());
        // data.pkl deflated, 1 MB of zeros after STOP, its size in the zip directory patched to the 4 bytes before them
        byte[] pkl = Arrays.copyOf(pickle("}."), 1 << 20);
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zipped)) {
            z.putNextEntry(new ZipEntry("c/data.pkl"));
            z.write(pkl);
            z.closeEntry();
        }
        byte[] zip = zipped.toByteArray();
        int central = indexOf(zip, new byte[] {0x50, 0x4b, 0x01, 0x02});
        ByteBuffer.wrap(zip, central + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(4); // uncompressed size
        Files.write(p, zip);
        e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("record c/data.pkl inflates past its declared 4 bytes"), e.getMessage());
    }

    @Test
    void rejectsAViewOutsideItsStorage() throws IOException {
        // Elements 1 and 2 of a 2-element storage.
        Path p = tmp.resolve("oob.pth");
        writeZip(p, Map.of("oob/data.pkl", vectorPickle(2, 1, 2), "oob/data/0", new byte[8]));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("reaches past the 2 elements of its storage"), e.getMessage());
        // A storage record shorter than declared.
        writeZip(p, Map.of("oob/data.pkl", vectorPickle(2, 0, 2), "oob/data/0", new byte[7]));
        e = assertThrows(IOException.class, () -> TorchCheckpoint.load(p));
        assertTrue(e.getMessage().contains("declares 2 torch.FloatStorage elements but its record has 7 bytes"), e.getMessage());
    }

    @Test
    void readsBigEndianStorages() throws IOException {
        Path p = tmp.resolve("be.pth");
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
        writeZip(p, Map.of("be/data.pkl", vectorPickle(2, 0, 2), "be/data/0", data,
                "be/byteorder", "big".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new float[] {1.5f, -2f}, (float[]) ((RawTensor) TorchCheckpoint.load(p)).toTensor().toArray());
    }

    @Test
    void readsMaeStyleCheckpointsWithTheirArgs() throws IOException {
        // MAE/SAIM save argparse.Namespace under 'args'; it becomes a plain map of its attributes.
        assertFixtureStateDict(TorchCheckpoint.readStateDict(fixture("mae.pth")));
        Map<?, ?> top = (Map<?, ?>) TorchCheckpoint.load(fixture("mae.pth"));
        assertEquals(Map.of("lr", 0.001, "model", "vit_base_patch16", "input_size", 224L), top.get("args"));
        assertEquals(Map.of("scale", 65536.0), top.get("scaler"));
    }

    @Test
    void rejectsLegacyAndNonZipFiles() throws IOException {
        Path legacy = tmp.resolve("old.pth");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10});
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(legacy));
        assertTrue(e.getMessage().contains("legacy (pre-1.6) torch.save format"), e.getMessage());
        Path text = tmp.resolve("notes.pth");
        Files.writeString(text, "hello");
        e = assertThrows(IOException.class, () -> TorchCheckpoint.load(text));
        assertTrue(e.getMessage().contains("not a torch.save zip archive"), e.getMessage());
    }

    @Test
    void stateDictNamesTheOffendingEntry() throws IOException {
        Object ckpt = TorchCheckpoint.load(fixture("state_dict.pth"));
        Map<?, ?> top = (Map<?, ?>) ckpt;
        Map<Object, Object> noState = new LinkedHashMap<>(top);
        noState.remove("state_dict");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchCheckpoint.stateDict(noState, "x.pth"));
        assertTrue(e.getMessage().contains("x.pth: entry epoch is a Long, not a tensor")
                && e.getMessage().contains("no 'state_dict' or 'model' dict"), e.getMessage());
    }

    @Test
    void writesWhatItReads() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("a", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1)); // non-contiguous view
        sd.put("b.long", Tensor.of(new long[] {Long.MIN_VALUE, -1, 1L << 40}, 3));
        sd.put("c.int", Tensor.of(new int[] {7, -8}, 2, 1));
        sd.put("d", Tensor.of(new double[] {Math.PI}));
        sd.put("empty", Tensor.of(new float[0], 0, 4));
        Path plain = tmp.resolve("out.pth");
        TorchCheckpoint.write(plain, sd);
        Map<String, Tensor> back = TorchCheckpoint.readStateDict(plain);
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(back.keySet()));
        for (String k : sd.keySet()) {
            assertEquals(sd.get(k).dtype(), back.get(k).dtype(), k);
            assertArrayEquals(sd.get(k).shape(), back.get(k).shape(), k);
            assertEquals(Arrays.deepToString(new Object[] {sd.get(k).toArray()}),
                    Arrays.deepToString(new Object[] {back.get(k).toArray()}), k);
        }
        Path nested = tmp.resolve("nested.pth");
        TorchCheckpoint.write(nested, sd, "model");
        Map<?, ?> top = (Map<?, ?>) TorchCheckpoint.load(nested);
        assertEquals(List.of("model"), List.copyOf(top.keySet()));
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(TorchCheckpoint.readStateDict(nested).keySet()));
    }

    @Test
    void writtenFilesAreDeterministicAndStorageAligned() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("x", Tensor.of(new float[] {1, 2, 3}, 3));
        sd.put("a_long_tensor_name.weight", Tensor.of(new float[] {4, 5}, 2));
        Path p1 = tmp.resolve("one.pth"), p2 = tmp.resolve("two.pth");
        TorchCheckpoint.write(p1, sd);
        TorchCheckpoint.write(p2, sd);
        byte[] b = Files.readAllBytes(p1);
        assertArrayEquals(b, Files.readAllBytes(p2));
        // Walk the local headers: every record's data starts at a multiple of 64, as torch's writer does.
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0, records = 0;
        while (buf.getInt(pos) == 0x04034b50) {
            int size = buf.getInt(pos + 18), nameLen = buf.getShort(pos + 26), extraLen = buf.getShort(pos + 28);
            int data = pos + 30 + nameLen + extraLen;
            assertEquals(0, data % 64, "record " + records + " data offset " + data);
            pos = data + size;
            records++;
        }
        assertEquals(5, records); // data.pkl, byteorder, data/0, data/1, version
    }

    // ------------------------------------------------------------------ helpers

    /** Protocol-2 header + the given opcodes (chars are bytes 0..255). */
    static byte[] pickle(String ops) {
        byte[] b = new byte[ops.length() + 2];
        b[0] = (byte) 0x80;
        b[1] = 2;
        for (int i = 0; i < ops.length(); i++) b[i + 2] = (byte) ops.charAt(i);
        return b;
    }

    /** dtypes.pth (scripts/torch/interop.py): every storage type beyond float32, read with its dtype and bytes as stored. */
    @Test
    void readsEveryStorageTypeKeepingItsDtype() throws IOException {
        Map<String, RawTensor> sd = TorchCheckpoint.readRawStateDict(fixture("dtypes.pth"));
        assertEquals(List.of("half", "half_t", "bf16", "flag", "i8", "u8", "i16"), List.copyOf(sd.keySet()));
        // F16 0.5 = 0x3800, -1 = 0xbc00, 65504 = 0x7bff (little-endian bytes)
        assertRaw(sd.get("half"), "F16", new int[] {3}, 0x00, 0x38, 0x00, 0xbc, 0xff, 0x7b);
        // arange(6).view(2, 3).t() in F16: rows (0, 3), (1, 4), (2, 5); 1 = 0x3c00, 2 = 0x4000, 3 = 0x4200, 4 = 0x4400, 5 = 0x4500
        assertRaw(sd.get("half_t"), "F16", new int[] {3, 2}, 0, 0, 0, 0x42, 0, 0x3c, 0, 0x44, 0, 0x40, 0, 0x45);
        assertRaw(sd.get("bf16"), "BF16", new int[] {2}, 0xc0, 0x3f, 0x40, 0xc0); // 1.5 = 0x3fc0, -3 = 0xc040
        assertRaw(sd.get("flag"), "BOOL", new int[] {4}, 1, 0, 0, 1);
        assertRaw(sd.get("i8"), "I8", new int[] {3}, 0x80, 0, 0x7f);
        assertRaw(sd.get("u8"), "U8", new int[] {3}, 0, 200, 255);
        assertRaw(sd.get("i16"), "I16", new int[] {2}, 0x00, 0x80, 0xff, 0x7f);
        // Loading for a model converts explicitly and exactly: half floats to F32, small integers and bool to I32.
        Map<String, Tensor> model = TorchCheckpoint.readStateDict(fixture("dtypes.pth"));
        check(model.get("half"), DType.F32, new int[] {3}, 0.5, -1, 65504);
        check(model.get("half_t"), DType.F32, new int[] {3, 2}, 0, 3, 1, 4, 2, 5);
        check(model.get("bf16"), DType.F32, new int[] {2}, 1.5, -3);
        check(model.get("flag"), DType.I32, new int[] {4}, 1, 0, 0, 1);
        check(model.get("i8"), DType.I32, new int[] {3}, -128, 0, 127);
        check(model.get("u8"), DType.I32, new int[] {3}, 0, 200, 255);
        check(model.get("i16"), DType.I32, new int[] {2}, -32768, 32767);
    }

    private static void assertRaw(RawTensor t, String dtype, int[] shape, int... bytes) {
        assertEquals(dtype, t.dtype());
        assertArrayEquals(shape, t.shape());
        byte[] expected = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) expected[i] = (byte) bytes[i];
        assertArrayEquals(expected, t.data(), dtype);
    }

    @Test
    void writesEveryDtypeAsItsOwnStorage() throws IOException {
        Map<String, RawTensor> sd = TorchCheckpoint.readRawStateDict(fixture("dtypes.pth"));
        Path out = tmp.resolve("dtypes.pth");
        TorchCheckpoint.writeRaw(out, sd, null);
        assertEquals(sd, TorchCheckpoint.readRawStateDict(out));
        String pickle = new String(zipRecord(out, "archive/data.pkl"), StandardCharsets.ISO_8859_1);
        for (String storage : List.of("HalfStorage", "BFloat16Storage", "BoolStorage", "CharStorage", "ByteStorage", "ShortStorage")) {
            assertTrue(pickle.contains("torch\n" + storage + "\n"), storage);
        }
    }

    /** The legacy fixture (torch.save(..., _use_new_zipfile_serialization=False)) is answered with the command that re-saves it. */
    @Test
    void legacyFileIsAnsweredWithTheResaveCommand() {
        Path legacy = fixture("legacy.pth");
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(legacy));
        assertEquals(legacy + ": legacy (pre-1.6) torch.save format is not supported; re-save it in the zip format with PyTorch"
                + " >= 1.6: python3 -c \"import torch; torch.save(torch.load('" + legacy + "', map_location='cpu'), '"
                + legacy.toString().replace("legacy.pth", "legacy-zip.pth") + "')\"", e.getMessage());
        assertEquals("python3 -c \"import torch; torch.save(torch.load('it\\'s', map_location='cpu'), 'it\\'s-zip.pth')\"",
                TorchCheckpoint.resaveCommand(Path.of("it's")));
    }

    private static byte[] zipRecord(Path zip, String name) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    static void writeZip(Path p, Map<String, byte[]> records) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry e = new ZipEntry(r.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(r.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(r.getValue());
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(r.getValue());
                z.closeEntry();
            }
        }
    }

    static byte[] readRecord(Path zip, String name) throws IOException {
        // ZipFile, not ZipInputStream: torch's stored records use data descriptors, which the latter rejects.
        try (ZipFile z = new ZipFile(zip.toFile()); InputStream in = z.getInputStream(z.getEntry(name))) {
            return in.readAllBytes();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("not found");
    }
}
