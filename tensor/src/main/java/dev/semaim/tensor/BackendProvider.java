package dev.semaim.tensor;

/** A backend plug-in registered as a {@link java.util.ServiceLoader} service. */
public interface BackendProvider {
    String name();

    /** Null when the backend can be created here, else a sentence saying why not (no driver, no GPU). */
    String unavailableReason();

    Backend create();
}
