package dev.semaim.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** --dist_eval's shares: DistributedSampler(shuffle=False)'s positions without its padding, so every image counts once. */
class DistributedAccuracyTest {
    @Test
    void sharesCoverEveryHeldOutImageOnceWithoutThePadding() {
        assertArrayEquals(new int[]{0, 2, 4}, DistributedAccuracy.share(5, 2, 0));
        assertArrayEquals(new int[]{1, 3}, DistributedAccuracy.share(5, 2, 1)); // the sampler pads rank 1 with image 0
        assertArrayEquals(new int[]{}, DistributedAccuracy.share(1, 2, 1));     // fewer images than processes
        for (int n : new int[]{1, 7, 40, 101}) {
            for (int size : new int[]{1, 2, 3, 8}) {
                int[] all = IntStream.range(0, size).flatMap(r -> Arrays.stream(DistributedAccuracy.share(n, size, r))).sorted().toArray();
                assertArrayEquals(IntStream.range(0, n).toArray(), all, n + " images on " + size + " processes");
            }
        }
    }
}
