package dev.semaim.tensor.cpu;

/**
 * Engine-wide kernel selection, read once at class initialisation.
 *
 * <p>System property {@code semaim.reference} (boolean, default false): when true, fast CPU kernels
 * delegate to their plain scalar reference implementations (e.g. {@link Gemm} to
 * {@link GemmReference}). Useful to bisect numerical differences.
 *
 * <p>The fast kernels are written against the incubating Vector API, which the JVM resolves only
 * when started with {@code --add-modules jdk.incubator.vector}. Without it, the first fast kernel
 * would die with {@code NoClassDefFoundError}; instead the engine takes the reference kernels (same
 * results, computed in double, several times slower) and says once, on stderr, how to get the fast
 * path back. Every class that touches {@code jdk.incubator.vector} ({@link FastKernels}, {@link Gemm},
 * {@code VectorMath}, {@code AttentionKernels}) is reached only through {@link #reference()} being
 * false, so checking here is enough.
 */
public final class KernelMode {
    /** The one line printed to stderr when the Vector API is missing; tests look for it. */
    public static final String NO_VECTOR_API_WARNING = "semaim: warning: the Vector API is not available, so the CPU uses"
            + " the slower reference kernels; start java with --add-modules jdk.incubator.vector for the fast path";

    private static final boolean VECTOR_API = vectorApiLoadable();
    /** -Dsemaim.reference=true: the reference kernels asked for. */
    private static final boolean ASKED = Boolean.getBoolean("semaim.reference");
    private static final boolean REFERENCE = ASKED || !VECTOR_API;

    static {
        // asked-for reference mode needs no warning: the user chose the slow path
        if (!VECTOR_API && !ASKED) System.err.println(NO_VECTOR_API_WARNING);
    }

    private KernelMode() {}

    /** True when kernels must use their reference implementations (asked for, or the Vector API is missing). */
    public static boolean reference() {
        return REFERENCE;
    }

    /** True when the JVM resolved {@code jdk.incubator.vector}, i.e. the fast kernels can run. */
    public static boolean vectorApiAvailable() {
        return VECTOR_API;
    }

    /** Whether this class's loader can see the Vector API (module resolved into the boot layer and readable). */
    private static boolean vectorApiLoadable() {
        try {
            Class.forName("jdk.incubator.vector.FloatVector", false, KernelMode.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
