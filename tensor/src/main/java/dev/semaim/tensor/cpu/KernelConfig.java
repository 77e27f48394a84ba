package dev.semaim.tensor.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the CPU kernels ({@link Gemm}, {@code AttentionKernels}, {@link FastKernels}, {@code VectorMath}) are
 * built for on this machine, decided once at class initialisation from what the CPU is: the vector width the
 * JVM prefers, the number of vector registers, and the cache sizes. BENCHMARKS.md ("GEMM (CPU, float32)") has
 * the measurement behind each rule.
 *
 * <ul>
 *   <li>Vector width: the JVM's preferred species ({@code -XX:UseAVX=2} gives 256 bits on an AVX-512 CPU,
 *   {@code -XX:MaxVectorSize=16} 128), narrowed by {@code -Dsemaim.cpu.vectorBits=128|256|512}, so that the
 *   128- and 256-bit paths run, and are tested, on any machine. A width above the preferred one is clamped to
 *   it (the JIT would emulate wider vectors lane by lane).</li>
 *   <li>GEMM register tiles ({@link #TILE}): 6 rows × 2 vectors (12 accumulators, 2 B vectors and a broadcast:
 *   15 of 16 registers, AVX2 and SSE), and where there are 32 vector registers (AVX-512, AArch64's NEON) also
 *   6 × 3 (18 accumulators: 22 of 32 registers), which {@link Gemm} takes for the shapes it does not pad much more. With 16 registers
 *   (AVX2) 5 × 2 over op(A) packed into panels instead ({@link #PACKED_TILE}).</li>
 *   <li>Blocking: a KC-deep slice of K (512); an MC×KC block of A of 9/64 of the per-core L2; a KC×NC block of
 *   packed B of at most a quarter of the L3. Each is overridable ({@code -Dsemaim.gemm.kc / .mc / .nc}). B blocks
 *   larger than L2 are packed row by row ({@link #PACK_B_BY_ROWS}).</li>
 * </ul>
 */
public final class KernelConfig {
    /** The float species every vector kernel uses. */
    public static final VectorSpecies<Float> SPECIES = species();
    /** Floats per vector. */
    public static final int LANES = SPECIES.length();
    /** Vector registers of the architecture at this width: 32 for AVX-512 and AArch64, else 16. */
    public static final int REGISTERS = registers();

    private static final CacheSizes CACHES = CacheSizes.read(Path.of("/sys/devices/system/cpu/cpu0/cache"));

    /**
     * GEMM register tiles the CPU may use: "auto" (with 32 registers 6 × 3 vectors where the shape wastes little on
     * it, else 6 × 2, both reading op(A) in place; with 16 registers 5 × 2 over op(A) packed into panels), or one
     * forced for every shape: "6x2", "6x3" or "5x2" (the tests run all three on every shape; 6x3 on a 16-register
     * CPU spills and runs slowly, but right).
     */
    public static final String TILE = tile();
    /** Whether the 6 × 3-vector tile may run: 32 vector registers, or forced. */
    public static final boolean WIDE_TILE = TILE.equals("6x3") || (TILE.equals("auto") && REGISTERS >= 32);
    /**
     * Whether every GEMM call takes the 5 × 2-vector tile over op(A) packed into panels: with 16 vector registers
     * (AVX2; BENCHMARKS.md, "GEMM (CPU, float32)", has why not 6 × 2 there), or forced ("5x2").
     */
    public static final boolean PACKED_TILE = TILE.equals("5x2") || (TILE.equals("auto") && REGISTERS < 32);
    /** Whether the 6 × 2-vector tile may run (neither 6 × 3 nor 5 × 2 forced, and 32 registers in auto). */
    public static final boolean NARROW_TILE = TILE.equals("6x2") || (TILE.equals("auto") && !PACKED_TILE);
    /** Depth of one packed slice of K (the micro-kernel's k loop; rows of a packed B micro-panel). */
    public static final int KC = positive("semaim.gemm.kc", 512);
    /**
     * Rows of op(A) per block: MC×KC floats, 9/64 of the per-core L2 (72 rows at KC 512 for 1 MiB, the block
     * size measured best on Zen 4), a multiple of 6 (the in-place tiles' rows; Gemm rounds it down to whole 5 × 2 tiles).
     */
    public static final int MC = roundTo(positive("semaim.gemm.mc",
            (int) Math.min(1024, CACHES.l2 * 9 / 64 / (4L * KC))), 6);
    /** Columns of op(B) per packed block: KC×NC floats, at most a quarter of L3 and 2048, a multiple of both tiles' width. */
    public static final int NC = roundTo(positive("semaim.gemm.nc",
            (int) Math.min(2048, CACHES.l3 / 4 / (4L * KC))), 6 * LANES);

    /**
     * A packed block of op(B) (not transposed) of at least this many floats, a per-core L2 or more, is packed by
     * reading B row by row rather than micro-panel by micro-panel ({@code -Dsemaim.gemm.packBRows}): on Zen 4 it
     * raised 1024³ by 4-7 points of the core's peak at 256 bits and 1-4 at 512, and lost 8-20 on the ViT's X·W
     * products, whose B blocks sit in L2 (BENCHMARKS.md, "GEMM (CPU, float32)").
     */
    public static final long PACK_B_BY_ROWS = positive("semaim.gemm.packBRows", (int) Math.min(Integer.MAX_VALUE, CACHES.l2 / 4));

    private KernelConfig() {}

    /** One line: the CPU, its caches, and the kernel configuration chosen for it. */
    public static String describe() {
        return String.format(Locale.ROOT, "cpu %s; %d threads; L1d %s, L2 %s, L3 %s; vectors %d bit (%d floats, JVM"
                        + " prefers %d), %d registers; gemm tiles %s (6x2 = 6 x %d floats, 6x3 = 6 x %d, 5x2 = 5 x %d over"
                        + " packed A), KC %d, MC %d, NC %d, B packed by rows from %d floats",
                cpuModel(), CpuThreads.threads(), kib(CACHES.l1d), kib(CACHES.l2), kib(CACHES.l3),
                SPECIES.vectorBitSize(), LANES, VectorShape.preferredShape().vectorBitSize(), REGISTERS,
                PACKED_TILE ? (TILE.equals("5x2") ? "5x2" : "5x2, 6x2 under 2^20 multiply-adds") : WIDE_TILE && NARROW_TILE ? "6x2 and 6x3 by shape" : WIDE_TILE ? "6x3" : "6x2",
                2 * LANES, 3 * LANES, 2 * LANES, KC, MC, NC, PACK_B_BY_ROWS);
    }

    /**
     * The CPU as /proc/cpuinfo names it: model name, with vendor, family and model on x86 (e.g. "AMD EPYC
     * (AuthenticAMD family 25 model 17)"), or implementer and part on ARM; else os.arch.
     */
    public static String cpuModel() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
        String name = field(lines, "model name"), vendor = field(lines, "vendor_id");
        String family = field(lines, "cpu family"), model = field(lines, "model");
        if (vendor != null) {
            return String.format("%s (%s family %s model %s)", name, vendor, family, model);
        }
        String implementer = field(lines, "CPU implementer"), part = field(lines, "CPU part");
        if (implementer != null) {
            return String.format("%s (implementer %s part %s)", name != null ? name : System.getProperty("os.arch"),
                    implementer, part);
        }
        return name != null ? name : System.getProperty("os.arch");
    }

    private static String field(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    private static String tile() {
        String tile = System.getProperty("semaim.gemm.tile", "auto");
        if (!tile.equals("auto") && !tile.equals("6x2") && !tile.equals("6x3") && !tile.equals("5x2")) {
            throw new IllegalArgumentException("semaim.gemm.tile: expected auto, 6x2, 6x3 or 5x2, got " + tile);
        }
        return tile;
    }

    private static VectorSpecies<Float> species() {
        VectorShape preferred = VectorShape.preferredShape();
        String bits = System.getProperty("semaim.cpu.vectorBits");
        if (bits == null) return FloatVector.SPECIES_PREFERRED;
        int want;
        try {
            want = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("semaim.cpu.vectorBits: expected 128, 256 or 512, got " + bits);
        }
        if (want != 128 && want != 256 && want != 512) {
            throw new IllegalArgumentException("semaim.cpu.vectorBits: expected 128, 256 or 512, got " + bits);
        }
        // never wider than the JVM's own vectors (the JIT would emulate them lane by lane): describe() shows the clamp
        return VectorSpecies.of(float.class, VectorShape.forBitSize(Math.min(want, preferred.vectorBitSize())));
    }

    private static int registers() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64")) return 32;
        return VectorShape.preferredShape().vectorBitSize() >= 512 ? 32 : 16; // AVX-512 has 32 (also for narrower vectors)
    }

    private static int positive(String key, int fallback) {
        int v = Integer.getInteger(key, fallback);
        if (v <= 0) throw new IllegalArgumentException(key + ": expected a positive integer, got " + v);
        return v;
    }

    /** x rounded down to a multiple of m, at least m. */
    private static int roundTo(int x, int m) {
        return Math.max(m, x / m * m);
    }

    private static String kib(long bytes) {
        return bytes % (1 << 20) == 0 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB";
    }

    /** Per-core data cache sizes in bytes (Linux sysfs; Zen 4's 32 KiB, 1 MiB, 32 MiB where it cannot be read). */
    static final class CacheSizes {
        final long l1d, l2, l3;

        CacheSizes(long l1d, long l2, long l3) {
            this.l1d = l1d;
            this.l2 = l2;
            this.l3 = l3;
        }

        static CacheSizes read(Path dir) {
            long l1d = 32 << 10, l2 = 1 << 20, l3 = 32 << 20;
            for (int i = 0; i < 8; i++) {
                Path index = dir.resolve("index" + i);
                try {
                    if (!Files.isDirectory(index)) break;
                    String type = Files.readString(index.resolve("type")).trim();
                    int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                    long size = parseSize(Files.readString(index.resolve("size")).trim());
                    if (type.equals("Instruction") || size <= 0) continue;
                    if (level == 1) l1d = size;
                    else if (level == 2) l2 = size;
                    else if (level == 3) l3 = size;
                } catch (IOException | RuntimeException e) {
                    break; // unreadable: keep the defaults for the rest
                }
            }
            return new CacheSizes(l1d, l2, l3);
        }

        /** "32K", "1024K", "32M" or a plain byte count. */
        static long parseSize(String s) {
            char unit = Character.toUpperCase(s.charAt(s.length() - 1));
            long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
            String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
            return Long.parseLong(digits.trim()) * scale;
        }
    }
}
