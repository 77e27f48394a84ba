package dev.semaim.autograd;

/**
 * Thread-local switches of the autograd engine: whether ops record the graph, and anomaly mode.
 * <pre>try (GradMode.Scope s = GradMode.noGrad()) { ... }</pre>
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
    private static volatile boolean anomaly = Boolean.getBoolean("semaim.anomaly");

    /** Restores the previous state on close. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Ops inside the scope record no graph (inference, the order pass, optimiser updates). */
    public static Scope noGrad() {
        return set(false);
    }

    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = on;
        return () -> flag[0] = before;
    }

    /** Anomaly mode: every op output and every gradient is checked, and the first NaN/Inf names its op. */
    public static boolean anomalyMode() {
        return anomaly;
    }

    public static void setAnomalyMode(boolean on) {
        anomaly = on;
    }
}
