package dev.semaim.data;

import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    /** 37 random 3x20x24 uint8 images, labels i % 5. */
    private static IdxDataset dataset() {
        SplittableRandom r = new SplittableRandom(42);
        byte[] px = new byte[37 * 20 * 24];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        int[] labels = new int[37];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 5;
        }
        return new IdxDataset(new IdxImages(37, 20, 24, px), labels, List.of("a", "b", "c", "d", "e"), 3);
    }

    private static DataLoader loader(int workers, boolean dropLast) {
        return DataLoader.builder(dataset())
                .transform(Transforms.pretrain(8, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD))
                .batchSize(5).shuffle(true).dropLast(dropLast).workers(workers).seed(7).build();
    }

    private static List<Batch> collect(Iterable<Batch> batches) {
        List<Batch> out = new ArrayList<>();
        batches.forEach(out::add);
        return out;
    }

    private static void assertSame(List<Batch> expected, List<Batch> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).index(), actual.get(i).index());
            assertArrayEquals(expected.get(i).labels(), actual.get(i).labels());
            assertArrayEquals(expected.get(i).images(), actual.get(i).images());
        }
    }

    @Test
    void outputIndependentOfWorkerCount() {
        List<Batch> reference;
        try (DataLoader l = loader(0, false)) {
            reference = collect(l.epoch(3));
        }
        assertEquals(8, reference.size()); // ceil(37 / 5)
        Batch first = reference.get(0);
        assertEquals(5, first.size());
        assertEquals(5 * 3 * 8 * 8, first.images().length);
        assertEquals(2, reference.get(7).size());
        for (int workers : new int[] {1, 3}) {
            try (DataLoader l = loader(workers, false)) {
                assertSame(reference, collect(l.epoch(3)));
                assertSame(reference, collect(l.epoch(3))); // re-iterating gives the same epoch again
            }
        }
    }

    @Test
    void resumeFromBatchMatchesTailOfFullEpoch() {
        try (DataLoader l = loader(2, true)) {
            assertEquals(7, l.batchesPerEpoch()); // floor(37 / 5) with drop-last
            List<Batch> full = collect(l.epoch(5));
            assertEquals(7, full.size());
            assertSame(full.subList(4, 7), collect(l.epoch(5, 4)));
            assertEquals(0, collect(l.epoch(5, 7)).size());
            assertThrows(IllegalArgumentException.class, () -> l.epoch(5, 8));
        }
    }

    /** An epoch capped at a batch count (--max_steps_per_epoch) is the full epoch's slice, and nothing past it is built. */
    @Test
    void aCappedEpochBuildsNoBatchPastItsEnd() throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        IdxDataset data = dataset();
        Dataset counted = new Dataset() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public Sample get(int index) {
                reads.incrementAndGet();
                return data.get(index);
            }

            @Override
            public List<String> classNames() {
                return data.classNames();
            }
        };
        try (DataLoader full = loader(0, false);
             DataLoader l = DataLoader.builder(counted).transform(Transforms.pretrain(8, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD))
                     .batchSize(5).shuffle(true).workers(2).prefetch(4).seed(7).build()) {
            assertSame(collect(full.epoch(5)).subList(1, 3), collect(l.epoch(5, 1, 3)));
            Thread.sleep(100); // time for workers to build what they were given
            assertEquals(2 * 5, reads.get(), "batches 1 and 2 only, none of the 4 a worker would prefetch past them");
            assertEquals(0, collect(l.epoch(5, 3, 3)).size());
            assertThrows(IllegalArgumentException.class, () -> l.epoch(5, 3, 2));
        }
    }

    @Test
    void epochsShuffleDifferentlyButReproducibly() {
        try (DataLoader a = loader(0, false); DataLoader b = loader(2, false)) {
            assertArrayEquals(a.order(4), b.order(4));
            assertFalse(Arrays.equals(a.order(4), a.order(5)));
            int[] sorted = a.order(4).clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i]);
            }
            assertFalse(Arrays.equals(collect(a.epoch(1)).get(0).images(), collect(a.epoch(2)).get(0).images()));
        }
        try (DataLoader plain = DataLoader.builder(dataset()).batchSize(10).build()) {
            assertEquals(0, plain.order(9)[0]);
            assertEquals(3 * 20 * 24, collect(plain.epoch(0)).get(0).images().length / 10);
        }
    }

    @Test
    void workerFailureSurfacesAndCloseStopsIteration() {
        DataLoader l = DataLoader.builder(dataset()).batchSize(4).workers(2)
                .transform((img, rng) -> { throw new IllegalStateException("boom"); }).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.epoch(0).iterator().next());
        assertEquals("boom", e.getCause().getMessage());
        l.close();
        assertThrows(IllegalStateException.class, () -> l.epoch(0).iterator().next());
    }

    /**
     * close() from another thread wakes a next() waiting on a batch that is still queued (behind an abandoned
     * iterator's batches): it used to wait forever, as the executor dropped the queued tasks without completing them.
     */
    @Test
    void closeFailsANextWaitingOnAQueuedBatch() throws InterruptedException {
        Dataset slow = new Dataset() {
            @Override
            public int size() {
                return 40;
            }

            @Override
            public Sample get(int index) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return new Sample(new Image(new float[1], 1, 1, 1, true), 0);
            }

            @Override
            public List<String> classNames() {
                return List.of("a");
            }
        };
        DataLoader l = DataLoader.builder(slow).batchSize(2).workers(1).prefetch(4).build();
        l.epoch(0).iterator(); // abandoned with 4 batches (400 ms of work) in the single worker's queue
        Iterator<Batch> epoch1 = l.epoch(1).iterator();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                epoch1.next();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "waiting consumer");
        consumer.setDaemon(true); // not left keeping the JVM alive if next() does hang
        consumer.start();
        Thread.sleep(20);
        l.close();
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> consumer.join());
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertEquals("DataLoader is closed", failure.get().getMessage());
    }
}
