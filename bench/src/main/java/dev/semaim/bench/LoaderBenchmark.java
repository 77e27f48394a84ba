package dev.semaim.bench;

import dev.semaim.data.Batch;
import dev.semaim.data.Compose;
import dev.semaim.data.DataLoader;
import dev.semaim.data.Image;
import dev.semaim.data.ImageDecoder;
import dev.semaim.data.ImageFolderDataset;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The data loader's throughput on an image folder (a main class, not a test): the pre-training transform
 * ({@link Transforms#pretrain}: RandomResizedCrop(size, scale 0.2-1, bicubic), flip, ToTensor, Normalize with the
 * ImageNet statistics) through {@link DataLoader} with shuffling, as the pre-training runs it. The Java half of
 * {@code scripts/bench-loader.sh}, whose other half is {@code scripts/torch/bench_loader.py}.
 *
 * <p>Prints one line per epoch (wall seconds, images/s, CPU-seconds of the whole process per image) and then the
 * time split of {@code split} samples built one by one on the main thread after the epochs (JIT warm): read
 * (the file's bytes), decode, then each step of the transform by name, then collate (the copy into the batch
 * array), in CPU-milliseconds of that thread per image (CPU time rather than wall time, so that other processes
 * on a shared machine inflate it less). The last line, {@code RESULT {json}}, carries everything for the script.
 *
 * <p>Usage: {@code LoaderBenchmark ROOT [workers 1] [batch 64] [epochs 5] [split 128] [size 224]}.
 */
public final class LoaderBenchmark {
    private LoaderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LoaderBenchmark ROOT [workers 1] [batch 64] [epochs 5] [split 128] [size 224]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int epochs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int split = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        int size = args.length > 5 ? Integer.parseInt(args[5]) : 224;
        ImageDecoder decoder = new ImageDecoder();
        ImageFolderDataset dataset = new ImageFolderDataset(root, decoder, System.err::println);
        Transform transform = Transforms.pretrain(size, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> imagesPerS = new ArrayList<>(), cpuPerImage = new ArrayList<>();
        try (DataLoader loader = DataLoader.builder(dataset).transform(transform).batchSize(batch).shuffle(true)
                .workers(workers).seed(0).build()) {
            for (int e = 0; e < epochs; e++) {
                long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                int images = 0;
                double checksum = 0;
                for (Batch b : loader.epoch(e)) {
                    images += b.size();
                    checksum += b.images()[0];
                }
                double s = (System.nanoTime() - t0) / 1e9, cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                imagesPerS.add(images / s);
                cpuPerImage.add(cpu / images);
                System.out.printf(Locale.ROOT, "ours epoch %d: %d images in %.3f s, %.1f images/s, %.2f CPU-ms per image (checksum %.3f)%n",
                        e, images, s, images / s, 1e3 * cpu / images, checksum);
            }
        }
        Map<String, Double> splitMs = split(dataset, decoder, transform, Math.min(split, dataset.size()), batch);
        System.out.println("ours split, CPU-ms per image: " + splitMs.entrySet().stream()
                .map(x -> String.format(Locale.ROOT, "%s %.3f", x.getKey(), x.getValue())).collect(Collectors.joining(", ")));
        System.out.println("RESULT " + json(workers, batch, size, dataset.size(), imagesPerS, cpuPerImage, splitMs));
    }

    /** Milliseconds per image of each stage, over {@code n} samples transformed one at a time on this thread. */
    private static Map<String, Double> split(ImageFolderDataset dataset, ImageDecoder decoder, Transform transform,
                                             int n, int batch) throws Exception {
        List<Transform> steps = transform instanceof Compose c ? c.steps() : List.of(transform);
        java.lang.management.ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        Map<String, Long> nanos = new LinkedHashMap<>();
        nanos.put("read", 0L);
        nanos.put("decode", 0L);
        for (Transform t : steps) {
            nanos.put(t.getClass().getSimpleName(), 0L);
        }
        nanos.put("collate", 0L);
        float[] batchArray = null;
        for (int i = 0; i < n; i++) {
            long t0 = clock.getCurrentThreadCpuTime();
            byte[] bytes = Files.readAllBytes(dataset.file(i));
            long t1 = clock.getCurrentThreadCpuTime();
            Image img = decoder.decode(bytes, dataset.file(i).toString());
            long t2 = clock.getCurrentThreadCpuTime();
            nanos.merge("read", t1 - t0, Long::sum);
            nanos.merge("decode", t2 - t1, Long::sum);
            SplittableRandom rng = new SplittableRandom(DataLoader.sampleSeed(0, 0, i));
            for (Transform t : steps) {
                long s0 = clock.getCurrentThreadCpuTime();
                img = t.apply(img, rng);
                nanos.merge(t.getClass().getSimpleName(), clock.getCurrentThreadCpuTime() - s0, Long::sum);
            }
            long c0 = clock.getCurrentThreadCpuTime();
            int per = img.data().length;
            if (batchArray == null) {
                batchArray = new float[batch * per];
            }
            System.arraycopy(img.data(), 0, batchArray, (i % batch) * per, per);
            nanos.merge("collate", clock.getCurrentThreadCpuTime() - c0, Long::sum);
        }
        Map<String, Double> ms = new LinkedHashMap<>();
        nanos.forEach((k, v) -> ms.put(k, v / 1e6 / n));
        return ms;
    }

    private static String json(int workers, int batch, int size, int images, List<Double> imagesPerS,
                               List<Double> cpuPerImage, Map<String, Double> splitMs) {
        String split = splitMs.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "\"%s\": %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "{\"side\": \"ours\", \"workers\": %d, \"batch\": %d, \"size\": %d, \"images\": %d, "
                        + "\"images_per_s\": %s, \"cpu_s_per_image\": %s, \"split_ms\": {%s}, \"cpus\": %d, \"java\": \"%s\"}",
                workers, batch, size, images, list(imagesPerS), list(cpuPerImage), split,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    }

    private static String list(List<Double> v) {
        return v.stream().map(x -> String.format(Locale.ROOT, "%.5g", x)).collect(Collectors.joining(", ", "[", "]"));
    }
}
