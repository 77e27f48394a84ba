package dev.semaim.tensor;

/**
 * A seeded random stream for tensors: each draw takes the next {@code numel} counters of
 * {@link Philox}, so the sequence of tensors drawn from one seed is fixed, and its state is
 * just (seed, counter), which checkpoints save and restore.
 */
public final class Rng {
    private final long seed;
    private long counter;

    public Rng(long seed) {
        this(seed, 0);
    }

    public Rng(long seed, long counter) {
        this.seed = seed;
        this.counter = counter;
    }

    public long seed() { return seed; }

    public long counter() { return counter; }

    /** Reserves n counters and returns the first. */
    public long take(long n) {
        long c = counter;
        counter += n;
        return c;
    }

    /** One uniform double in [0, 1). */
    public double nextDouble() {
        return Philox.uniform(seed, take(1));
    }

    /** One int in [0, bound). */
    public int nextInt(int bound) {
        return (int) Math.floor(nextDouble() * bound);
    }

    /** An independent stream derived from this one's seed and a label (e.g. an epoch or a worker). */
    public Rng fork(long label) {
        int[] w = new int[4];
        Philox.block(seed ^ 0x5DEECE66DL, label, w);
        return new Rng(((long) w[0] << 32) ^ (w[1] & 0xFFFFFFFFL));
    }
}
