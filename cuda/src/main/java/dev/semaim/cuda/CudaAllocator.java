package dev.semaim.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Caching device allocator. Sizes are rounded up to buckets (512 B steps below 1 MiB, eighths of a power
 * of two above), and a storage's block returns to its bucket's free list when its owner releases it
 * ({@link #release}, as a backward pass does with its activations) or becomes unreachable (a phantom
 * reference polled at each allocation), so a training loop that allocates the same shapes every step stops
 * calling cuMemAlloc after its first steps. Reuse is safe without events because all work runs on one
 * stream in issue order: a kernel that still reads a released block was queued before any that writes it.
 * The Java heap does not see device memory, so when live device bytes pass a threshold (twice what survived
 * the last collection, at least an eighth of the device) the allocator asks the GC for dead storages itself.
 * When cuMemAlloc fails the cache is released and the GC asked again before giving up with an error naming
 * the sizes.
 */
final class CudaAllocator {
    /** A device block of a bucket's size. */
    static final class Block {
        final CUdeviceptr ptr;
        final long bytes;

        Block(CUdeviceptr ptr, long bytes) {
            this.ptr = ptr;
            this.bytes = bytes;
        }
    }

    /** One owner's hold on a block, ended by {@link #release} or by the owner becoming unreachable. */
    static final class Tracked extends PhantomReference<Object> {
        final Block block;

        private Tracked(Object owner, Block block, ReferenceQueue<Object> q) {
            super(owner, q);
            this.block = block;
        }
    }

    private final CudaDriver driver;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final Set<Tracked> live = new HashSet<>();
    private final ReferenceQueue<Object> dead = new ReferenceQueue<>();
    private final long minThreshold;
    private long liveBytes, cachedBytes, deviceAllocs, reuses, releases, collections, collectNanos, gcThreshold;

    CudaAllocator(CudaDriver driver) {
        this.driver = driver;
        minThreshold = Math.max(1L << 30, driver.totalMemory / 8);
        gcThreshold = minThreshold;
    }

    static long bucket(long bytes) {
        if (bytes <= 1 << 20) return Math.max(512, (bytes + 511) / 512 * 512);
        long step = Long.highestOneBit(bytes) / 8;
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}, held for {@code owner} until released or the owner is unreachable. */
    synchronized Tracked allocate(Object owner, long bytes) {
        drain(false);
        long size = bucket(bytes);
        if (liveBytes + size > gcThreshold) collect();
        Block b = takeCached(size);
        if (b == null) b = fresh(size, bytes);
        else reuses++;
        Tracked t = new Tracked(owner, b, dead);
        live.add(t);
        liveBytes += size;
        return t;
    }

    /** Returns a held block to its free list now; the owner promises not to touch it again. A second release does nothing. */
    synchronized void release(Tracked t) {
        t.clear();  // no longer enqueued when the owner dies
        if (free(t)) releases++;
    }

    private Block takeCached(long size) {
        ArrayDeque<Block> q = free.get(size);
        if (q == null || q.isEmpty()) return null;
        cachedBytes -= size;
        return q.pop();
    }

    private Block fresh(long size, long asked) {
        for (int attempt = 0; ; attempt++) {
            CUdeviceptr p = new CUdeviceptr();
            int rc = JCudaDriver.cuMemAlloc(p, size);
            if (rc == CUresult.CUDA_SUCCESS) {
                deviceAllocs++;
                return new Block(p, size);
            }
            if (rc != CUresult.CUDA_ERROR_OUT_OF_MEMORY || attempt == 3)
                throw new CudaException((rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY ? "out of GPU memory" : "cuMemAlloc failed: " + CUresult.stringFor(rc))
                        + " allocating " + asked + " bytes (bucket " + size + "); allocator holds " + liveBytes + " bytes live in "
                        + live.size() + " blocks and " + cachedBytes + " bytes cached, device total " + driver.totalMemory + " bytes");
            // dead storages may hold memory the GC has not reported yet: collect, return them, release the cache
            if (attempt > 0) collect();
            releaseCache();
        }
    }

    /** Runs the GC and takes back the blocks of the storages it found dead; sets the next threshold. */
    synchronized void collect() {
        long t0 = System.nanoTime();
        System.gc();
        drain(true);
        collections++;
        collectNanos += System.nanoTime() - t0;
        gcThreshold = Math.max(minThreshold, 2 * liveBytes);
    }

    /** Returns blocks of unreachable storages to the free lists; when waiting, gives reference processing a moment. */
    private void drain(boolean wait) {
        try {
            for (Reference<?> r = wait ? dead.remove(50) : dead.poll(); r != null; r = wait ? dead.remove(5) : dead.poll()) {
                free((Tracked) r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Moves a held block to its free list; false if it was no longer held. */
    private boolean free(Tracked t) {
        if (!live.remove(t)) return false;
        liveBytes -= t.block.bytes;
        cachedBytes += t.block.bytes;
        free.computeIfAbsent(t.block.bytes, k -> new ArrayDeque<>()).push(t.block);
        return true;
    }

    /** Frees every cached block back to the driver (after the stream drains, since queued kernels may use them). */
    synchronized void releaseCache() {
        driver.synchronize("releasing the allocator cache");
        for (ArrayDeque<Block> q : free.values())
            for (Block b : q) CudaDriver.check(JCudaDriver.cuMemFree(b.ptr), "cuMemFree(" + b.bytes + " bytes)");
        free.clear();
        cachedBytes = 0;
    }

    /** Counters for logs: live and cached bytes, cuMemAlloc calls, reuses, early releases, GC collections. */
    synchronized String stats() {
        return String.format("live %.1f MiB in %d blocks, cached %.1f MiB, %d cuMemAlloc calls, %d reuses, %d released early, %d collections taking %.0f ms",
                liveBytes / 1048576.0, live.size(), cachedBytes / 1048576.0, deviceAllocs, reuses, releases, collections, collectNanos / 1e6);
    }

    synchronized long deviceAllocations() {
        return deviceAllocs;
    }
}
