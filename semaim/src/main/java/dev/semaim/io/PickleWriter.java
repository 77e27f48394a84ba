package dev.semaim.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Emits protocol-2 pickle opcodes, the subset {@link TorchCheckpoint} needs to write a state dict that
 * {@code torch.load} reads. No memo is used: every global is written out where it is needed.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter() {
        out.write(0x80); // PROTO 2
        out.write(2);
    }

    PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** GLOBAL "module\nname\n". */
    PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        writeLe(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    /** The shortest of BININT1 / BININT2 / BININT / LONG1, as Python's pickler picks. */
    PickleWriter integer(long v) {
        if (v >= 0 && v <= 0xff) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v <= 0xffff) {
            out.write('M');
            writeLe(v, 2);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            writeLe(v, 4);
        } else {
            out.write(0x8a); // LONG1 with 8 two's-complement bytes
            out.write(8);
            writeLe(v, 8);
        }
        return this;
    }

    PickleWriter bool(boolean b) {
        out.write(b ? 0x88 : 0x89);
        return this;
    }

    /** A tuple of small integers (sizes, strides). */
    PickleWriter intTuple(int[] values) {
        mark();
        for (int v : values) integer(v);
        return tuple();
    }

    /** TUPLE: everything since the last MARK. */
    PickleWriter tuple() {
        out.write('t');
        return this;
    }

    PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    PickleWriter reduce() {
        out.write('R');
        return this;
    }

    PickleWriter persistentId() {
        out.write('Q'); // BINPERSID
        return this;
    }

    PickleWriter setItem() {
        out.write('s');
        return this;
    }

    /** SETITEMS: the key/value pairs since the last MARK. */
    PickleWriter setItems() {
        out.write('u');
        return this;
    }

    /** Appends STOP and returns the pickle. */
    byte[] finish() {
        out.write('.');
        return out.toByteArray();
    }

    private void writeLe(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    }
}
