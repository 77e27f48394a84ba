package dev.semaim.nn;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.optim.TestModule;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDictTest {
    @TempDir Path dir;

    @Test
    void ofListsFrozenAndBuffersInRegistrationOrder() {
        Map<String, Tensor> sd = StateDict.of(TestModule.tinyVit(1));
        assertEquals(List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
                "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                "blocks.1.norm1.weight", "blocks.1.norm1.bias", "blocks.1.attn.qkv.weight", "blocks.1.attn.qkv.bias",
                "norm.weight", "norm.bias", "head.weight", "head.bias", "gaussian_blur.weight"), List.copyOf(sd.keySet()));
    }

    @Test
    void strictRoundTripThroughSafetensorsCopiesEverything() {
        TestModule a = TestModule.tinyVit(1), b = TestModule.tinyVit(2);
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, StateDict.of(a), Map.of("model", "tiny"));
        Map<String, Tensor> loaded = Safetensors.read(p).tensors();
        LoadReport r = StateDict.load(b, loaded, true);
        assertTrue(r.clean(), r.toString());
        StateDict.of(a).forEach((k, t) -> assertArrayEquals(t.toFloatArray(), b.namedParameters().get(k).data().toFloatArray(), k));
        // the module got its own copies: changing the source map's tensors leaves it alone
        loaded.get("head.bias").fillInPlace(42);
        assertArrayEquals(a.namedParameters().get("head.bias").data().toFloatArray(), b.namedParameters().get("head.bias").data().toFloatArray());
    }

    @Test
    void convertsToTheParameterDtype() {
        TestModule m = TestModule.tinyVit(1);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        StateDict.of(TestModule.tinyVit(3)).forEach((k, t) -> sd.put(k, t.to(DType.F64)));
        StateDict.load(m, sd, true);
        Tensor w = m.namedParameters().get("head.weight").data();
        assertEquals(DType.F32, w.dtype());
        assertArrayEquals(sd.get("head.weight").toFloatArray(), w.toFloatArray());
        assertNotSame(sd.get("head.weight"), w);
    }

    @Test
    void nonStrictReportsMissingAndUnexpectedAndLoadsTheRest() {
        TestModule m = TestModule.tinyVit(1), src = TestModule.tinyVit(5);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(src));
        sd.remove("norm.weight");
        sd.remove("gaussian_blur.weight");
        sd.put("query_blocks.0.attn.q.weight", Tensor.zeros(4, 4));
        LoadReport r = StateDict.load(m, sd, false);
        assertEquals(List.of("norm.weight", "gaussian_blur.weight"), r.missing());
        assertEquals(List.of("query_blocks.0.attn.q.weight"), r.unexpected());
        assertEquals("missing 2 (norm.weight, gaussian_blur.weight); unexpected 1 (query_blocks.0.attn.q.weight)", r.toString());
        assertArrayEquals(sd.get("blocks.1.attn.qkv.weight").toFloatArray(),
                m.namedParameters().get("blocks.1.attn.qkv.weight").data().toFloatArray(), "matching keys loaded");
        assertArrayEquals(sd.get("pos_embed").toFloatArray(), m.namedParameters().get("pos_embed").data().toFloatArray(), "frozen params load");
    }

    /** Issue 17 item 2: a tensor of another shape kept its random initialisation and the load went on. */
    @Test
    void nonStrictShapeMismatchIsAnErrorAndLoadsNothing() {
        TestModule m = TestModule.tinyVit(1);
        float[] before = m.namedParameters().get("cls_token").data().toFloatArray();
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(TestModule.tinyVit(5)));
        sd.put("head.weight", Tensor.zeros(10, 4)); // a 10-class head
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(m, sd, false));
        assertEquals("state-dict load into TestModule failed: 1 tensor(s) do not fit: head.weight: module (3, 4), loaded (10, 4)",
                e.getMessage());
        assertArrayEquals(before, m.namedParameters().get("cls_token").data().toFloatArray(), "nothing loaded");
    }

    /** Issue 17 item 4: an I32 tensor for a float parameter loaded as its bit patterns' integer values. */
    @Test
    void integerTensorForAFloatParameterIsAnError() {
        TestModule m = TestModule.tinyVit(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(TestModule.tinyVit(5)));
        sd.put("cls_token", sd.get("cls_token").to(DType.I32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(m, sd, false));
        assertTrue(e.getMessage().contains("cls_token: stored as I32 but the parameter is F32"), e.getMessage());
    }

    /** Issue 17 item 3: a NaN in a tensor loaded silently. */
    @Test
    void nonFiniteValuesAreRefusedUnlessAllowed() {
        TestModule m = TestModule.tinyVit(1);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(TestModule.tinyVit(5)));
        float[] cls = sd.get("cls_token").toFloatArray();
        cls[0] = Float.NaN;
        cls[1] = Float.NEGATIVE_INFINITY;
        sd.put("cls_token", Tensor.of(cls, sd.get("cls_token").shape()));
        float[] before = m.namedParameters().get("cls_token").data().toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(m, sd, true));
        assertEquals("non-finite weights: cls_token has 2 of " + cls.length + " values NaN or infinite", e.getMessage());
        assertArrayEquals(before, m.namedParameters().get("cls_token").data().toFloatArray(), "nothing loaded");
        StateDict.load(m, sd, true, true);
        assertTrue(Float.isNaN(m.namedParameters().get("cls_token").data().toFloatArray()[0]), "loaded when allowed");
    }

    @Test
    void strictFailureNamesEveryProblemAndLoadsNothing() {
        TestModule m = TestModule.tinyVit(1);
        float[] before = m.namedParameters().get("cls_token").data().toFloatArray();
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(TestModule.tinyVit(4)));
        sd.remove("head.bias");
        sd.put("extra", Tensor.zeros(1));
        sd.put("norm.weight", Tensor.zeros(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDict.load(m, sd, true));
        assertTrue(e.getMessage().contains("missing 1 (head.bias)"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected 1 (extra)"), e.getMessage());
        assertTrue(e.getMessage().contains("norm.weight: module (4), loaded (5)"), e.getMessage());
        assertArrayEquals(before, m.namedParameters().get("cls_token").data().toFloatArray());
    }
}
