package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.semaim.nn.optim.AdamWTest.grad;
import static dev.semaim.nn.optim.AdamWTest.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradScaler} with PyTorch's defaults and state keys. */
class GradScalerTest {
    @Test
    void pytorchsDefaultsGrowthAndBackoff() {
        GradScaler s = new GradScaler();
        assertEquals(65536.0, s.scale());
        for (int i = 0; i < 1999; i++) s.update(false);
        assertEquals(65536.0, s.scale(), "no growth before 2000 finite steps in a row");
        s.update(false);
        assertEquals(131072.0, s.scale(), "growth 2 after the 2000th");
        for (int i = 0; i < 1500; i++) s.update(false);
        s.update(true);
        assertEquals(65536.0, s.scale(), "backoff 0.5 on an overflow");
        for (int i = 0; i < 1999; i++) s.update(false);
        assertEquals(65536.0, s.scale(), "an overflow restarts the count");
        s.update(false);
        assertEquals(131072.0, s.scale());
    }

    @Test
    void unscaleDividesByTheScaleAndFindsInfinitiesAndNaNs() {
        GradScaler s = new GradScaler();
        Parameter a = param(DType.F32, 0, 0), b = param(DType.F32, 0), none = param(DType.F32, 0);
        grad(a, 65536, -131072);
        grad(b, 32768);
        assertFalse(s.unscale(List.of(a, b, none)));
        assertArrayEquals(new float[] {1, -2}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f}, b.grad().toFloatArray());
        grad(b, Double.POSITIVE_INFINITY);
        assertTrue(s.unscale(List.of(a, b)), "an infinite gradient");
        grad(b, Double.NaN);
        assertTrue(s.unscale(List.of(a, b)), "a NaN gradient");
    }

    @Test
    void stateRoundTripsUnderPyTorchsKeys() {
        GradScaler s = new GradScaler();
        s.update(true);
        s.update(false);
        s.update(false);
        Map<String, Object> state = s.state();
        assertEquals(List.of("scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"), List.copyOf(state.keySet()));
        assertEquals(32768.0, state.get("scale"));
        assertEquals(2, state.get("_growth_tracker"));
        GradScaler back = new GradScaler();
        back.load(state);
        assertEquals(s.state(), back.state());
        assertEquals("loss scaler state has no number 'scale' (got null)",
                assertThrows(IllegalArgumentException.class, () -> back.load(Map.of())).getMessage());
        assertEquals(s.state(), back.state(), "a failed load changes nothing");
    }
}
