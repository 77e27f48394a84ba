package dev.semaim.io;

import dev.semaim.nn.io.RawTensor;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // the fixture's float16 and bfloat16 tensors stay half precision in the file
        Map<String, RawTensor> raw = Safetensors.readRaw(out).tensors();
        assertEquals("F16", raw.get("half").dtype());
        assertEquals("BF16", raw.get("bf16").dtype());
    }

    /**
     * dtypes.pth (float16, bfloat16, bool, int8, uint8, int16) -> safetensors -> .pth -> safetensors: every tensor keeps
     * its dtype and bytes, and the second .pth and safetensors files are byte-identical to the first (the PyTorch side
     * of the same round trip is checked by scripts/torch/interop.py check).
     */
    @Test
    void everyDtypeSurvivesBothDirections() throws IOException {
        Path src = TorchCheckpointTest.fixture("dtypes.pth");
        Path st = tmp.resolve("d.safetensors"), pth = tmp.resolve("d.pth"), st2 = tmp.resolve("d2.safetensors"), pth2 = tmp.resolve("d2.pth");
        Convert.pthToSafetensors(src, st);
        Convert.safetensorsToPth(st, pth);
        Convert.pthToSafetensors(pth, st2);
        Convert.safetensorsToPth(st2, pth2);
        Map<String, RawTensor> expected = TorchCheckpoint.readRawStateDict(src);
        assertEquals(expected, Safetensors.readRaw(st).tensors());
        assertEquals(expected, TorchCheckpoint.readRawStateDict(pth));
        assertArrayEquals(Files.readAllBytes(st), Files.readAllBytes(st2));
        assertArrayEquals(Files.readAllBytes(pth), Files.readAllBytes(pth2));
        List<String> dtypes = new ArrayList<>();
        Safetensors.readRaw(st).tensors().values().forEach(t -> dtypes.add(t.dtype()));
        assertEquals(List.of("F16", "F16", "BF16", "BOOL", "I8", "U8", "I16"), dtypes);
    }

    /** A pre-training checkpoint's state dict: weights, then optimizer.* moments, marked by its format metadata. */
    private Path pretrainCheckpoint() {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("cls_token", Tensor.of(new float[] {1, 2}, 1, 1, 2));
        sd.put("norm.weight", Tensor.of(new float[] {3, 4}, 2));
        sd.put("optimizer.exp_avg.cls_token", Tensor.of(new float[] {0, 0}, 1, 1, 2));
        sd.put("optimizer.step", Tensor.of(new long[] {7}));
        Path file = tmp.resolve("checkpoint-latest.safetensors");
        Safetensors.write(file, sd, Map.of("format", "semaim-pretrain-1", "config", "{}"));
        return file;
    }

    @Test
    void pretrainCheckpointGivesTheModelsWeightsOnly() throws IOException {
        Path pth = tmp.resolve("ckpt.pth");
        Convert.Result r = Convert.convert(pretrainCheckpoint(), pth, new Convert.Request(false, "model", null, null));
        assertEquals(2, r.tensors());
        assertEquals("; left out 2 optimizer.*", r.droppedText());
        Map<?, ?> top = (Map<?, ?>) TorchCheckpoint.load(pth);
        assertEquals(List.of("model"), List.copyOf(top.keySet()));
        assertEquals(List.of("cls_token", "norm.weight"), List.copyOf(TorchCheckpoint.readRawStateDict(pth).keySet()));
    }

    @Test
    void weightsOnlyDropsOptimizerStateOfAnyFile() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("w", Tensor.of(new float[] {1}, 1));
        sd.put("optimizer.m.w", Tensor.of(new float[] {0}, 1));
        Path st = tmp.resolve("any.safetensors");
        Safetensors.write(st, sd, Map.of());
        Path kept = tmp.resolve("kept.pth"), weights = tmp.resolve("weights.pth");
        assertEquals(2, Convert.convert(st, kept, Convert.Request.PLAIN).tensors()); // verbatim unless asked
        Convert.Result r = Convert.convert(st, weights, new Convert.Request(true, null, null, null));
        assertEquals(List.of("w"), List.copyOf(TorchCheckpoint.readRawStateDict(weights).keySet()));
        assertEquals(Map.of("optimizer.*", 1), r.dropped());
    }

    /** "name dtype shape" lines of a file scripts/torch/interop.py wrote from its timm-like ViT's state dict. */
    private static List<String> timmKeys(String fixture) throws IOException {
        return Files.readAllLines(TorchCheckpointTest.fixture(fixture));
    }

    private static List<String> keyLines(Map<String, RawTensor> sd) {
        List<String> out = new ArrayList<>();
        sd.forEach((k, t) -> {
            StringBuilder shape = new StringBuilder();
            for (int d : t.shape()) shape.append(shape.length() == 0 ? "" : ",").append(d);
            out.add(k + " " + t.dtype() + " " + shape);
        });
        return out;
    }

    /**
     * The official-style DDP checkpoint of a tiny SemAIM model (aim_tiny_ddp.pth) as timm's ViT encoder: exactly the
     * names, order, dtypes and shapes of the timm-like module's state dict (timm_tiny_keys.txt, what
     * load_state_dict(strict=True) needs; scripts/torch/interop.py check loads the real file strictly), the values
     * the source's. Both final-norm layouts.
     */
    @Test
    void timmEncoderHasExactlyTimmsKeys() throws IOException {
        Map<String, RawTensor> source = TorchCheckpoint.readRawStateDict(TorchCheckpointTest.fixture("aim_tiny_ddp.pth"));
        for (Convert.Timm layout : Convert.Timm.values()) {
            Path out = tmp.resolve("timm-" + layout + ".pth");
            Convert.Result r = Convert.convert(TorchCheckpointTest.fixture("aim_tiny_ddp.pth"), out,
                    new Convert.Request(false, "model", layout, null));
            Map<String, RawTensor> timm = TorchCheckpoint.readRawStateDict(out);
            assertEquals(timmKeys(layout == Convert.Timm.AVG ? "timm_avg_tiny_keys.txt" : "timm_tiny_keys.txt"), keyLines(timm));
            timm.forEach((k, t) -> assertEquals(source.get("module." + k.replaceFirst("^fc_norm\\.", "norm.")), t, k));
            assertEquals(Map.of("query_blocks.*", 32, "prediction_head.*", 4, "gaussian_blur.*", 1), r.dropped());
        }
    }

    /** SAIM encoder blocks hold separate q/k/v (spec section 10): fused into qkv rows [q | k | v]. */
    @Test
    void saimSeparateQkvIsFused() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("cls_token", Tensor.of(new float[] {0, 0}, 1, 1, 2));
        sd.put("pos_embed", Tensor.of(new float[] {0, 0, 0, 0}, 1, 2, 2));
        sd.put("patch_embed.proj.weight", Tensor.of(new float[] {1, 1}, 2, 1, 1, 1));
        sd.put("blocks.0.attn.q.weight", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        sd.put("blocks.0.attn.k.weight", Tensor.of(new float[] {5, 6, 7, 8}, 2, 2));
        sd.put("blocks.0.attn.v.weight", Tensor.of(new float[] {9, 10, 11, 12}, 2, 2));
        sd.put("blocks.0.attn.q.bias", Tensor.of(new float[] {1, 2}, 2));
        sd.put("blocks.0.attn.k.bias", Tensor.of(new float[] {3, 4}, 2));
        sd.put("blocks.0.attn.v.bias", Tensor.of(new float[] {5, 6}, 2));
        sd.put("norm.weight", Tensor.of(new float[] {1, 1}, 2));
        Path st = tmp.resolve("saim.safetensors"), out = tmp.resolve("timm.safetensors");
        Safetensors.write(st, sd, Map.of());
        Convert.convert(st, out, new Convert.Request(false, null, Convert.Timm.TOKEN, null));
        Safetensors.File f = Safetensors.read(out);
        assertArrayEquals(new int[] {6, 2}, f.get("blocks.0.attn.qkv.weight").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, f.get("blocks.0.attn.qkv.weight").toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.get("blocks.0.attn.qkv.bias").toFloatArray());
        assertEquals(List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight",
                "blocks.0.attn.qkv.bias", "norm.weight"), List.copyOf(f.tensors().keySet()));
    }

    @Test
    void timmOfSomethingElseNamesWhatIsMissing() throws IOException {
        Path st = tmp.resolve("linear.safetensors");
        Safetensors.write(st, Map.of("weight", Tensor.of(new float[] {1}, 1)), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Convert.convert(st, tmp.resolve("o.pth"), new Convert.Request(false, null, Convert.Timm.TOKEN, null)));
        assertEquals(st + ": no 'cls_token' tensor: not a ViT encoder (it holds 1 tensors, the first 'weight')", e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("o.pth")));
    }
}
