package dev.semaim.eval;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The k-NN features dump of main_knn.py's {@code --dump_features DIR} / {@code --load_features DIR}: four files named as
 * the official code names its {@code torch.save} dumps, here safetensors, each holding one tensor named as its file:
 * {@code trainfeat} (N, D) and {@code testfeat} (M, D) float32 with L2-normalised rows (the official dumps are
 * normalised too), {@code trainlabels} (N) and {@code testlabels} (M) int64. Reading takes any single tensor of a
 * floating (features) or integer (labels) dtype, so a dump written from Python with another tensor name loads too.
 */
public final class KnnDump {
    private static final String[] NAMES = {"trainfeat", "testfeat", "trainlabels", "testlabels"};
    private static final String SUFFIX = ".safetensors";

    private KnnDump() {
    }

    /** "{trainfeat,testfeat,trainlabels,testlabels}.safetensors", for --help. */
    static String describeFiles() {
        return "{" + String.join(",", NAMES) + "}" + SUFFIX;
    }

    /**
     * Checks, before any work, that {@link #write} can put the dump in {@code dir} (flag --dump_features): an existing
     * folder that can be written, or one that can be created in such a folder. Extracting the features takes minutes,
     * which a late failure would lose; the check creates nothing, so a run that fails later leaves no empty folder.
     */
    static void checkWritable(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (!Files.exists(existing)) {
            existing = existing.getParent(); // the root exists
        }
        String problem = !Files.isDirectory(existing) ? existing + " is a file, not a folder"
                : !Files.isWritable(existing) ? "permission denied on " + existing : null;
        if (problem != null) {
            throw new IllegalArgumentException("--dump_features " + dir + " cannot hold the dump (" + describeFiles() + "): " + problem);
        }
    }

    /** Writes both splits' (normalised) features and labels into {@code dir} (created if missing). */
    static void write(Path dir, KnnFeatures train, KnnFeatures test) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("written_by", "semaim knn --dump_features");
        meta.put("rows", "L2-normalised");
        Tensor[] tensors = {train.features().to(DType.F32), test.features().to(DType.F32), labels(train.labels()), labels(test.labels())};
        for (int i = 0; i < NAMES.length; i++) {
            Safetensors.write(file(dir, i), Map.of(NAMES[i], tensors[i]), meta);
        }
    }

    /** {train, test} from {@code dir}, features on {@code backend}; errors name the file at fault. */
    public static KnnFeatures[] read(Path dir, Backend backend) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--load_features " + dir + ": not a folder (want " + describeFiles() + " in it)");
        }
        Tensor[] t = new Tensor[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Path f = file(dir, i);
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--load_features: " + f + " is missing (semaim knn --dump_features " + dir
                        + " writes the four files " + describeFiles() + ")");
            }
            Map<String, Tensor> in = Safetensors.read(f).tensors();
            if (in.size() != 1) {
                throw new IllegalArgumentException("--load_features: " + f + " holds " + in.size() + " tensors " + in.keySet() + "; want one");
            }
            t[i] = in.values().iterator().next();
            boolean features = i < 2;
            if (t[i].rank() != (features ? 2 : 1) || t[i].dtype().floating != features) {
                throw new IllegalArgumentException("--load_features: " + f + " holds " + t[i].dtype() + Arrays.toString(t[i].shape())
                        + "; want " + (features ? "floating features (rows, width)" : "integer labels (rows)"));
            }
        }
        KnnFeatures[] splits = new KnnFeatures[2];
        for (int s = 0; s < 2; s++) {
            Tensor features = t[s];
            long[] l = t[s + 2].toLongArray();
            if (l.length != features.size(0)) {
                throw new IllegalArgumentException("--load_features: " + file(dir, s) + " has " + features.size(0) + " rows but "
                        + file(dir, s + 2) + " " + l.length + " labels");
            }
            int[] labels = new int[l.length];
            for (int i = 0; i < l.length; i++) {
                if (l[i] < 0 || l[i] > Integer.MAX_VALUE - 1) {
                    throw new IllegalArgumentException("--load_features: " + file(dir, s + 2) + " has label " + l[i] + " at row " + i);
                }
                labels[i] = (int) l[i];
            }
            KnnFeatures.requireFinite(features, file(dir, s).toString());
            splits[s] = new KnnFeatures(features.to(DType.F32).to(backend), labels);
        }
        return splits;
    }

    private static Tensor labels(int[] labels) {
        return Tensor.of(Accuracy.toLong(labels), labels.length);
    }

    private static Path file(Path dir, int i) {
        return dir.resolve(NAMES[i] + SUFFIX);
    }
}
