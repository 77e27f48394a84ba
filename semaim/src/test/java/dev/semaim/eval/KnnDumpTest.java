package dev.semaim.eval;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --dump_features files (main_knn.py's four dumps, as safetensors): written, read back exactly, bad ones named. */
class KnnDumpTest {
    @TempDir
    Path dir;

    private static KnnFeatures features(float[] v, int rows, int[] labels) {
        return new KnnFeatures(Tensor.of(v, rows, v.length / rows), labels);
    }

    @Test
    void writesTheFourFilesAndReadsThemBackExactly() throws Exception {
        KnnFeatures train = features(new float[] {0.6f, 0.8f, 1, 0, 0, -1}, 3, new int[] {2, 0, 1});
        KnnFeatures test = features(new float[] {0, 1}, 1, new int[] {1});
        assertTrue(KnnDump.describeFiles().equals("{trainfeat,testfeat,trainlabels,testlabels}.safetensors"));
        KnnDump.write(dir, train, test);
        assertArrayEquals(new int[] {3, 2}, Safetensors.read(dir.resolve("trainfeat.safetensors")).get("trainfeat").shape());
        KnnFeatures[] back = KnnDump.read(dir, Backends.cpu());
        assertArrayEquals(train.features().toFloatArray(), back[0].features().toFloatArray());
        assertArrayEquals(new int[] {2, 0, 1}, back[0].labels());
        assertArrayEquals(test.features().toFloatArray(), back[1].features().toFloatArray());
        assertArrayEquals(new int[] {1}, back[1].labels());
    }

    @Test
    void badFilesAreNamed() throws Exception {
        KnnDump.write(dir, features(new float[] {1, 0, 0, 1}, 2, new int[] {0, 1}), features(new float[] {0, 1}, 1, new int[] {1}));
        Path labels = dir.resolve("trainlabels.safetensors");
        Safetensors.write(labels, Map.of("trainlabels", Tensor.of(new long[] {0, 1, 1}, 3)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KnnDump.read(dir, Backends.cpu()));
        assertTrue(e.getMessage().contains("has 2 rows but " + labels + " 3 labels"), e.getMessage());

        Map<String, Tensor> two = new LinkedHashMap<>();
        two.put("a", Tensor.of(new long[] {0, 1}, 2));
        two.put("b", Tensor.of(new long[] {0, 1}, 2));
        Safetensors.write(labels, two, null);
        e = assertThrows(IllegalArgumentException.class, () -> KnnDump.read(dir, Backends.cpu()));
        assertTrue(e.getMessage().contains(labels + " holds 2 tensors [a, b]; want one"), e.getMessage());

        Safetensors.write(labels, Map.of("trainlabels", Tensor.of(new float[] {0, 1}, 2)), null);
        e = assertThrows(IllegalArgumentException.class, () -> KnnDump.read(dir, Backends.cpu()));
        assertTrue(e.getMessage().contains(labels + " holds F32[2]; want integer labels (rows)"), e.getMessage());
    }
}
