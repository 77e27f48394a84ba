package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.layers.ModuleGradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchNorm1dTest {
    @Test
    void trainModeUsesBatchStatisticsAndUpdatesRunningOnes() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-6);
        // column 0: 1, 2, 3, 6 -> mean 3, biased var 3.5, unbiased 14/3; column 1: constant 5 -> var 0
        Var x = Var.constant(Tensor.of(new float[] {1, 5, 2, 5, 3, 5, 6, 5}, 4, 2));
        float[] y = bn.forward(x).data().toFloatArray();
        double s = 1 / Math.sqrt(3.5 + 1e-6);
        assertArrayEquals(new float[] {(float) (-2 * s), 0, (float) (-s), 0, 0, 0, (float) (3 * s), 0}, y, 1e-5f);
        assertArrayEquals(new float[] {0.3f, 0.5f}, bn.runningMean.data().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) (0.9 + 0.1 * 14 / 3.0), 0.9f}, bn.runningVar.data().toFloatArray(), 1e-6f);
        assertEquals(1, bn.numBatchesTracked.data().item());

        bn.eval();
        float[] e = bn.forward(Var.constant(Tensor.of(new float[] {1.3f, 0.5f}, 1, 2))).data().toFloatArray();
        assertEquals((1.3 - 0.3) / Math.sqrt(0.9 + 0.1 * 14 / 3.0 + 1e-6), e[0], 1e-5);
        assertEquals(0, e[1], 1e-6);
        assertEquals(1, bn.numBatchesTracked.data().item(), "eval mode leaves the statistics alone");
    }

    @Test
    void gradientMatchesFiniteDifferencesInFloat64() {
        for (long seed = 1; seed <= 3; seed++) {
            Gen gen = new Gen(seed);
            int b = gen.nextInt(2, 6), d = gen.nextInt(1, 5);
            BatchNorm1d bn = new BatchNorm1d(d, 1e-5);
            ModuleGradCheck.toF64(bn);
            Var x = Var.leaf(gen.uniform(DType.F64, new int[] {d, b}, -2, 2).transpose(0, 1), true); // non-contiguous (B, D)
            ModuleGradCheck.check("BatchNorm1d " + b + "x" + d, gen, () -> bn.forward(x), Map.of("x", x), 12);
        }
    }

    @Test
    void rejectsWrongWidthsAndSingleSampleBatches() {
        BatchNorm1d bn = new BatchNorm1d(3, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Var.constant(Tensor.zeros(4, 2))));
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Var.constant(Tensor.zeros(1, 3))));
    }

    @Test
    void probeModelHasTheReferenceKeysAndTrainsOnlyTheHead() {
        VisionTransformer vit = new VisionTransformer(8, 4, 1, 8, 1, 2, 4.0, 0, false, 0, new Rng(1));
        LinearProbeModel m = new LinearProbeModel(vit, new LinearProbeHead(8, 3, new Rng(2)));
        List<String> keys = List.copyOf(m.namedParameters().keySet());
        assertEquals("cls_token", keys.get(0));
        assertEquals(List.of("norm.weight", "norm.bias", "head.0.running_mean", "head.0.running_var", "head.0.num_batches_tracked",
                "head.1.weight", "head.1.bias"), keys.subList(keys.size() - 7, keys.size()));
        assertEquals(List.of("head.1.weight", "head.1.bias"), List.copyOf(m.trainableParameters().keySet()));
        assertEquals(0, m.head.linear.bias.data().abs().sum().item());
        double maxAbs = m.head.linear.weight.data().abs().max(false, 0).max(false, 0).item();
        assertEquals(true, maxAbs > 0 && maxAbs < 0.05, "trunc-normal std 0.01: " + maxAbs);
        assertThrows(IllegalArgumentException.class, () -> new LinearProbeModel(
                new VisionTransformer(8, 4, 1, 8, 1, 2, 4.0, 3, false, 0, new Rng(1)), new LinearProbeHead(8, 3, new Rng(2))));
    }
}
