package dev.semaim.dist;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buckets, the average, parameters without a gradient, and the agreement check, against a pretend run of 4 processes. */
class GradientAllReduceTest {
    private static Parameter parameter(float... grad) {
        Parameter p = new Parameter(Tensor.zeros(DType.F32, grad.length), Parameter.Kind.TRAINABLE);
        if (grad.length > 0 && !Float.isNaN(grad[0])) p.var().setGrad(Tensor.of(grad, grad.length));
        return p;
    }

    @Test
    void gradientsAreAveragedInBucketsInReverseOrder() {
        FakeCommunicator comm = new FakeCommunicator(4);
        Parameter a = parameter(1, 2, 3), b = parameter(Float.NaN, 0), c = parameter(4, 5), d = parameter(6);
        // 12-byte buckets: d + c (12 bytes), then b + a (20 bytes)
        GradientAllReduce sync = new GradientAllReduce(comm, List.of(a, b, c, d), 12);
        assertEquals(2, sync.buckets());
        sync.beforeStep();
        assertEquals(List.of(3, 5), comm.reduced);
        // every rank holds the same gradient here, so the average is the gradient itself
        assertArrayEquals(new float[] {1, 2, 3}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {4, 5}, c.grad().toFloatArray());
        assertArrayEquals(new float[] {6}, d.grad().toFloatArray());
        assertNull(b.grad(), "a parameter without a gradient keeps none");
        assertEquals(2.5, sync.loss(2.5), 1e-6); // the mean of 4 equal losses
    }

    @Test
    void ranksThatDisagreeAreNamed() {
        FakeCommunicator comm = new FakeCommunicator(3);
        Map<String, String> facts = Map.of("--batch_size", "8");
        RankAgreement.check(comm, facts); // the others hold the same
        int h = "--batch_size=16".hashCode();
        comm.othersGathered = new float[][] {{1, h >>> 16, h & 0xFFFF}, {1, h >>> 16, h & 0xFFFF}};
        String e = assertThrows(IllegalArgumentException.class, () -> RankAgreement.check(comm, facts)).getMessage();
        assertEquals("the processes of the run disagree with rank 0 on --batch_size (rank 1), --batch_size (rank 2); rank 0 has "
                + "--batch_size 8: every process must get the same flags, data and checkpoint", e);
        comm.othersGathered = new float[][] {{2, 0, 0, 0, 0}, {2, 0, 0, 0, 0}};
        e = assertThrows(IllegalArgumentException.class, () -> RankAgreement.check(comm, facts)).getMessage();
        assertTrue(e.contains("rank 1 runs another version of semaim"), e);
    }
}
