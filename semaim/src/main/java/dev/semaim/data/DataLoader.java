package dev.semaim.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches a {@link Dataset} through a {@link Transform} with background workers (torch {@code DataLoader}).
 *
 * <p>Determinism: the epoch's sample order is a Fisher-Yates shuffle seeded with {@code seed + epoch} (or the
 * identity without shuffling, or a {@link DistributedSampler}'s share), and sample {@code index} of epoch {@code e} is transformed with an RNG seeded by
 * {@link #sampleSeed(long, int, int)}. Output therefore depends only on (seed, epoch) and not on the worker
 * count or timing, and {@link #epoch(int, int)} resumes mid-epoch with exactly the batches a full run would
 * have produced from that point.
 *
 * <p>Workers each build whole batches; at most {@code prefetch} batches are in flight ahead of the consumer,
 * and batches are handed out in order. With 0 workers batches are built on the calling thread.
 */
public final class DataLoader implements AutoCloseable {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final Dataset dataset;
    private final Transform transform;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int prefetch;
    private final long seed;
    private final DistributedSampler sampler;
    private final ExecutorService workers;
    private volatile boolean closed;

    private DataLoader(Builder b) {
        if (b.batchSize <= 0 || b.workers < 0 || b.prefetch < 1) {
            throw new IllegalArgumentException("bad DataLoader settings: batchSize " + b.batchSize + ", workers "
                    + b.workers + ", prefetch " + b.prefetch);
        }
        this.dataset = b.dataset;
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.seed = b.seed;
        this.sampler = b.sampler;
        AtomicInteger n = new AtomicInteger();
        this.workers = b.workers == 0 ? null : Executors.newFixedThreadPool(b.workers, r -> {
            Thread t = new Thread(r, "semaim-data-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Samples an epoch visits: the data set's, or this process's share with a {@link DistributedSampler}. */
    public int samplesPerEpoch() {
        return sampler == null ? dataset.size() : sampler.samplesPerRank();
    }

    /** Batches per epoch: floor(n / B) with drop-last, else ceil(n / B), n = {@link #samplesPerEpoch()}. */
    public int batchesPerEpoch() {
        int n = samplesPerEpoch();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Dataset indices in the order epoch {@code epoch} visits them (this process's share with a sampler). */
    public int[] order(int epoch) {
        if (sampler != null) {
            return sampler.indices(epoch);
        }
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(seed + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Seed of the transform RNG of dataset sample {@code index} in {@code epoch}: SplitMix64 hashing of the triple. */
    public static long sampleSeed(long seed, int epoch, int index) {
        long h = mix64(seed);
        h = mix64(h + GOLDEN_GAMMA * (epoch + 1L));
        return mix64(h + GOLDEN_GAMMA * (index + 1L));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** All batches of {@code epoch}. */
    public Iterable<Batch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** Batches {@code startBatch ..} of {@code epoch} (resume): identical to the tail of a full epoch. */
    public Iterable<Batch> epoch(int epoch, int startBatch) {
        return epoch(epoch, startBatch, batchesPerEpoch());
    }

    /**
     * Batches {@code startBatch} to {@code endBatch - 1} of {@code epoch}, as in a full epoch: an epoch capped at
     * {@code endBatch} batches ({@code --max_steps_per_epoch}) never has the workers build the batches past it, which
     * would otherwise hold them up at the start of the next epoch.
     */
    public Iterable<Batch> epoch(int epoch, int startBatch, int endBatch) {
        if (startBatch < 0 || startBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("start batch " + startBatch + " outside 0.." + batchesPerEpoch());
        }
        if (endBatch < startBatch) {
            throw new IllegalArgumentException("end batch " + endBatch + " before start batch " + startBatch);
        }
        return () -> new EpochIterator(epoch, startBatch, Math.min(endBatch, batchesPerEpoch()));
    }

    /** Builds batch {@code b} of an epoch whose order is {@code order}. Shape (B, C, H, W). */
    private Batch build(int epoch, int[] order, int b) {
        int from = b * batchSize, size = Math.min(batchSize, order.length - from);
        int[] labels = new int[size];
        float[] images = null;
        int c = 0, h = 0, w = 0, per = 0;
        for (int k = 0; k < size; k++) {
            int index = order[from + k];
            Sample s = dataset.get(index);
            Image img = transform.apply(s.image(), new SplittableRandom(sampleSeed(seed, epoch, index)));
            if (images == null) {
                c = img.channels();
                h = img.height();
                w = img.width();
                per = c * h * w;
                images = new float[size * per];
            } else if (img.channels() != c || img.height() != h || img.width() != w) {
                throw new IllegalStateException("sample " + index + " has shape " + img + " but the batch started with "
                        + c + "x" + h + "x" + w + "; the transform must produce a fixed size");
            }
            System.arraycopy(img.data(), 0, images, k * per, per);
            labels[k] = s.label();
        }
        return new Batch(b, images, labels, size, c, h, w);
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final int end;
        private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
        private int nextToReturn;
        private int nextToSubmit;

        EpochIterator(int epoch, int start, int end) {
            this.epoch = epoch;
            this.end = end;
            this.order = order(epoch);
            this.nextToReturn = start;
            this.nextToSubmit = start;
            fill();
        }

        private void fill() {
            if (workers == null) {
                return;
            }
            while (nextToSubmit < end && pending.size() < prefetch) {
                int b = nextToSubmit++;
                try {
                    pending.add(workers.submit(() -> build(epoch, order, b)));
                } catch (RejectedExecutionException e) {
                    throw new IllegalStateException("DataLoader is closed", e);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return nextToReturn < end;
        }

        @Override
        public Batch next() {
            if (closed) {
                throw new IllegalStateException("DataLoader is closed");
            }
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int b = nextToReturn++;
            if (workers == null) {
                return build(epoch, order, b);
            }
            Future<Batch> head = pending.poll();
            try {
                Batch batch = head.get();
                fill();
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for batch " + b + " of epoch " + epoch, e);
            } catch (CancellationException | ExecutionException e) {
                pending.forEach(f -> f.cancel(true));
                pending.clear();
                nextToReturn = end;
                if (closed) { // close() cancelled the queued batch or interrupted the worker building it
                    throw new IllegalStateException("DataLoader is closed", e);
                }
                throw new IllegalStateException("building batch " + b + " of epoch " + epoch + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * Stops the worker threads; iterators of this loader fail afterwards with "DataLoader is closed", including a
     * {@code next()} already waiting on another thread for a batch.
     */
    @Override
    public void close() {
        closed = true;
        if (workers != null) {
            // shutdownNow() interrupts the running batches and drops the queued ones without completing them, so a
            // next() waiting on a queued batch (this iterator's, or behind an abandoned iterator's) would wait
            // forever: cancel them. The executor's queue holds the futures submit() returned.
            for (Runnable queued : workers.shutdownNow()) {
                if (queued instanceof Future<?> batch) {
                    batch.cancel(false);
                }
            }
        }
    }

    /** Settings; defaults: identity transform, batch 1, no shuffle, keep last, 0 workers, prefetch 2 per worker, seed 0. */
    public static final class Builder {
        private final Dataset dataset;
        private Transform transform = (image, rng) -> image;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private int workers;
        private int prefetch = -1;
        private long seed;
        private DistributedSampler sampler;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder transform(Transform t) { this.transform = t; return this; }
        public Builder batchSize(int b) { this.batchSize = b; return this; }
        public Builder shuffle(boolean s) { this.shuffle = s; return this; }
        public Builder dropLast(boolean d) { this.dropLast = d; return this; }
        public Builder workers(int n) { this.workers = n; return this; }
        /** Maximum batches in flight ahead of the consumer (torch: prefetch_factor x workers). */
        public Builder prefetch(int batches) { this.prefetch = batches; return this; }
        public Builder seed(long s) { this.seed = s; return this; }
        /** The epoch's order from {@code s} instead of the shuffle (data-parallel runs: this process's share). */
        public Builder sampler(DistributedSampler s) { this.sampler = s; return this; }

        public DataLoader build() {
            if (prefetch == -1) {
                prefetch = Math.max(1, 2 * workers);
            }
            return new DataLoader(this);
        }
    }
}
