package dev.semaim.tensor;

import dev.semaim.tensor.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds backends. The CPU backend is built in; others (the CUDA one) are plug-ins found at run time
 * through {@link BackendProvider} services, so the CPU path never loads native code.
 */
public final class Backends {
    private Backends() {}

    /**
     * The system property naming the GPU a device plug-in opens (an ordinal, 0 when unset): read by the CUDA backend
     * as it starts, set by a data-parallel run to each process's local rank unless the user gave it.
     */
    public static final String GPU_DEVICE_PROPERTY = "semaim.cuda.device";

    private static volatile Backend defaultBackend = CpuBackend.INSTANCE;

    public static Backend cpu() {
        return CpuBackend.INSTANCE;
    }

    /** The backend new tensors go to when none is named. */
    public static Backend defaultBackend() {
        return defaultBackend;
    }

    public static void setDefault(Backend backend) {
        defaultBackend = backend;
    }

    /** A backend and why it is the one: {@code --device auto} says this in one line. */
    public record Choice(Backend backend, String reason) {
        /** E.g. {@code cpu (8 threads, Vector API kernels): no GPU backend is on the class path}. */
        @Override public String toString() {
            return backend.describe() + ": " + reason;
        }
    }

    /**
     * "cpu", "cuda" or "auto" (the first available plug-in, else the CPU). A named device that is not
     * available is an error that says why.
     */
    public static Backend byName(String device) {
        return choose(device).backend();
    }

    /** {@link #byName} with the reason for the choice: for "auto", the plug-ins that were not available and why. */
    public static Choice choose(String device) {
        if (device.equals("cpu")) return new Choice(cpu(), "asked for");
        List<String> unavailable = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (!device.equals("auto") && !device.equals(p.name())) continue;
            String reason = p.unavailableReason();
            if (reason == null)
                return new Choice(p.create(), device.equals("auto") ? "the first plug-in backend that is available" : "asked for");
            unavailable.add(p.name() + ": " + reason);
        }
        if (device.equals("auto"))
            return new Choice(cpu(), unavailable.isEmpty() ? "no GPU backend is on the class path"
                    : "no plug-in backend is available (" + String.join("; ", unavailable) + ")");
        throw new IllegalArgumentException("--device " + device + " is not available"
                + (unavailable.isEmpty() ? " (no such backend on the class path)" : " (" + String.join("; ", unavailable) + ")"));
    }
}
