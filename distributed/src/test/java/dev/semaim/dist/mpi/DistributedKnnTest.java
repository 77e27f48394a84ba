package dev.semaim.dist.mpi;

import dev.semaim.nn.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpirun -np 2 semaim knn}: each process extracts its share and the features are gathered, so the results and
 * the saved features equal one process's; rank 0 alone writes. An odd number of images exercises the padding.
 */
class DistributedKnnTest {
    @TempDir
    Path dir;

    private static List<String> flags(Path out) {
        return new ArrayList<>(List.of("knn", "--model", "vit_tiny_patch4", "--embed_dim", "32", "--depth", "1", "--num_heads", "2",
                "--input_size", "28", "--in_chans", "1", "--nb_classes", "10", "--data_path", "embedded", "--max_train_images", "301",
                "--max_eval_images", "101", "--batch_size", "32", "--num_workers", "0", "--nb_knn", "5,20", "--output_dir", out.toString()));
    }

    @Test
    void twoProcessesGiveTheResultsOfOne() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        Path one = dir.resolve("one"), two = dir.resolve("two");
        Mpirun.runInProcess(flags(one));

        assertEquals(0, mpirun.run("knn", flags(two)), mpirun.output("knn"));
        String out = mpirun.output("knn");
        assertEquals(1, out.split("done: results in", -1).length - 1, "rank 0 alone reports: " + out);
        for (String split : List.of("train", "val")) {
            Path a = one.resolve("features-" + split + ".safetensors"), b = two.resolve("features-" + split + ".safetensors");
            assertArrayEquals(Safetensors.read(a).tensors().get("labels").toLongArray(), Safetensors.read(b).tensors().get("labels").toLongArray());
            float[] x = Safetensors.read(a).tensors().get("features").toFloatArray(), y = Safetensors.read(b).tensors().get("features").toFloatArray();
            assertEquals(x.length, y.length);
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5f * Math.max(1, Math.abs(x[i])), split + " feature " + i);
        }
        assertEquals(Files.readAllLines(one.resolve("log.txt")).size(), Files.readAllLines(two.resolve("log.txt")).size());
        for (String k : List.of("\"knn5_top1\"", "\"knn20_top1\"")) {
            assertEquals(value(one, k), value(two, k), k);
        }
    }

    /** A number of results.json, as text. */
    private static String value(Path out, String key) throws Exception {
        String json = Files.readString(out.resolve("results.json"));
        int at = json.indexOf(key);
        assertTrue(at >= 0, key + " missing in " + json);
        return json.substring(at + key.length(), json.indexOf(',', at)).replace(":", "").trim();
    }
}
