package dev.semaim.dist;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bound on waiting for the other processes: a collective that has not completed within the timeout means a
 * rank died or hangs (a collective cannot be cancelled once the engine runs it), so this process says so on stderr
 * and ends with exit code 1, as NCCL's watchdog does in PyTorch. Open MPI's mpirun usually ends the job earlier: it
 * kills the remaining ranks as soon as one dies.
 */
public final class Watchdog {
    private Watchdog() {
    }

    /** The result of {@code work}, which runs on the engine's thread; ends the process after {@code timeout}. */
    public static <T> T await(Future<T> work, String what, int rank, Duration timeout) {
        try {
            return work.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            System.err.printf("semaim: rank %d: %s has waited %d s for the other processes: one of them has died or stopped responding; ending this process (--dist_timeout)%n",
                    rank, what, timeout.toSeconds());
            System.err.flush();
            Runtime.getRuntime().halt(1);
            throw new IllegalStateException("unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(what + " failed: " + c, c);
        }
    }
}
