package dev.semaim.tensor.cpu;

/**
 * Engine-wide kernel selection, read once at class initialisation.
 *
 * <p>System property {@code semaim.reference} (boolean, default false): when true, fast CPU kernels
 * delegate to their plain scalar reference implementations (e.g. {@link Gemm} to
 * {@link GemmReference}). Useful to bisect numerical differences.
 */
public final class KernelMode {
    private static final boolean REFERENCE = Boolean.getBoolean("semaim.reference");

    private KernelMode() {}

    /** True when kernels must use their reference implementations. */
    public static boolean reference() {
        return REFERENCE;
    }
}
