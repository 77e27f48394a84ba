package dev.semaim.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A restricted pickle interpreter: it decodes the opcodes {@code torch.save} emits (protocols 2 to 5) into plain
 * Java values and never executes or loads code. The only callables a pickle can name are the entries of an
 * allow-list ({@link Callable}); a GLOBAL naming anything else (os.system, builtins.eval, ...) stops decoding
 * with an error naming the global and the file. Besides, the classes of TorchScript archives ({@code __torch__.*}, what
 * {@code torch.jit.save} pickles a module as) are allowed as inert {@link ObjectRecord}s of their attributes.
 *
 * <p>Value mapping: None -> null, bool -> Boolean, int -> Long (BigInteger beyond 64 bits), float -> Double,
 * str -> String, bytes -> byte[], list -> ArrayList, tuple -> unmodifiable List, dict -> LinkedHashMap
 * (insertion order), persistent ids -> whatever the {@code persistentLoad} function returns, REDUCE/NEWOBJ ->
 * what the allow-listed callable returns.
 */
final class SafeUnpickler {
    /** An allow-listed global: what REDUCE (or NEWOBJ) on it produces from the argument tuple. */
    interface Callable {
        Object call(List<Object> args) throws IOException;

        /** BUILD on a value this callable made: apply the pickled state. */
        default void build(Object target, Object state) throws IOException {
            throw new IOException("BUILD is not supported on " + target.getClass().getSimpleName());
        }
    }

    /** A global the pickle named, on the stack until REDUCE/NEWOBJ calls it or it is passed as a value. */
    record Global(String qualifiedName, Callable callable) {
    }

    /**
     * An object of a TorchScript class ({@code __torch__.<module>.<Class>}, e.g. a scripted or traced nn.Module in the
     * {@code data.pkl} of a {@code torch.jit.save} archive): its class name and the attributes BUILD gave it (parameters
     * as tensors, submodules as further records, flags). Inert data: no code of the class is known or run.
     */
    record ObjectRecord(String className, Map<Object, Object> attributes) {
    }

    /** The module of every TorchScript class; such globals are allowed as {@link ObjectRecord}s (see {@link #global}). */
    static final String TORCHSCRIPT_MODULE = "__torch__";
    /** A TorchScript class name: dotted Python identifiers (the mangled ___torch_mangle_N parts included). */
    private static final Pattern TORCHSCRIPT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /** NEWOBJ on a TorchScript class makes an empty record (no arguments); BUILD fills its attributes from a dict. */
    private static Callable objectRecord(String className) {
        return new Callable() {
            @Override
            public Object call(List<Object> args) {
                if (!args.isEmpty()) throw new IllegalArgumentException("a TorchScript object takes no arguments, got " + args.size());
                return new ObjectRecord(className, new LinkedHashMap<>());
            }

            @Override
            public void build(Object target, Object state) {
                if (!(state instanceof Map<?, ?> attrs)) {
                    throw new IllegalArgumentException("the state of TorchScript object " + className + " is a " + typeName(state) + ", not a dict");
                }
                ((ObjectRecord) target).attributes().putAll(attrs);
            }
        };
    }

    /** Marks the stack position of a MARK opcode. */
    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final byte[] data;
    private final String source;
    private final Map<String, Callable> allowed;
    private final Function<Object, Object> persistentLoad;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();
    /** Which callable made a value, for BUILD (identity: values may be equal yet distinct). */
    private final Map<Object, Callable> makers = new IdentityHashMap<>();
    private int pos;

    /**
     * @param source         what to call the pickle in errors, e.g. "model.pth (archive/data.pkl)"
     * @param allowed        qualified global name ("module.name") -> its meaning; nothing else may be named
     * @param persistentLoad maps a BINPERSID id to its value (torch: storages); may throw IllegalArgumentException
     */
    SafeUnpickler(byte[] data, String source, Map<String, Callable> allowed, Function<Object, Object> persistentLoad) {
        this.data = data;
        this.source = source;
        this.allowed = allowed;
        this.persistentLoad = persistentLoad;
    }

