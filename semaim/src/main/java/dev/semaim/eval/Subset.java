package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.Sample;
import dev.semaim.tensor.Rng;

import java.util.Arrays;
import java.util.List;

/**
 * A seeded random subset of a data set (for evaluations on a budget), its indices in ascending order so that
 * the subset keeps the data set's order.
 */
public record Subset(Dataset dataset, int[] indices) implements Dataset {

    /** {@code n} distinct samples drawn with {@code Rng(seed)}; the data set itself when {@code n <= 0} or {@code n >= size}. */
    public static Dataset random(Dataset dataset, int n, long seed) {
        if (n <= 0 || n >= dataset.size()) {
            return dataset;
        }
        int size = dataset.size();
        int[] perm = new int[size];
        for (int i = 0; i < size; i++) {
            perm[i] = i;
        }
        Rng rng = new Rng(seed).fork(0x5B5E7);
        for (int i = 0; i < n; i++) { // partial Fisher-Yates: the first n entries are a uniform sample
            int j = i + rng.nextInt(size - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] chosen = Arrays.copyOf(perm, n);
        Arrays.sort(chosen);
        return new Subset(dataset, chosen);
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Sample get(int index) {
        return dataset.get(indices[index]);
    }

    @Override
    public List<String> classNames() {
        return dataset.classNames();
    }
}
