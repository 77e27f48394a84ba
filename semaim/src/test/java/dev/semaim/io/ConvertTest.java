package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConvertTest {
    @TempDir
    Path tmp;

    @Test
    void safetensorsToPthAndBackIsBitIdentical() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("cls_token", Tensor.of(new float[] {0.1f, -0.2f, Float.MIN_VALUE, -0f}, 1, 1, 4));
        sd.put("blocks.0.attn.qkv.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6, Float.NaN, Float.MAX_VALUE, -1e-30f,
                7, 8, 9}, 12, 1));
        sd.put("head.0.num_batches_tracked", Tensor.of(new long[] {123456789012L}));
        sd.put("f64", Tensor.of(new double[] {Math.E, -0.0}, 2));
        sd.put("i32", Tensor.of(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, 2));
        Path st = tmp.resolve("a.safetensors"), pth = tmp.resolve("a.pth"), back = tmp.resolve("b.safetensors");
        Safetensors.write(st, sd, Convert.METADATA);
        Convert.safetensorsToPth(st, pth);
        Convert.pthToSafetensors(pth, back);
        assertArrayEquals(Files.readAllBytes(st), Files.readAllBytes(back));
    }

    @Test
    void torchFixtureToSafetensors() throws IOException {
        Path out = tmp.resolve("fixture.safetensors");
        Convert.pthToSafetensors(TorchCheckpointTest.fixture("state_dict.pth"), out);
        Safetensors.File f = Safetensors.read(out);
        assertEquals(Convert.METADATA, f.metadata());
        TorchCheckpointTest.assertFixtureStateDict(f.tensors());
    }
}