    /** Decodes up to STOP and returns the pickled value. */
    Object load() throws IOException {
        try {
            while (true) {
                int at = pos;
                int op = u8();
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = u8();
                        if (proto > 5) throw bad(at, "unsupported pickle protocol " + proto);
                    }
                    case 0x95 -> skip(8); // FRAME: a length hint only
                    case '.' -> { // STOP
                        if (stack.size() != 1 || !marks.isEmpty())
                            throw bad(at, "STOP with " + stack.size() + " values and " + marks.size() + " marks on the stack");
                        return stack.get(0);
                    }
                    case '(' -> { // MARK
                        marks.add(stack.size());
                        stack.add(MARK);
                    }
                    case '0' -> pop(at); // POP
                    case '1' -> popMark(at); // POP_MARK
                    case '2' -> push(peek(at)); // DUP
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) le(4)); // BININT: signed 32-bit
                    case 'K' -> push((long) u8()); // BININT1
                    case 'M' -> push((long) (le(2) & 0xffff)); // BININT2
                    case 0x8a -> push(longOf(bytes(u8()))); // LONG1
                    case 0x8b -> push(longOf(bytes(length(le(4) & 0xffffffffL, at)))); // LONG4
                    case 'G' -> push(Double.longBitsToDouble(be8())); // BINFLOAT: big-endian
                    case 'X' -> push(utf8(length(le(4) & 0xffffffffL, at))); // BINUNICODE
                    case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(length(le8(), at))); // BINUNICODE8
                    case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                    case 'B' -> push(bytes(length(le(4) & 0xffffffffL, at))); // BINBYTES
                    case 0x8e -> push(bytes(length(le8(), at))); // BINBYTES8
                    case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
                    case 0x85 -> push(tuple(popN(1, at))); // TUPLE1
                    case 0x86 -> push(tuple(popN(2, at))); // TUPLE2
                    case 0x87 -> push(tuple(popN(3, at))); // TUPLE3
                    case 't' -> push(tuple(popMark(at))); // TUPLE
                    case 'l' -> push(new ArrayList<>(popMark(at))); // LIST
                    case 'd' -> { // DICT
                        Map<Object, Object> d = new LinkedHashMap<>();
                        putPairs(d, popMark(at), at);
                        push(d);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop(at), k = pop(at);
                        dict(peek(at), at).put(key(k, at), v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> kv = popMark(at);
                        putPairs(dict(peek(at), at), kv, at);
                    }
                    case 'a' -> { // APPEND
                        Object v = pop(at);
                        list(peek(at), at).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> vs = popMark(at);
                        list(peek(at), at).addAll(vs);
                    }
                    case 'q' -> memo.put(u8(), peek(at)); // BINPUT
                    case 'r' -> memo.put(index(le(4), at), peek(at)); // LONG_BINPUT
                    case 0x94 -> memo.put(memo.size(), peek(at)); // MEMOIZE
                    case 'h' -> push(memoGet(u8(), at)); // BINGET
                    case 'j' -> push(memoGet(index(le(4), at), at)); // LONG_BINGET
                    case 'c' -> push(global(line(at), line(at), at)); // GLOBAL: "module\nname\n"
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop(at), module = pop(at);
                        if (!(module instanceof String m) || !(name instanceof String n))
                            throw bad(at, "STACK_GLOBAL needs two strings");
                        push(global(m, n, at));
                    }
                    case 'R' -> { // REDUCE
                        Object args = pop(at);
                        push(call(pop(at), args, at));
                    }
                    case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                        Object args = pop(at);
                        push(call(pop(at), args, at));
                    }
                    case 'b' -> { // BUILD
                        Object state = pop(at);
                        Object target = peek(at);
                        Callable maker = target == null ? null : makers.get(target);
                        if (maker == null)
                            throw bad(at, "BUILD on a " + typeName(target) + " that no allowed global made");
                        maker.build(target, state);
                    }
                    case 'Q' -> { // BINPERSID
                        Object pid = pop(at);
                        try {
                            push(persistentLoad.apply(pid));
                        } catch (IllegalArgumentException e) {
                            throw bad(at, e.getMessage());
                        }
                    }
                    default -> throw bad(at, String.format("unsupported pickle opcode 0x%02x", op));
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(source + ": pickle data ends at byte " + data.length + " before STOP (truncated or corrupt)");
        } catch (StackOverflowError e) { // values nested deeper than the stack holds (a tuple a million tuples deep)
            throw new IOException(source + ": pickle data nested too deep to read (byte " + pos + ")");
        }
    }

    // ------------------------------------------------------------------ globals and calls

    private Global global(String module, String name, int at) throws IOException {
        String q = module + "." + name;
        Callable c = allowed.get(q);
        if (c == null && (module.equals(TORCHSCRIPT_MODULE) || module.startsWith(TORCHSCRIPT_MODULE + "."))
                && TORCHSCRIPT_NAME.matcher(q).matches()) {
            c = objectRecord(q); // a TorchScript class: data only, see ObjectRecord
        }
        if (c == null) {
            throw new IOException("refusing to load " + source + ": pickle references " + q
                    + ", which is not on the allow-list " + new TreeSet<>(allowed.keySet()) + " or a TorchScript class "
                    + TORCHSCRIPT_MODULE + ".* (a checkpoint should only hold tensors and plain data; byte " + at + ")");
        }
        return new Global(q, c);
    }

    private Object call(Object fn, Object args, int at) throws IOException {
        if (!(fn instanceof Global g)) throw bad(at, "call of a " + typeName(fn) + ", which is not a global");
        if (!(args instanceof List<?> a)) throw bad(at, "call of " + g.qualifiedName() + " with non-tuple arguments");
        Object out;
        try {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) a;
            out = g.callable().call(list);
        } catch (IOException | RuntimeException e) {
            throw bad(at, g.qualifiedName() + ": " + e.getMessage());
        }
        if (out != null) makers.put(out, g.callable());
        return out;
    }

    // ------------------------------------------------------------------ stack

    private void push(Object v) {
        stack.add(v);
    }

    private Object pop(int at) throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad(at, "stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at) throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad(at, "stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n, int at) throws IOException {
        Object[] out = new Object[n];
        for (int i = n - 1; i >= 0; i--) out[i] = pop(at);
        return Arrays.asList(out);
    }

    /** Pops everything above the last MARK and the mark itself. */
    private List<Object> popMark(int at) throws IOException {
        if (marks.isEmpty()) throw bad(at, "no MARK on the stack");
        int m = marks.remove(marks.size() - 1);
        List<Object> top = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return top;
    }

    private Object memoGet(int i, int at) throws IOException {
        if (!memo.containsKey(i)) throw bad(at, "memo slot " + i + " read before it was written");
        return memo.get(i);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(Arrays.asList(items.toArray()));
    }

    private void putPairs(Map<Object, Object> d, List<Object> kv, int at) throws IOException {
        if (kv.size() % 2 != 0) throw bad(at, "odd number of items for a dict");
        for (int i = 0; i < kv.size(); i += 2) d.put(key(kv.get(i), at), kv.get(i + 1));
    }

    /**
     * A dict key as Python hashes them: None, a bool, a number, a string, a global or a tuple of such (nested at most
     * {@link #KEY_DEPTH} deep). A list or a dict is unhashable (Python refuses it too); hashing one here would recurse
     * through whatever it holds, itself included, or walk a shared structure of 2^80 paths.
     */
    private Object key(Object k, int at) throws IOException {
        if (!hashable(k, KEY_DEPTH)) throw bad(at, "unhashable dict key: a " + typeName(k) + " (" + brief(k) + ")");
        return k;
    }

    private static final int KEY_DEPTH = 8;

    private static boolean hashable(Object k, int depth) {
        if (k == null || k instanceof String || k instanceof Number || k instanceof Boolean || k instanceof Global) return true;
        if (!(k instanceof List<?> items) || k instanceof ArrayList<?> || depth == 0) return false; // an ArrayList is a pickled list
        for (Object item : items) {
            if (!hashable(item, depth - 1)) return false;
        }
        return true;
    }

    /**
     * An unpickled value in a message: strings and numbers as they are (long strings cut), a tuple or list by its first
     * items two levels deep, a dict by its size. Never the whole value, which may be huge, or hold itself.
     */
    static String brief(Object o) {
        return brief(o, 2);
    }

    private static String brief(Object o, int depth) {
        if (o instanceof String s) return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 40) + "...' (" + s.length() + " chars)";
        if (o == null || o instanceof Number || o instanceof Boolean) return String.valueOf(o);
        if (o instanceof Map<?, ?> m) return "a dict of " + m.size();
        if (!(o instanceof List<?> items)) return typeName(o);
        String kind = o instanceof ArrayList<?> ? "list" : "tuple";
        if (depth == 0 || items.isEmpty()) return "a " + kind + " of " + items.size();
        StringBuilder b = new StringBuilder(kind.equals("list") ? "[" : "(");
        for (int i = 0; i < Math.min(items.size(), 4); i++) b.append(i > 0 ? ", " : "").append(brief(items.get(i), depth - 1));
        if (items.size() > 4) b.append(", ... ").append(items.size()).append(" items");
        return b.append(kind.equals("list") ? "]" : ")").toString();
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) throws IOException {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw bad(at, "SETITEM(S) on a " + typeName(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) throws IOException {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw bad(at, "APPEND(S) on a " + typeName(o) + ", not a list");
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o instanceof Global g ? "global " + g.qualifiedName() : o.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ raw reads (IndexOutOfBounds = truncated)

    private int u8() {
        if (pos >= data.length) throw new IndexOutOfBoundsException();
        return data[pos++] & 0xff;
    }

    private int le(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) v |= u8() << (8 * i);
        return v;
    }

    private long le8() {
        long v = 0;
        for (int i = 0; i < 8; i++) v |= (long) u8() << (8 * i);
        return v;
    }

    private long be8() {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | u8();
        return v;
    }

    private void skip(int n) {
        if (n > data.length - pos) throw new IndexOutOfBoundsException();
        pos += n;
    }

    private byte[] bytes(int n) {
        if (n > data.length - pos) throw new IndexOutOfBoundsException();
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    /**
     * n bytes of UTF-8, strictly: malformed bytes are an error, as Python's unpickler raises UnicodeDecodeError, where
     * replacing them with U+FFFD would rename a tensor without a word (Python's 'surrogatepass' for encoded surrogates
     * has no Java decoder; such names do not occur in checkpoints).
     */
    private String utf8(int n) throws IOException {
        int at = pos;
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw bad(at, "a string of " + n + " bytes that is not UTF-8");
        }
    }

    /** A newline-terminated ASCII line (GLOBAL operands). */
    private String line(int at) throws IOException {
        int start = pos;
        while (u8() != '\n') {
            if (pos - start > 256) throw bad(at, "GLOBAL name longer than 256 bytes");
        }
        return new String(data, start, pos - 1 - start, StandardCharsets.US_ASCII);
    }

    /** A length operand, checked against what is left so a corrupt length cannot allocate gigabytes. */
    private int length(long n, int at) throws IOException {
        if (n < 0 || n > data.length - pos) throw bad(at, "length " + n + " runs past the end of the pickle");
        return (int) n;
    }

    private int index(int i, int at) throws IOException {
        if (i < 0) throw bad(at, "negative memo index " + i);
        return i;
    }

    /** Two's-complement little-endian integer (LONG1/LONG4): Long when it fits, else BigInteger. */
    private static Object longOf(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private IOException bad(int at, String what) {
        return new IOException(source + ": corrupt or unsupported pickle at byte " + at + ": " + what);
    }
}
