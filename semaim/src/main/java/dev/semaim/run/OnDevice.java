package dev.semaim.run;

import dev.semaim.settings.Device;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;

import java.io.IOException;

/**
 * Runs a piece of work with the {@code --device} backend as the default backend, restoring the previous
 * default afterwards (pre-training and the evaluation protocols all run this way).
 */
public final class OnDevice {
    /** Work that needs the chosen backend. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Backend backend) throws IOException;
    }

    private OnDevice() {
    }

    /** {@code work} on the backend of {@code device}, which is the default meanwhile. */
    public static <T> T run(Device device, Work<T> work) throws IOException {
        Backend backend = Backends.byName(device.spelling());
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(backend);
        try {
            return work.run(backend);
        } finally {
            Backends.setDefault(previous);
        }
    }
}
