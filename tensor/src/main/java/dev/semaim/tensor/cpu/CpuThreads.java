package dev.semaim.tensor.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The engine's single CPU worker pool and its fork-join helpers.
 *
 * <p>Size: {@code Runtime.availableProcessors()}, overridable with system property
 * {@code semaim.threads}. Threads are daemons. A parallel call hands indices out dynamically to the
 * calling thread and up to {@code threads() - 1} pool threads, so at most {@code threads()} run at
 * once, and returns once every index is done. Calls made from inside a parallel body (from a pool
 * thread or from the caller while it helps) run inline on the current thread, so nesting never
 * deadlocks or oversubscribes.
 */
public final class CpuThreads {
    private static final int THREADS = Math.max(1,
            Integer.getInteger("semaim.threads", Runtime.getRuntime().availableProcessors()));

    /** True on pool threads always, and on a caller thread while it takes part in a parallel call. */
    private static final ThreadLocal<boolean[]> IN_PARALLEL = ThreadLocal.withInitial(() -> new boolean[1]);

    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(() -> {
                IN_PARALLEL.get()[0] = true;
                r.run();
            }, "semaim-cpu-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    /** Body of {@link #parallelRanges}: processes the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private CpuThreads() {}

    /** Number of threads a parallel call may use (the pool size). */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, n), spread over the pool and the calling thread,
     * and returns when all are done. Indices are claimed one at a time, so give each one a sizeable
     * piece of work. The first exception thrown by a body is rethrown here (later indices are
     * skipped). Runs inline when {@code n <= 1}, when there is one thread, or when already inside a
     * parallel call.
     */
    public static void parallelFor(int n, IntConsumer body) {
        boolean[] inParallel = IN_PARALLEL.get();
        if (n <= 1 || THREADS == 1 || inParallel[0]) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        Region region = new Region(n, body, Thread.currentThread());
        for (int h = Math.min(n, THREADS) - 1; h > 0; h--) {
            POOL.execute(region::work);
        }
        inParallel[0] = true;
        try {
            region.work();
        } finally {
            inParallel[0] = false;
        }
        region.await();
    }

    /**
     * Splits [0, n) into at most {@link #threads()} contiguous ranges of at least {@code minGrain}
     * indices each and runs {@code body} on them in parallel (as {@link #parallelFor}). Suited to
     * element-wise kernels: choose minGrain so one range is worth a hand-off (~10 µs of work).
     */
    public static void parallelRanges(int n, int minGrain, RangeBody body) {
        int chunks = (int) Math.max(1, Math.min(THREADS, (long) n / Math.max(1, minGrain)));
        parallelFor(chunks, t -> body.run((int) ((long) n * t / chunks), (int) ((long) n * (t + 1) / chunks)));
    }

    /** One parallel call: dynamic index hand-out, completion count and first failure. */
    private static final class Region {
        private final int n;
        private final IntConsumer body;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger pending;
        private volatile Throwable failure;

        Region(int n, IntConsumer body, Thread caller) {
            this.n = n;
            this.body = body;
            this.caller = caller;
            this.pending = new AtomicInteger(n);
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                int done = 1;
                try {
                    if (failure == null) {
                        body.accept(i);
                    }
                } catch (Throwable t) {
                    synchronized (this) {
                        if (failure == null) {
                            failure = t;
                        } else if (failure != t) {
                            failure.addSuppressed(t);
                        }
                    }
                    // Claim the unstarted indices so the caller stops waiting for them.
                    done += Math.max(0, n - Math.max(next.getAndSet(n), i + 1));
                } finally {
                    if (pending.addAndGet(-done) == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        void await() {
            boolean interrupted = false;
            while (pending.get() > 0) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new RuntimeException(t);
            }
        }
    }
}
