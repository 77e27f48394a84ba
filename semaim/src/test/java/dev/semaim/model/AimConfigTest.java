package dev.semaim.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AimConfigTest {
    @Test
    void factories() {
        AimConfig t = AimConfig.aimTiny(), s = AimConfig.aimSmall(), b = AimConfig.aimBase(), l = AimConfig.aimLarge();
        assertEquals(192, t.embedDim());
        assertEquals(3, t.numHeads());
        assertEquals(384, s.embedDim());
        assertEquals(6, s.numHeads());
        assertEquals(768, b.embedDim());
        assertEquals(12, b.numHeads());
        assertEquals(1, b.step());
        assertEquals(768, b.headOutDim());
        assertEquals(196, b.numPatches());
        assertEquals(1024, l.embedDim());
        assertEquals(24, l.depth());
        assertEquals(2, l.step());
        assertEquals(b, AimConfig.byName("aim_base"));
        assertEquals(l, AimConfig.byName("aimLarge"));
        assertEquals("attention_center", b.permutationType());
        AimConfig fm = b.withImage(28, 4, 1).withSize(64, 4, 4, 2);
        assertEquals(49, fm.numPatches());
        assertEquals(16, fm.headOutDim());
        assertEquals(512, b.withPredictFeature("clip").withOutDim(512).headOutDim());
        assertEquals(768, b.withPredictFeature("dino").headOutDim());
    }

    @Test
    void clearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withSize(1280, 32, 16, 12));
        assertTrue(e.getMessage().contains("depth 32") && e.getMessage().contains("query_depth 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withPermutationType("spiral"));
        assertTrue(e.getMessage().contains("spiral"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withPatchSize(15));
        assertTrue(e.getMessage().contains("15"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withNumHeads(7));
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withGaussian(4, 1));
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().withLossType("L3"));
        assertThrows(IllegalArgumentException.class, () -> AimConfig.byName("aim_huge"));
    }
}
