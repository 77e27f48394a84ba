package dev.semaim.tensor;

import dev.semaim.tensor.cpu.CpuBackend;

import java.util.ServiceLoader;

/**
 * Finds backends. The CPU backend is built in; others (the CUDA one) are plug-ins found at run time
 * through {@link BackendProvider} services, so the CPU path never loads native code.
 */
public final class Backends {
    private Backends() {}

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

    /**
     * "cpu", "cuda" or "auto" (the first available plug-in, else the CPU). A named device that is not
     * available is an error that says why.
     */
    public static Backend byName(String device) {
        if (device.equals("cpu")) return cpu();
        StringBuilder why = new StringBuilder();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (!device.equals("auto") && !device.equals(p.name())) continue;
            String reason = p.unavailableReason();
            if (reason == null) return p.create();
            why.append(p.name()).append(": ").append(reason).append("; ");
        }
        if (device.equals("auto")) return cpu();
        throw new IllegalArgumentException("--device " + device + " is not available"
                + (why.length() > 0 ? " (" + why.substring(0, why.length() - 2) + ")" : " (no such backend on the class path)"));
    }
}
