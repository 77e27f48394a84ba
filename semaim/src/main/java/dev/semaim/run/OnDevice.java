package dev.semaim.run;

import dev.semaim.settings.Device;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;

import java.io.IOException;
import java.util.function.Consumer;

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

    /**
     * {@code work} on the backend of {@code device}, which is the default meanwhile. For {@code auto}, {@code note}
     * gets one line saying which backend was chosen and why (the user did not name one, so the run tells).
     */
    public static <T> T run(Device device, Consumer<String> note, Work<T> work) throws IOException {
        Backends.Choice choice = Backends.choose(device.spelling());
        if (device == Device.AUTO) note.accept(autoLine(choice));
        Backend backend = choice.backend();
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(backend);
        try {
            return work.run(backend);
        } finally {
            Backends.setDefault(previous);
        }
    }

    /** E.g. {@code --device auto chose cpu (2 threads, Vector API kernels): no GPU backend is on the class path}. */
    static String autoLine(Backends.Choice choice) {
        return "--device auto chose " + choice;
    }
}
