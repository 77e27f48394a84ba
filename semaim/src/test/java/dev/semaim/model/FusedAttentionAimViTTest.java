package dev.semaim.model;

import dev.semaim.nn.Parameter;
import dev.semaim.nn.layers.ModuleGradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The model behind the fused-attention setting: AimViT's masked pass with the order masks built on the fly
 * ({@link AimViT#setFusedAttention}) gives the loss and every parameter gradient of the default unfused pass with
 * materialised masks, float64, priorities with ties, on the CPU (where the fused attention is its reference).
 */
class FusedAttentionAimViTTest {
    @Test
    void fusedAndUnfusedMaskedPassesAgree() {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(12).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2).queryDepth(2)
                .gaussianKernelSize(0).build();
        AimViT m = new AimViT(c, new Rng(5));
        ModuleGradCheck.toF64(m);
        assertFalse(m.fusedAttention(), "off by default");
        Tensor images = Tensor.randn(new Rng(6), DType.F64, 2, 3, 12, 12);
        double[] pv = new double[2 * 9];
        Rng r = new Rng(7);
        for (int i = 0; i < pv.length; i++) pv[i] = r.nextInt(4);                   // ties on purpose
        Tensor priority = Tensor.of(pv, 2, 9);

        double[] loss = new double[2];
        java.util.List<Map<String, double[]>> grads = new java.util.ArrayList<>();
        for (int fused = 0; fused < 2; fused++) {
            m.setFusedAttention(fused == 1);
            m.zeroGrad();
            var out = m.forward(images, priority);
            out.loss().backward();
            loss[fused] = out.loss().data().item();
            grads.add(new java.util.HashMap<>());
            for (Map.Entry<String, Parameter> e : m.trainableParameters().entrySet())
                grads.get(fused).put(e.getKey(), e.getValue().grad() == null ? new double[0] : e.getValue().grad().toDoubleArray());
        }
        if (Math.abs(loss[0] - loss[1]) > 1e-12 * Math.abs(loss[0])) fail("loss: unfused " + loss[0] + ", fused " + loss[1]);
        for (String name : grads.get(0).keySet()) {
            double[] a = grads.get(0).get(name), b = grads.get(1).get(name);
            if (a.length != b.length) fail(name + ": gradient of " + a.length + " vs " + b.length + " elements");
            for (int i = 0; i < a.length; i++)
                if (Math.abs(a[i] - b[i]) > 1e-10 * (1 + Math.abs(a[i]))) fail(name + "[" + i + "]: unfused " + a[i] + ", fused " + b[i]);
        }
    }
}
