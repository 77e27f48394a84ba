package dev.semaim.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shard of every rank equals PyTorch's DistributedSampler (fixture: scripts/torch/make_sampler_fixture.py, torch 1.13). */
class DistributedSamplerTest {
    @Test
    void indicesEqualPyTorchsDistributedSampler() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("distributed_sampler.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int cases = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] halves = line.split(" : ");
            long[] h = Arrays.stream(halves[0].trim().split(" ")).mapToLong(Long::parseLong).toArray();
            int[] expected = halves.length < 2 || halves[1].isBlank() ? new int[0]
                    : Arrays.stream(halves[1].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            DistributedSampler s = new DistributedSampler((int) h[0], (int) h[1], (int) h[2], h[3] == 1, h[4], h[6] == 1);
            assertArrayEquals(expected, s.indices((int) h[5]), "case " + halves[0]);
            assertEquals(expected.length, s.samplesPerRank(), "case " + halves[0]);
            cases++;
        }
        assertTrue(cases >= 20, "fixture has " + cases + " cases");
    }

    @Test
    void ranksTogetherCoverTheDataSetOnce() {
        int n = 64, world = 4;
        Set<Integer> seen = new HashSet<>();
        for (int r = 0; r < world; r++) {
            for (int i : new DistributedSampler(n, world, r, true, 3, false).indices(5)) assertTrue(seen.add(i), "index " + i + " twice");
        }
        assertEquals(n, seen.size());
    }

    @Test
    void loaderWithASamplerBatchesTheShard() {
        Dataset data = new Dataset() {
            @Override public int size() { return 20; }
            @Override public Sample get(int index) { return new Sample(new Image(new float[] {index}, 1, 1, 1, false), index); }
            @Override public List<String> classNames() { return List.of(); }
        };
        DistributedSampler s = new DistributedSampler(20, 2, 1, true, 0, false);
        try (DataLoader loader = DataLoader.builder(data).batchSize(4).dropLast(true).sampler(s).build()) {
            assertEquals(2, loader.batchesPerEpoch());
            int[] shard = s.indices(1);
            int k = 0;
            for (Batch b : loader.epoch(1)) {
                for (int label : b.labels()) assertEquals(shard[k++], label);
            }
            assertEquals(8, k);
        }
    }
}
