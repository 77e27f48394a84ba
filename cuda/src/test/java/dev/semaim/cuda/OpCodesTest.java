package dev.semaim.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels' op codes are the Java table's: {@code src/main/cuda/opcodes.cuh} is what {@link OpCodes} generates,
 * and the kernel sources compare op codes with its names, never with bare numbers. With
 * {@code -Dsemaim.cuda.writeOpcodes=true} the test writes the header instead of failing (then regenerate the PTX
 * with scripts/gpu/compile-ptx.sh and commit both).
 */
class OpCodesTest {
    /** The module folder: the working directory under Maven, cuda/ from the repository root. */
    private static final Path MODULE = Files.isDirectory(Path.of("src/main/cuda")) ? Path.of(".") : Path.of("cuda");
    private static final Path SRC = MODULE.resolve("src/main/cuda");
    private static final Path HEADER = SRC.resolve("opcodes.cuh");

    /** opcodes.cuh as the table makes it. */
    static String header() {
        StringBuilder b = new StringBuilder()
                .append("// The codes by which CudaBackend names dtypes, ops, random distributions and index kernels to the\n")
                .append("// kernels. Generated from dev.semaim.cuda.OpCodes: do not edit; OpCodesTest checks it and, run with\n")
                .append("// -Dsemaim.cuda.writeOpcodes=true, rewrites it (then run scripts/gpu/compile-ptx.sh).\n")
                .append("#pragma once\n");
        for (OpCodes.Codes<?> codes : OpCodes.ALL) append(b, codes);
        return b.toString();
    }

    private static <E extends Enum<E>> void append(StringBuilder b, OpCodes.Codes<E> codes) {
        b.append("\n// ").append(codes.type.getCanonicalName()).append('\n');
        for (int code = 0; code < codes.type.getEnumConstants().length; code++)
            b.append("#define ").append(codes.prefix).append(codes.constant(code).name()).append(' ').append(code).append('\n');
    }

    @Test
    void committedHeaderIsTheTables() throws IOException {
        String expected = header();
        if (Boolean.getBoolean("semaim.cuda.writeOpcodes")) Files.writeString(HEADER, expected);
        assertEquals(expected, Files.readString(HEADER),
                HEADER + " differs from OpCodes: rerun this test with -Dsemaim.cuda.writeOpcodes=true, then scripts/gpu/compile-ptx.sh");
    }

    @Test
    void everyConstantHasOneCode() {
        for (OpCodes.Codes<?> codes : OpCodes.ALL) roundTrip(codes);
        // copy_k and load_d rely on the integer dtypes coming last
        assertTrue(OpCodes.DTYPE.of(dev.semaim.tensor.DType.I32) > OpCodes.DTYPE.of(dev.semaim.tensor.DType.F64));
        assertTrue(OpCodes.DTYPE.of(dev.semaim.tensor.DType.I64) > OpCodes.DTYPE.of(dev.semaim.tensor.DType.I32));
    }

    private static <E extends Enum<E>> void roundTrip(OpCodes.Codes<E> codes) {
        for (E e : codes.type.getEnumConstants()) assertSame(e, codes.constant(codes.of(e)), codes.type + "." + e);
    }

    /**
     * A comparison of an op, kind or dtype variable with a bare number ({@code op == 1}, {@code dtx >= 2}), a case
     * label that is a number ({@code case 3:}) or an index kernel's bare code ({@code check_index(2, ...)}).
     */
    private static final Pattern BARE = Pattern.compile(
            "\\b(op|kind|dt[a-z]?)\\s*(==|!=|>=|<=|<|>)\\s*\\d|\\bcase\\s+\\d+\\s*:|check_index\\(\\s*\\d");

    @Test
    void kernelsNameTheirCodes() throws IOException {
        List<String> bare = new ArrayList<>();
        try (Stream<Path> files = Files.list(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = BARE.matcher(lines.get(i));
                    if (m.find()) bare.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertEquals(List.of(), bare, "op codes compared with bare numbers instead of the names of opcodes.cuh");
    }
}
