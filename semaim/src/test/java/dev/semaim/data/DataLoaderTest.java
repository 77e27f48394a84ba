package dev.semaim.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
