package dev.semaim.tests.parity;

import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.AttentionType;
import dev.semaim.model.LossType;
import dev.semaim.model.Masks;
import dev.semaim.model.OrderMaps;
import dev.semaim.model.OrderType;
import dev.semaim.model.PredictionHeadType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tiny AIM model of golden/tiny_model.safetensors: order pass (Z, cos, A, self map, argmax), priority,
 * masks, target, prediction, loss map, loss and every parameter gradient, for the main configuration
 * (attention_center / cls / MLP / L2 / norm-pix) and var2 (stochastic / gap / LINEAR / L1 / no norm-pix).
 * Tolerance: 1e-5 relative plus 5e-6 absolute for values (var2.pred needs 1.6e-6 absolute on a 0.0087 entry of an O(1)
 * tensor) and 1e-6 absolute for gradients; priorities and masks exactly.
 */
class TinyModelParityTest {
    static final Golden G = Golden.load("tiny_model.safetensors");
    static final double RTOL = 1e-5, ATOL = 5e-6, GRAD_RTOL = 1e-5, GRAD_ATOL = 1e-6;

    /** The main fixture configuration (metadata "config"). */
    static AimConfig mainConfig() {
        return AimConfig.builder().imgSize(16).patchSize(4).embedDim(32).depth(4).numHeads(2).queryDepth(2).gaussianKernelSize(5)
                .build();
    }

    static AimConfig var2Config() {
        return mainConfig().toBuilder().permutationType(OrderType.STOCHASTIC).attentionType(AttentionType.GAP)
                .predictionHead(PredictionHeadType.LINEAR).lossType(LossType.L1).normPixLoss(false).build();
    }

    static AimViT loaded(AimConfig c, String prefix) {
        AimViT m = new AimViT(c, new Rng(0));
        G.loadInto(m, prefix + "param.");
        return m;
    }

    @Test
    void mainVariant() {
        check(mainConfig(), "");
    }

    @Test
    void var2Variant() {
        check(var2Config(), "var2.");
    }

    private void check(AimConfig config, String p) {
        AimViT model = loaded(config, p);
        Tensor input = G.get(p + "input");

        OrderMaps maps = model.orderMaps(input);
        Golden.assertClose(p + "order.z", G.get(p + "order.z"), maps.z(), RTOL, ATOL);
        Golden.assertClose(p + "order.cos", G.get(p + "order.cos"), maps.cos(config.attentionType()), RTOL, ATOL);
        Golden.assertClose(p + "order.attn_map", G.get(p + "order.attn_map"), maps.map(config.attentionType()), RTOL, ATOL);
        Golden.assertClose(p + "order.self_map", G.get(p + "order.self_map"), maps.map(AttentionType.SELF), RTOL, ATOL);
        assertArrayEquals(G.get(p + "order.argmax").toLongArray(), maps.map(config.attentionType()).argmax(1).toLongArray());

        Tensor priority = model.priority(input, G.get(p + "noise"), null);
        Golden.assertClose(p + "priority", G.get(p + "priority"), priority, 0, 0);
        Golden.assertClose(p + "mask_h", G.get(p + "mask_h"), Masks.blocked(Masks.content(priority)), 0, 0);
        Golden.assertClose(p + "mask_g", G.get(p + "mask_g"), Masks.blocked(Masks.query(priority)), 0, 0);
        Golden.assertClose(p + "target_blur", G.get(p + "target_blur"), model.gaussianBlur.forward(input), RTOL, ATOL);
        Golden.assertClose(p + "target", G.get(p + "target"), model.target(input), RTOL, ATOL);

        AimOutput out = model.forward(input, priority);
        G.assertStep(p, model, out, RTOL, ATOL, GRAD_RTOL, GRAD_ATOL);
        assertEquals(null, model.posEmbed.grad(), "the frozen pos_embed gets no gradient");
    }
}
