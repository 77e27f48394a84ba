package dev.semaim.run;

import dev.semaim.dist.Communicator;

/**
 * The run's wall time as the {@link EpochLoop}'s decisions read it: the time limit (stop at the first optimizer step
 * past it) and an lr schedule over time. One process reads its own clock. The processes of a data-parallel run read
 * rank 0's: every reading is a broadcast of rank 0's elapsed seconds, made at the same point of the loop on every
 * process, so all stop at the same step and compute the same lr (each by its own clock, one would stop while the
 * others wait for it in the next all-reduce).
 */
@FunctionalInterface
public interface RunClock {
    /** Seconds since the run started. */
    double elapsedSeconds();

    /** This process's clock, from {@code startNanos} ({@link System#nanoTime}). */
    static RunClock since(long startNanos) {
        return () -> (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Rank 0's clock from its {@code startNanos} on every process of {@code comm} (each reading a collective: read it
     * at the same points on every process); this process's own for a run of one.
     */
    static RunClock ofRank0(long startNanos, Communicator comm) {
        RunClock local = since(startNanos);
        return comm.size() == 1 ? local : () -> comm.broadcast(local.elapsedSeconds(), 0);
    }
}
