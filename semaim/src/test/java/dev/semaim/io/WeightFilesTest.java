package dev.semaim.io;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The official {@code --checkpoint_key}: the weights under one entry of a .pth file, or under one prefix of a safetensors file. */
class WeightFilesTest {
    @TempDir
    Path dir;

    @Test
    void checkpointKeyPicksTheEntryOfAPthFile() throws Exception {
        Path pth = dir.resolve("ema.pth");
        TorchCheckpoint.write(pth, Map.of("cls_token", Tensor.of(new float[] {1, 2}, 1, 1, 2)), "ema_state_dict");
        assertArrayEquals(new float[] {1, 2}, WeightFiles.read(pth, "ema_state_dict").get("cls_token").toFloatArray());
        // unset: 'state_dict', else 'model', else the top level, which here is no state dict: the message names the keys
        assertEquals(pth + ": entry ema_state_dict is a LinkedHashMap, not a tensor (no 'state_dict' or 'model' dict found; top-level keys "
                + "[ema_state_dict])", assertThrows(IllegalArgumentException.class, () -> WeightFiles.read(pth, null)).getMessage());
        assertEquals(pth + " has no dict under 'state_dict' (top-level keys [ema_state_dict])",
                assertThrows(IllegalArgumentException.class, () -> WeightFiles.read(pth, "state_dict")).getMessage());
    }

    @Test
    void checkpointKeyPicksAPrefixOfASafetensorsFile() throws Exception {
        Path st = dir.resolve("ck.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("cls_token", Tensor.of(new float[] {1}, 1, 1, 1));
        t.put("optimizer.cls_token.exp_avg", Tensor.of(new float[] {0}, 1, 1, 1));
        t.put("teacher.cls_token", Tensor.of(new float[] {7}, 1, 1, 1));
        Safetensors.write(st, t, Map.of());
        assertEquals(List.of("cls_token", "teacher.cls_token"), List.copyOf(WeightFiles.read(st, "state_dict").keySet()));
        assertEquals(List.of("cls_token", "teacher.cls_token"), List.copyOf(WeightFiles.read(st, "model").keySet()));
        assertArrayEquals(new float[] {7}, WeightFiles.read(st, "teacher").get("cls_token").toFloatArray());
        assertEquals(st + " has no tensors named ema_state_dict.* (its names start with [cls_token, optimizer.*, teacher.*])",
                assertThrows(IllegalArgumentException.class, () -> WeightFiles.read(st, "ema_state_dict")).getMessage());
    }
}
