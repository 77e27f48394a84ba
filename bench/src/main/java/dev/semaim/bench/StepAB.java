package dev.semaim.bench;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Training steps of two builds of this project in one JVM, alternating, for A/B comparisons on a noisy
 * machine: both builds meet the same moments of the host's load, and the per-pair speed-up cancels most of
 * it (whole runs of one build after the other vary by ±15% here). Each build's classes are loaded by a class
 * loader of their own (own thread pool, own buffer pool, own JIT profile), which builds
 * {@link CpuBench#trainStep} of the configuration.
 *
 * <p>Usage (a main class; {@code scripts/step-ab.sh} prepares the builds):
 * {@code StepAB <vit-t1|aim-t1|vit-s> <pairs> <classpath A> <classpath B>}, each classpath holding one
 * build's module classes and the runtime dependencies. Three warm-up steps each, then {@code pairs} pairs in
 * alternating order; prints every pair and a {@code RESULT} line with the median per-pair speed-up of B over A
 * (A's step time / B's), its quartiles, and the medians of each side. The heap must hold both working sets.
 */
public final class StepAB {
    private StepAB() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4)
            throw new IllegalArgumentException("usage: StepAB <vit-t1|aim-t1|vit-s> <pairs> <classpath A> <classpath B>");
        String config = args[0];
        int pairs = Integer.parseInt(args[1]);
        Runnable a = load(args[2], config), b = load(args[3], config);
        for (int i = 0; i < 3; i++) {
            seconds(a);
            seconds(b);
        }
        double[] ta = new double[pairs], tb = new double[pairs], speedUp = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                ta[i] = seconds(a);
                tb[i] = seconds(b);
            } else {
                tb[i] = seconds(b);
                ta[i] = seconds(a);
            }
            speedUp[i] = ta[i] / tb[i];
            System.out.printf(Locale.ROOT, "pair %d: A %.3f s, B %.3f s, B's speed-up %.3f%n", i, ta[i], tb[i], speedUp[i]);
        }
        Arrays.sort(ta);
        Arrays.sort(tb);
        Arrays.sort(speedUp);
        System.out.printf(Locale.ROOT, "RESULT {\"config\": \"%s\", \"pairs\": %d, \"speed_up_median\": %.3f, \"speed_up_q1\": %.3f, "
                        + "\"speed_up_q3\": %.3f, \"a_median_s\": %.3f, \"b_median_s\": %.3f}%n",
                config, pairs, speedUp[pairs / 2], speedUp[pairs / 4], speedUp[3 * pairs / 4], ta[pairs / 2], tb[pairs / 2]);
    }

    /** CpuBench.trainStep(config) of the build on {@code classpath}, in a class loader of its own. */
    static Runnable load(String classpath, String config) throws Exception {
        String[] parts = classpath.split(":");
        URL[] urls = new URL[parts.length];
        for (int i = 0; i < parts.length; i++) urls[i] = Path.of(parts[i]).toUri().toURL();
        ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        try {
            return (Runnable) loader.loadClass(CpuBench.class.getName()).getMethod("trainStep", String.class).invoke(null, config);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("StepAB: the build on " + classpath + " has no CpuBench.trainStep (added in round five of issue 8)", e);
        }
    }

    private static double seconds(Runnable step) {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e9;
    }
}
