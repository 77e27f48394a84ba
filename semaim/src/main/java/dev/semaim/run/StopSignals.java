package dev.semaim.run;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SIGINT (Ctrl-C) and SIGTERM while a training loop runs. The first asks the loop to stop after its current
 * step; the loop then writes the rolling checkpoint and ends the process with 128 + the signal's number (130,
 * 143), as a shell expects of a process a signal ended. A second signal ends the process at once (the previous
 * checkpoint stays intact: checkpoints are written atomically). Outside the loop (data loading, k-NN features)
 * the JVM's own handling stands: exit at once with the same codes.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, in every JDK) rather than a shutdown hook: a hook runs
 * while the JVM is already exiting, beside a main thread that is still training, and cannot wait for the step.
 * Under {@code -Xrs} the JVM keeps the signals to itself and the first one ends the run at once.
 */
public final class StopSignals implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;
    private volatile int exitCode;

    private StopSignals() {
    }

    /** Handles SIGINT and SIGTERM from now until {@link #close()}. */
    public static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                s.previous.put(signal, Signal.handle(signal, s::handle));
            } catch (IllegalArgumentException | UnsupportedOperationException notHere) {
                // -Xrs, or a platform without it: the JVM's default handling stands
            }
        }
        return s;
    }

    /** Handles no signal; {@link #request} stops (tests, and callers that stop a loop for reasons of their own). */
    public static StopSignals none() {
        return new StopSignals();
    }

    private void handle(Signal s) {
        if (received == null) {
            request("SIG" + s.getName(), 128 + s.getNumber());
            System.err.println("semaim: " + received + ": stopping after the current step with a checkpoint (" + received
                    + " again stops at once)");
        } else {
            System.err.println("semaim: second signal (SIG" + s.getName() + "): stopping at once; the last checkpoint written stays");
            Runtime.getRuntime().halt(128 + s.getNumber());
        }
    }

    /** Asks the loop to stop; {@code exitCode} is the process's status when it has. */
    public synchronized void request(String signalName, int exitCode) {
        if (received == null) {
            this.exitCode = exitCode;
            this.received = signalName;
        }
    }

    public boolean requested() {
        return received != null;
    }

    /** Restores the handlers found at {@link #install()}. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }

    /** The exception that ends the run after a requested stop, naming the checkpoint it resumes from. */
    StoppedBySignal stopped(int epoch, int batch, Path checkpoint) {
        return new StoppedBySignal("stopped by " + received + " at epoch " + epoch + ", batch " + batch + ": wrote " + checkpoint
                + "; the same command continues from there", exitCode);
    }
}
