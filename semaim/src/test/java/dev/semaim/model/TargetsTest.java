package dev.semaim.model;

import dev.semaim.autograd.Var;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** §5.2 / §13.6: patchify order and the norm-pix example. */
class TargetsTest {
    @Test
    void normPixExample() {
        Tensor t = Tensor.arange(768, DType.F32).reshape(1, 1, 768);
        assertEquals(383.5, t.mean().item(), 0);
        assertEquals(49216.0, t.var(true, false).item(), 1e-2);
        float[] n = Targets.normPix(t).toFloatArray();
        assertEquals(-1.7286705f, n[0], 1e-6f);
        assertEquals(1.7286705f, n[767], 1e-6f);
        Var zero = Var.constant(Tensor.zeros(1, 1, 768));
        assertEquals(0.9986979, ReconstructionLoss.pixel(zero, Targets.normPix(t), LossType.L2).loss().item(), 1e-6);
    }

    @Test
    void patchifyIsYXChannel() {
        // image (1, 3, 4, 4) with value = 100·c + 10·y + x; patch 2 → patch (r, c) element (i·2 + j)·3 + ch
        float[] img = new float[48];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++) img[c * 16 + y * 4 + x] = 100 * c + 10 * y + x;
        Tensor p = Targets.patchify(Tensor.of(img, 1, 3, 4, 4), 2);
        assertEquals(100 * 2 + 10 * 3 + 2, p.get(0, 3, (1 * 2 + 0) * 3 + 2));  // patch (1,1), i=1, j=0, ch=2
        assertEquals(10 * 0 + 3, p.get(0, 1, (0 * 2 + 1) * 3));                  // patch (0,1), i=0, j=1, ch=0
    }

    @Test
    void featureLossIsTwoMinusTwoCos() {
        Tensor a = Tensor.of(new float[] {1, 0, 0, 2}, 1, 2, 2), b = Tensor.of(new float[] {0, 3, 0, 1}, 1, 2, 2);
        ReconstructionLoss.Result r = ReconstructionLoss.feature(Var.constant(a), b);
        assertEquals(2.0, r.lossMap().get(0, 0), 1e-6);    // orthogonal
        assertEquals(0.0, r.lossMap().get(0, 1), 1e-6);    // parallel
        assertEquals(1.0, r.loss().item(), 1e-6);
    }
}
