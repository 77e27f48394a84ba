package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.BackendProvider;

/**
 * Registers the "cuda" backend with {@link dev.semaim.tensor.Backends}. Constructing the provider loads
 * nothing native; {@link #unavailableReason()} tries once to start CUDA and turns any failure (JCuda
 * natives, libcuda, driver, no GPU) into a sentence.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static volatile String reason;
    private static volatile boolean probed;

    @Override public String name() { return "cuda"; }

    @Override public String unavailableReason() {
        if (!probed) {
            synchronized (CudaBackendProvider.class) {
                if (!probed) {
                    reason = probe();
                    probed = true;
                }
            }
        }
        return reason;
    }

    private static String probe() {
        try {
            CudaBackend.get();
            return null;
        } catch (UnsatisfiedLinkError e) {
            return "the JCuda native library or libcuda.so.1 (the NVIDIA driver) could not be loaded: " + innermost(e.getMessage());
        } catch (NoClassDefFoundError e) {
            return "JCuda is not on the class path or failed to initialise: " + e.getMessage();
        } catch (CudaException e) {
            return "CUDA could not start: " + e.getMessage();
        } catch (Throwable e) {
            return "CUDA could not start: " + e;
        }
    }

    /** JCuda's message nests the stack traces of each attempt: keep the last UnsatisfiedLinkError line. */
    private static String innermost(String message) {
        String found = null;
        for (String line : String.valueOf(message).split("\n")) {
            int at = line.indexOf("UnsatisfiedLinkError: ");
            if (at >= 0) found = line.substring(at + "UnsatisfiedLinkError: ".length()).trim();
        }
        return found != null ? found : String.valueOf(message).split("\n")[0];
    }

    @Override public Backend create() {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cuda backend unavailable: " + why);
        return CudaBackend.get();
    }
}
