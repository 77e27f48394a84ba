package dev.semaim.model;

import dev.semaim.settings.Choice;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AimConfigTest {
    @Test
    void presets() {
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
        assertEquals(b, AimConfig.preset("aim_base"));
        assertEquals(l, AimConfig.preset("aimLarge"));
        assertEquals(b, AimConfig.builder().build());
        assertEquals(OrderType.ATTENTION_CENTER, b.permutationType());
        assertTrue(b.orderNeedsMap());
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        AimConfig b = AimConfig.aimBase();
        AimConfig fm = b.toBuilder().imgSize(28).patchSize(4).inChans(1).embedDim(64).depth(4).numHeads(4).queryDepth(2).build();
        assertEquals(49, fm.numPatches());
        assertEquals(16, fm.headOutDim());
        assertEquals(b.mlpRatio(), fm.mlpRatio());
        assertEquals(b, AimConfig.aimBase(), "toBuilder must not change the original");
        assertNotEquals(b, fm);
        assertEquals(fm, fm.toBuilder().build());
        assertEquals(fm.hashCode(), fm.toBuilder().build().hashCode());
        assertEquals(512, b.toBuilder().predictFeature(FeatureTarget.CLIP).outDim(512).build().headOutDim());
        assertEquals(512, b.toBuilder().predictFeature(FeatureTarget.CLIP).build().headOutDim(), "the reference's hard-coded out_dim");
        assertEquals(16, b.toBuilder().predictFeature(FeatureTarget.CLIP).outDim(16).build().headOutDim());
        assertEquals(768, b.toBuilder().predictFeature(FeatureTarget.EMA).build().headOutDim());
        assertEquals(768, b.toBuilder().predictFeature(FeatureTarget.DINO).build().headOutDim());
    }

    @Test
    void keywordArgumentsRoundTripAndDefaultToAimBase() {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(32).patchSize(8).permutationType(OrderType.STOCHASTIC)
                .attentionType(AttentionType.GAP).lossType(LossType.L1).predictionHead(PredictionHeadType.LINEAR).normPixLoss(false).build();
        Map<String, Object> kwargs = c.toKwargs();
        assertEquals("stochastic", kwargs.get("permutation_type"));
        assertEquals("gap", kwargs.get("attention_type"));
        assertEquals(32, kwargs.get("img_size"));
        assertEquals(c, AimConfig.fromKwargs(kwargs));
        AimConfig partial = AimConfig.fromKwargs(Map.of("embed_dim", 192L, "num_heads", 3L, "loss_type", "L1"));
        assertEquals(AimConfig.aimTiny().toBuilder().lossType(LossType.L1).build(), partial);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AimConfig.fromKwargs(Map.of("depth", 2.5)));
        assertEquals("config 'depth' is 2.5, not an integer", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AimConfig.fromKwargs(Map.of("permutation_type", "spiral")));
        assertTrue(e.getMessage().startsWith("config 'permutation_type' 'spiral' is not one of zigzag | raster | stochastic"), e.getMessage());
    }

    @Test
    void clearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AimConfig.aimBase().toBuilder().embedDim(1280).depth(32).numHeads(16).queryDepth(12).build());
        assertTrue(e.getMessage().contains("depth 32") && e.getMessage().contains("query_depth 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().toBuilder().patchSize(15).build());
        assertTrue(e.getMessage().contains("15"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().toBuilder().numHeads(7).build());
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().toBuilder().gaussianKernelSize(4).build());
        assertThrows(IllegalArgumentException.class, () -> AimConfig.aimBase().toBuilder().lossType(null).build());
        assertThrows(IllegalArgumentException.class, () -> AimConfig.preset("aim_huge"));
        e = assertThrows(IllegalArgumentException.class,
                () -> AimConfig.aimBase().toBuilder().predictFeature(FeatureTarget.DINO).outDim(512).build());
        assertEquals("AimConfig: out_dim 512 is for predict_feature 'clip'; 'dino' predicts the width 768", e.getMessage());
    }

    @Test
    void choicesParseTheirSpellingsAndListTheRest() {
        for (OrderType t : OrderType.values()) {
            assertEquals(t, Choice.parse(OrderType.class, t.spelling()));
        }
        assertEquals(LossType.L1, Choice.parse(LossType.class, "L1"));
        assertEquals(AttentionType.SELF, Choice.parse(AttentionType.class, "self"));
        assertEquals(PredictionHeadType.LINEAR, Choice.parse(PredictionHeadType.class, "LINEAR"));
        assertEquals(FeatureTarget.INFERENCE, Choice.parse(FeatureTarget.class, "inference"));
        assertEquals("'spiral' is not one of zigzag | raster | stochastic | center2out | stochastic_center | attention | "
                + "attention_guided | attention_center", assertThrows(IllegalArgumentException.class, () -> Choice.parse(OrderType.class, "spiral")).getMessage());
        assertEquals("'l2' is not one of L2 | L1", assertThrows(IllegalArgumentException.class, () -> Choice.parse(LossType.class, "l2")).getMessage());
        assertEquals(FeatureTarget.EMA, Choice.parse(FeatureTarget.class, "ema"));
        assertEquals("'x' is not one of none | inference | ema | clip | dino",
                assertThrows(IllegalArgumentException.class, () -> Choice.parse(FeatureTarget.class, "x")).getMessage());
        assertTrue(OrderType.ATTENTION_GUIDED.needsMap() && !OrderType.STOCHASTIC_CENTER.needsMap());
    }
}
