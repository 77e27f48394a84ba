package dev.semaim.io;

import dev.semaim.nn.io.AtomicFile;
import dev.semaim.nn.io.RawTensor;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * PyTorch {@code .pth} checkpoints (the {@code torch.save} zip format, torch >= 1.6) read and written without
 * Python and without executing anything.
 *
 * <p>Format: a zip whose records share one top-level folder {@code <name>/}: {@code data.pkl} (the pickled
 * object), {@code data/<key>} (one raw storage per key), {@code version}, optionally {@code byteorder}
 * ("little"/"big", little when absent). Tensors are pickled as {@code _rebuild_tensor_v2(storage, offset,
 * size, stride, requires_grad, hooks)} where {@code storage} is a persistent id
 * {@code ('storage', torch.<T>Storage, key, location, numel)}.
 *
 * <p>Reading runs {@link SafeUnpickler} with an allow-list of globals: collections.OrderedDict,
 * torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, the storage classes of
 * {@link TorchStorageType} (float, double, half, bfloat16, long, int, short, int8, uint8, bool), and
 * argparse.Namespace (MAE/SAIM checkpoints carry their command line as {@code args};
 * it becomes a plain map of its attributes), and the {@code __torch__.*} classes of a TorchScript archive
 * ({@code torch.jit.save}, e.g. the file {@code clip.load} downloads) as inert records whose tensors
 * {@link #stateDict} lists under their attribute paths; the archive's code is never read. Anything else, e.g. os.system or torch.storage._load_from_bytes,
 * is refused. Every record's CRC is checked. Strided views are materialised as contiguous tensors. Tensors are
 * read as {@link RawTensor}s, their dtype kept (a float16 checkpoint converts to a float16 safetensors file);
 * {@link #readStateDict} converts them for a model ({@link RawTensor#toTensor()}).
 *
 * <p>The legacy format of torch before 1.6 (a bare pickle stream, not a zip) is refused with the one-line
 * command that re-saves it in the zip format.
 */
public final class TorchCheckpoint {
    /** Records are 64-byte aligned in torch's writer (so storages can be mmapped); we do the same. */
    private static final int ALIGNMENT = 64;
    /** Zip extra-field id torch uses for its alignment padding ("FB"). */
    private static final int PADDING_EXTRA_ID = 0x4246;
    /** Folder name inside written archives (torch >= 2 uses "archive" too). */
    private static final String ARCHIVE = "archive";
    /** Fixed entry time so that equal input gives byte-identical files. */
    private static final long ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 12, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private TorchCheckpoint() {
    }

    // ================================================================== reading

    /**
     * The unpickled checkpoint: nested maps/lists/tuples of plain values (see {@link SafeUnpickler}) with
     * {@link RawTensor}s for tensors.
     */
    public static Object load(Path path) throws IOException {
        checkMagic(path);
        try (ZipFile zip = open(path)) {
            String prefix = archivePrefix(zip, path);
            ByteOrder order = byteOrder(zip, prefix, path);
            Map<String, TorchStorage> storages = new HashMap<>();
            String source = path + " (" + prefix + "data.pkl)";
            Map<String, SafeUnpickler.Callable> allowed = allowList();
            SafeUnpickler unpickler = new SafeUnpickler(record(zip, prefix + "data.pkl", path), source, allowed,
                    pid -> storage(pid, zip, prefix, order, storages, path));
            return unpickler.load();
        } catch (StorageReadFailure e) {
            throw e.getCause();
        }
    }

    /** {@link #load} then {@link #stateDict(Object, String)}, each tensor converted for a model ({@link RawTensor#toTensor()}). */
    public static Map<String, Tensor> readStateDict(Path path) throws IOException {
        return readStateDict(path, null);
    }

    /**
     * As {@link #readStateDict(Path)} from the top-level entry {@code key} (null = {@link #stateDict(Object, String)}'s
     * choice); an absent entry, or one that is not a dict of tensors, is an {@link IllegalArgumentException} naming the
     * top-level keys.
     */
    public static Map<String, Tensor> readStateDict(Path path, String key) throws IOException {
        Object checkpoint = load(path);
        Map<String, RawTensor> raw;
        if (key == null) {
            raw = stateDict(checkpoint, path.toString());
        } else if (checkpoint instanceof Map<?, ?> top && top.get(key) instanceof Map<?, ?> entry) {
            raw = stateDict(entry, path + "['" + key + "']");
        } else {
            throw new IllegalArgumentException(path + " has no dict under '" + key + "'" + (checkpoint instanceof Map<?, ?> top
                    ? " (top-level keys " + top.keySet() + ")" : " (it is a " + typeName(checkpoint) + ")"));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : raw.entrySet()) out.put(e.getKey(), e.getValue().toTensor());
        return out;
    }

    /** {@link #load} then {@link #stateDict(Object, String)}: dtypes and bytes as stored. */
    public static Map<String, RawTensor> readRawStateDict(Path path) throws IOException {
        return stateDict(load(path), path.toString());
    }

    /**
     * The tensor map of a loaded checkpoint: {@code checkpoint['state_dict']} if that is a dict, else
     * {@code checkpoint['model']} if that is a dict (a pre-training checkpoint stores the model's factory name
     * as a string under 'model'), else the top level itself when it is a plain state dict. Names are kept as
     * they are (no "module." stripping). Insertion order is the file's.
     */
    public static Map<String, RawTensor> stateDict(Object checkpoint, String source) {
        if (checkpoint instanceof SafeUnpickler.ObjectRecord module) {
            Map<String, RawTensor> out = new LinkedHashMap<>();
            flatten(module, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
            if (out.isEmpty()) throw new IllegalArgumentException(source + ": TorchScript module " + module.className() + " holds no tensors");
            return out;
        }
        if (!(checkpoint instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException(source + ": checkpoint is a " + typeName(checkpoint) + ", not a dict");
        }
        Map<?, ?> chosen = top;
        String where = "";
        for (String key : List.of("state_dict", "model")) {
            if (top.get(key) instanceof Map<?, ?> m) {
                chosen = m;
                where = "['" + key + "']";
                break;
            }
        }
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : chosen.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof RawTensor t)) {
                String hint = where.isEmpty()
                        ? " (no 'state_dict' or 'model' dict found; top-level keys " + top.keySet() + ")" : "";
                throw new IllegalArgumentException(source + where + ": entry " + e.getKey() + " is a "
                        + typeName(e.getValue()) + ", not a tensor" + hint);
            }
            out.put(name, t);
        }
        return out;
    }

    /**
     * A TorchScript module's tensors under the names its state dict would have: each tensor attribute as
     * {@code prefix + name}, each submodule's under {@code prefix + name + "."} (so a CLIP archive gives
     * {@code visual.conv1.weight}, {@code visual.transformer.resblocks.0.attn.in_proj_weight}, ...). Flags and other
     * plain attributes are skipped; a record met twice (shared) is listed once.
     */
    private static void flatten(SafeUnpickler.ObjectRecord module, String prefix, Map<String, RawTensor> out,
                                Set<Object> seen) {
        if (!seen.add(module)) return;
        for (Map.Entry<Object, Object> e : module.attributes().entrySet()) {
            if (!(e.getKey() instanceof String name)) continue;
            if (e.getValue() instanceof RawTensor t) out.put(prefix + name, t);
            else if (e.getValue() instanceof SafeUnpickler.ObjectRecord child) flatten(child, prefix + name + ".", out, seen);
        }
    }

    private static void checkMagic(Path path) throws IOException {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, 4);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "checkpoint file not found");
        }
        if (n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return;
        if (n >= 1 && (head[0] & 0xff) == 0x80) {
            throw new IOException(path + ": legacy (pre-1.6) torch.save format is not supported; re-save it in the zip"
                    + " format with PyTorch >= 1.6: " + resaveCommand(path));
        }
        throw new IOException(path + ": not a torch.save zip archive (no zip signature at the start)");
    }

    /** The Python one-liner that re-saves a legacy file beside itself in the zip format. */
    static String resaveCommand(Path path) {
        String in = path.toString().replace("\\", "\\\\").replace("'", "\\'");
        String out = in.replaceFirst("(\\.[^./]*)?$", "-zip.pth");
        return "python3 -c \"import torch; torch.save(torch.load('" + in + "', map_location='cpu'), '" + out + "')\"";
    }

    private static ZipFile open(Path path) throws IOException {
        try {
            return new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new IOException(path + ": cannot read the zip archive (truncated or corrupt?): " + e.getMessage(), e);
        }
    }

    /** "name/" such that "name/data.pkl" exists; every record must live under it. */
    private static String archivePrefix(ZipFile zip, Path path) throws IOException {
        String prefix = null;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String name = en.nextElement().getName();
            int slash = name.indexOf('/');
            if (slash <= 0) throw new IOException(path + ": zip record '" + name + "' is not inside an archive folder");
            String p = name.substring(0, slash + 1);
            if (prefix != null && !prefix.equals(p)) {
                throw new IOException(path + ": zip records under two folders, '" + prefix + "' and '" + p + "'");
            }
            prefix = p;
        }
        if (prefix == null || zip.getEntry(prefix + "data.pkl") == null) {
            throw new IOException(path + ": no <name>/data.pkl record; not a torch.save checkpoint");
        }
        return prefix;
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix, Path path) throws IOException {
        if (zip.getEntry(prefix + "byteorder") == null) return ByteOrder.LITTLE_ENDIAN;
        String s = new String(record(zip, prefix + "byteorder", path), StandardCharsets.US_ASCII).trim();
        return switch (s) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new IOException(path + ": " + prefix + "byteorder is '" + s + "', expected little or big");
        };
    }

    /** A record's bytes, its CRC-32 checked against the zip directory. */
    private static byte[] record(ZipFile zip, String name, Path path) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) throw new IOException(path + ": missing zip record " + name);
        if (e.getSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(path + ": record " + name + " is " + e.getSize() + " bytes, over the 2 GiB limit");
        }
        byte[] b;
        try (InputStream in = zip.getInputStream(e)) {
            // at most the declared size: a record that inflates past it (a zip bomb of a few hundred KB) is refused
            // before it fills memory, where readAllBytes() would read all of it and only then meet the CRC check
            int declared = (int) Math.max(0, e.getSize());
            b = in.readNBytes(declared);
            if (in.read() != -1) {
                throw new IOException(path + ": record " + name + " inflates past its declared " + declared + " bytes (corrupt or crafted)");
            }
        } catch (ZipException ex) {
            throw new IOException(path + ": cannot read record " + name + ": " + ex.getMessage(), ex);
        }
        CRC32 crc = new CRC32();
        crc.update(b);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new IOException(path + ": record " + name + " fails its CRC-32 check (file tampered or corrupt)");
        }
        return b;
    }

    /** A storage's elements as little-endian bytes. */
    private record TorchStorage(TorchStorageType type, byte[] data, int numel) {
    }

    /** The BINPERSID hook: ('storage', torch.XStorage, key, location, numel) -> the storage, read once per key. */
    private static TorchStorage storage(Object pid, ZipFile zip, String prefix, ByteOrder order,
                                        Map<String, TorchStorage> cache, Path path) {
        if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof SafeUnpickler.Global g) || !(t.get(2) instanceof String key)
                || !(t.get(4) instanceof Long numel)) {
            throw new IllegalArgumentException("persistent id " + SafeUnpickler.brief(pid) + " is not ('storage', type, key, location, numel)");
        }
        TorchStorageType type = null;
        for (TorchStorageType s : TorchStorageType.values()) if (s.qualifiedName.equals(g.qualifiedName())) type = s;
        if (type == null) throw new IllegalArgumentException(g.qualifiedName() + " is not a storage class");
        if (!STORAGE_KEY.matcher(key).matches()) throw new IllegalArgumentException("bad storage key '" + key + "'");
        TorchStorage cached = cache.get(key);
        if (cached != null) {
            if (cached.type != type) {
                throw new IllegalArgumentException("storage " + key + " used as both " + cached.type.qualifiedName
                        + " and " + type.qualifiedName);
            }
            return cached;
        }
        byte[] raw;
        try {
            raw = record(zip, prefix + "data/" + key, path);
        } catch (IOException e) {
            throw new StorageReadFailure(e);
        }
        if (numel < 0 || numel * type.bytes != raw.length) {
            throw new IllegalArgumentException("storage " + key + " declares " + numel + " " + type.qualifiedName
                    + " elements but its record has " + raw.length + " bytes");
        }
        TorchStorage s = new TorchStorage(type, type.toLittleEndian(raw, order == ByteOrder.BIG_ENDIAN), (int) (long) numel);
        cache.put(key, s);
        return s;
    }

    /** Carries an IOException out of the persistent-load lambda. */
    private static final class StorageReadFailure extends RuntimeException {
        StorageReadFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private static Map<String, SafeUnpickler.Callable> allowList() {
        Map<String, SafeUnpickler.Callable> m = new HashMap<>();
        m.put("collections.OrderedDict", new SafeUnpickler.Callable() {
            @Override
            public Object call(List<Object> args) {
                if (!args.isEmpty()) throw new IllegalArgumentException("expected no arguments, got " + args.size());
                return new LinkedHashMap<>();
            }

            @Override
            public void build(Object target, Object state) {
                // A module state dict's `_metadata` attribute (per-module versions): not data, dropped.
                if (state != null && !(state instanceof Map)) {
                    throw new IllegalArgumentException("OrderedDict state is a " + typeName(state) + ", not a dict");
                }
            }
        });
        m.put("argparse.Namespace", new SafeUnpickler.Callable() {
            @Override
            public Object call(List<Object> args) {
                return new LinkedHashMap<String, Object>();
            }

            @Override
            @SuppressWarnings("unchecked")
            public void build(Object target, Object state) {
                if (!(state instanceof Map<?, ?> attrs)) {
                    throw new IllegalArgumentException("Namespace state is a " + typeName(state) + ", not a dict");
                }
                ((Map<Object, Object>) target).putAll(attrs);
            }
        });
        m.put("torch._utils._rebuild_tensor_v2", TorchCheckpoint::rebuildTensor);
        m.put("torch._utils._rebuild_parameter", args -> {
            if (args.size() < 2 || !(args.get(0) instanceof RawTensor t)) {
                throw new IllegalArgumentException("expected (tensor, requires_grad, hooks), got " + SafeUnpickler.brief(args));
            }
            return t;
        });
        for (TorchStorageType s : TorchStorageType.values()) {
            m.put(s.qualifiedName, args -> {
                throw new IllegalArgumentException("a storage class is only valid inside a persistent id");
            });
        }
        return m;
    }

    /**
     * {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])}: the view
     * {@code storage[offset + sum_i idx_i * stride_i]} copied into a contiguous tensor.
     */
    private static RawTensor rebuildTensor(List<Object> args) {
        if (args.size() < 4 || !(args.get(0) instanceof TorchStorage s) || !(args.get(1) instanceof Long offset)
                || !(args.get(2) instanceof List<?> sizeList) || !(args.get(3) instanceof List<?> strideList)) {
            throw new IllegalArgumentException("expected (storage, offset, size, stride, ...), got " + SafeUnpickler.brief(args));
        }
        int[] size = ints(sizeList, "size");
        int[] stride = ints(strideList, "stride");
        if (size.length != stride.length) {
            throw new IllegalArgumentException("size " + Shape.str(size) + " and stride " + Shape.str(stride) + " differ in rank");
        }
        long numel = 1;
        for (int i = 0; i < size.length; i++) {
            numel *= size[i];
            if (numel > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of shape " + Shape.str(size) + " is too large");
        }
        if (numel > 0 && lastElement(offset, size, stride) >= s.numel) {
            throw new IllegalArgumentException("view (offset " + offset + ", size " + Shape.str(size) + ", stride "
                    + Shape.str(stride) + ") reaches past the " + s.numel + " elements of its storage");
        }
        if (numel * s.type.bytes > Integer.MAX_VALUE - 8) { // a view may repeat elements (stride 0): larger than its storage
            throw new IllegalArgumentException("tensor of shape " + Shape.str(size) + " holds " + numel * s.type.bytes + " bytes, over the 2 GiB limit");
        }
        return new RawTensor(s.type.dtype, size, gather(s.data, s.type.bytes, (int) (long) offset, size, stride, (int) numel));
    }

    /**
     * The last element a view of a non-empty shape reads, offset + Σ (size_i - 1) stride_i; Long.MAX_VALUE where that
     * overflows (a crafted offset near 2^63 wrapped the sum negative and passed the bound) or the offset is negative.
     */
    private static long lastElement(long offset, int[] size, int[] stride) {
        if (offset < 0) return Long.MAX_VALUE;
        try {
            long last = offset;
            for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact((long) (size[i] - 1), stride[i]));
            return last;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Row-major copy of the strided view, element by element of {@code e} bytes:
     * out[k] = data[offset + sum_i idx_i(k) * stride[i]].
     */
    private static byte[] gather(byte[] data, int e, int offset, int[] size, int[] stride, int numel) {
        byte[] out = new byte[numel * e];
        if (numel == 0) return out;
        if (rowMajor(size, stride)) {
            System.arraycopy(data, offset * e, out, 0, numel * e); // the common case: one block copy
            return out;
        }
        int[] idx = new int[size.length];
        int src = offset;
        for (int k = 0; k < numel; k++) {
            System.arraycopy(data, src * e, out, k * e, e);
            // Odometer increment of idx, keeping src = offset + sum idx_i * stride_i.
            for (int ax = size.length - 1; ax >= 0; ax--) {
                if (++idx[ax] < size[ax]) {
                    src += stride[ax];
                    break;
                }
                src -= (size[ax] - 1) * stride[ax];
                idx[ax] = 0;
            }
        }
        return out;
    }

    /** Row-major contiguous, ignoring the strides of size-1 axes (torch leaves those arbitrary). */
    private static boolean rowMajor(int[] size, int[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    private static int[] ints(List<?> values, String what) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " " + SafeUnpickler.brief(values) + " is not a tuple of non-negative ints");
            }
            out[i] = (int) (long) v;
        }
        return out;
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    // ================================================================== writing

    /** Writes {@code tensors} as a top-level OrderedDict state dict (what {@code torch.save(model.state_dict())} makes). */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, null);
    }

    /**
     * Writes {@code tensors} as an OrderedDict of {@code _rebuild_tensor_v2} calls, one contiguous storage per
     * tensor, nested as {@code {underKey: state_dict}} when {@code underKey} is not null (e.g. "model" for
     * MAE-style loaders). Written atomically; equal input gives byte-identical files.
     */
    public static void write(Path path, Map<String, Tensor> tensors, String underKey) throws IOException {
        Map<String, RawTensor> raw = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("null name or tensor in state dict");
            raw.put(e.getKey(), RawTensor.of(e.getValue()));
        }
        writeRaw(path, raw, underKey);
    }

    /** As {@link #write(Path, Map, String)}, each tensor stored in its own dtype (float16 as torch.HalfStorage ...). */
    public static void writeRaw(Path path, Map<String, RawTensor> tensors, String underKey) throws IOException {
        Map<String, Map<String, RawTensor>> sections = new LinkedHashMap<>();
        sections.put(underKey, tensors);
        writeRaw(path, sections);
    }

    /**
     * Several state dicts in one dict, {@code {key: OrderedDict, ...}} in the given order (e.g. {@code state_dict} and
     * {@code ema_state_dict}, as the reference's pre-training checkpoints hold them); a single section with a null key
     * is written as a plain top-level state dict.
     */
    public static void writeRaw(Path path, Map<String, Map<String, RawTensor>> sections) throws IOException {
        boolean plain = sections.size() == 1 && sections.containsKey(null);
        List<byte[]> storages = new ArrayList<>();
        PickleWriter w = new PickleWriter();
        if (!plain) w.emptyDict();
        for (Map.Entry<String, Map<String, RawTensor>> section : sections.entrySet()) {
            if (!plain) {
                if (section.getKey() == null) throw new IllegalArgumentException("a state dict beside others needs a key");
                w.string(section.getKey());
            }
            writeStateDict(w, section.getValue(), storages);
            if (!plain) w.setItem();
        }
        byte[] pickle = w.finish();
        AtomicFile.write(path, ch -> {
            CountingStream counter = new CountingStream(new BufferedOutputStream(AtomicFile.stream(ch), 1 << 16));
            try (ZipOutputStream zip = new ZipOutputStream(counter)) {
                putStored(zip, counter, ARCHIVE + "/data.pkl", pickle);
                putStored(zip, counter, ARCHIVE + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < storages.size(); i++) {
                    putStored(zip, counter, ARCHIVE + "/data/" + i, storages.get(i));
                }
                putStored(zip, counter, ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
    }

    /** One OrderedDict of {@code _rebuild_tensor_v2} calls, its storages appended to {@code storages} (keys are their indices). */
    private static void writeStateDict(PickleWriter w, Map<String, RawTensor> tensors, List<byte[]> storages) {
        w.global("collections", "OrderedDict").emptyTuple().reduce();
        if (!tensors.isEmpty()) {
            w.mark();
            for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("null name or tensor in state dict");
                RawTensor t = e.getValue();
                TorchStorageType type = TorchStorageType.of(t.dtype());
                String key = Integer.toString(storages.size());
                storages.add(t.data());
                w.string(e.getKey());
                w.global("torch._utils", "_rebuild_tensor_v2").mark();
                w.mark().string("storage").global("torch", type.qualifiedName.substring("torch.".length()))
                        .string(key).string("cpu").integer(t.numel()).tuple().persistentId();
                w.integer(0).intTuple(t.shape()).intTuple(Shape.contiguousStrides(t.shape())).bool(false);
                w.global("collections", "OrderedDict").emptyTuple().reduce();
                w.tuple().reduce();
            }
            w.setItems();
        }
    }

    /** One uncompressed record whose data starts at a multiple of {@link #ALIGNMENT} in the file. */
    private static void putStored(ZipOutputStream zip, CountingStream counter, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(ENTRY_TIME);
        // Local header = 30 bytes + name + extra; pad the extra field (4-byte header + padding) to align the data.
        long headerEnd = counter.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int pad = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[4 + pad];
        extra[0] = (byte) PADDING_EXTRA_ID;
        extra[1] = (byte) (PADDING_EXTRA_ID >>> 8);
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Counts bytes written through it: the zip writer's position in the file. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
