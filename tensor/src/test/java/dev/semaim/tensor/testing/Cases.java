package dev.semaim.tensor.testing;

import java.util.function.Consumer;

/**
 * Runs a property over seeded random cases. Case i of property "name" uses seed
 * {@code name.hashCode() * 1000 + i}; a failure is rethrown with its seed, and
 * {@code -Dsemaim.test.seed=S} reruns just seed S of every property (to debug one case).
 */
public final class Cases {
    private Cases() {}

    public static void run(String name, int cases, Consumer<Gen> property) {
        String only = System.getProperty("semaim.test.seed");
        if (only != null) {
            runOne(name, Long.parseLong(only), property);
            return;
        }
        for (int i = 0; i < cases; i++) runOne(name, name.hashCode() * 1000L + i, property);
    }

    private static void runOne(String name, long seed, Consumer<Gen> property) {
        try {
            property.accept(new Gen(seed));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(name + " failed for seed " + seed + " (rerun with -Dsemaim.test.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }
}
