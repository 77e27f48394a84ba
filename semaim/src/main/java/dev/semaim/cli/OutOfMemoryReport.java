package dev.semaim.cli;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * The one line {@link Main} prints instead of a stack trace when a command runs out of Java heap: the command, the
 * model and batch it was given (when the command has them), the heap it had, and the ways out: a bigger heap through
 * {@code SEMAIM_JAVA_OPTS=-Xmx...}, or a smaller {@code --batch_size} whose gradients {@code --accum_iter} sums back to
 * the same effective batch.
 */
final class OutOfMemoryReport {
    /** The heap share bin/semaim gives Java by default ({@code -XX:MaxRAMPercentage=75}): what a larger -Xmx is offered up to. */
    static final double DEFAULT_HEAP_SHARE = 0.75;
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    private OutOfMemoryReport() {
    }

    /**
     * The out-of-memory error behind {@code t}: itself, or a cause (a data-loading thread's failure arrives wrapped in
     * an {@link IllegalStateException}); null when there is none.
     */
    static OutOfMemoryError find(Throwable t) {
        for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) { // depth: a cause cycle ends too
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    /** The line for this JVM: its maximum heap and the memory of the machine (or container) it runs in. */
    static String message(String command, Map<String, Object> settings, OutOfMemoryError e) {
        return message(command, reason(e), settings, Runtime.getRuntime().maxMemory(), physicalMemory());
    }

    /**
     * The JVM's reason when it is not the heap's ("Requested array size exceeds VM limit", "Direct buffer memory",
     * "unable to create native thread"...), since more heap may not cure it; null for the heap's.
     */
    static String reason(OutOfMemoryError e) {
        String m = e.getMessage();
        return m == null || m.contains("Java heap space") || m.contains("GC overhead limit exceeded") ? null : m;
    }

    /**
     * @param reason   the JVM's reason when it is not the heap, else null
     * @param settings the command's recorded settings by flag name (model, batch_size, accum_iter are used when
     *                 present; empty for commands without flags)
     * @param maxHeap  {@link Runtime#maxMemory()}
     * @param physical the machine's memory in bytes, 0 when unknown
     */
    static String message(String command, String reason, Map<String, Object> settings, long maxHeap, long physical) {
        StringBuilder b = new StringBuilder("semaim ").append(command).append(": out of memory (");
        if (reason != null) {
            b.append(reason).append("; ");
        }
        Object model = settings.get("model"), batch = settings.get("batch_size"), accum = settings.get("accum_iter");
        if (model != null) {
            b.append("model ").append(model).append(", ");
        }
        if (batch instanceof Integer) {
            b.append("--batch_size ").append(batch).append(accum instanceof Integer ? ", --accum_iter " + accum : "").append(", ");
        }
        b.append(size(maxHeap)).append(" Java heap");
        if (physical > 0) {
            b.append(" of ").append(size(physical)).append(" memory");
        }
        b.append("): ");
        long offer = (long) (physical * DEFAULT_HEAP_SHARE);
        if (physical <= 0) {
            b.append("give Java more with SEMAIM_JAVA_OPTS=-Xmx").append(xmx(2 * maxHeap));
        } else if (offer > maxHeap + maxHeap / 4) {
            b.append("give Java more with SEMAIM_JAVA_OPTS=-Xmx").append(xmx(offer)).append(" (three quarters of the memory)");
        } else {
            b.append("the heap is already most of the memory (SEMAIM_JAVA_OPTS=-Xmx... sets it)");
        }
        if (batch instanceof Integer n) {
            if (n == 1) {
                b.append("; it does not fit at batch 1: choose a smaller --model");
            } else if (accum instanceof Integer a) {
                int f = smallestFactor(n); // divides the batch exactly, so the effective batch stays n x a
                b.append(String.format(Locale.ROOT, "; or lower the batch and accumulate: --batch_size %d --accum_iter %d (the same effective batch %d)",
                        n / f, a * f, n * a));
            } else {
                b.append("; or lower --batch_size (now ").append(n).append(')');
            }
        }
        return b.toString();
    }

    /** The machine's memory as the JVM sees it (a container's limit when there is one); 0 when it cannot tell. */
    static long physicalMemory() {
        try {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        } catch (RuntimeException | LinkageError e) { // another JVM without the com.sun.management bean
            return 0;
        }
    }

    private static int smallestFactor(int n) {
        for (int f = 2; f * f <= n; f++) {
            if (n % f == 0) {
                return f;
            }
        }
        return n;
    }

    private static String size(long bytes) {
        return bytes >= GIB ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB) : (bytes + MIB / 2) / MIB + " MiB";
    }

    /** An -Xmx value: whole GiB (rounded down) from 1 GiB on, else MiB. */
    private static String xmx(long bytes) {
        return bytes >= GIB ? bytes / GIB + "g" : Math.max(1, bytes / MIB) + "m";
    }
}
