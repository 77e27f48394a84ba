package dev.semaim.dist;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buckets, the average, parameters without a gradient, the all-reduces started inside the backward, and the agreement
 * check, against a pretend run of several processes.
 */
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

    private static Parameter weights(float... values) {
        return new Parameter(Tensor.of(values, values.length), Parameter.Kind.TRAINABLE);
    }

    /**
     * loss = probe(sum(a)) * sum(b) + sum(c) [+ sum(c) left out when {@code withC} is false]: the backward finishes
     * c, then b, then runs the probe (which records the all-reduces started so far), then finishes a.
     */
    private static Var loss(Parameter a, Parameter b, Parameter c, boolean withC, FakeCommunicator comm, List<List<Integer>> atProbe) {
        Var sumA = a.var().sum();
        Var y = Var.of("probe", sumA.data().copy(), g -> {
            atProbe.add(List.copyOf(comm.reduced));
            sumA.accumulate(g);
        }, sumA);
        Var z = y.mul(b.var().sum());
        return withC ? z.add(c.var().sum()) : z;
    }

    @Test
    void bucketsStartInOrderDuringTheLastMicroBatchsBackward() {
        FakeCommunicator comm = new FakeCommunicator(2);
        Parameter a = weights(1, 2, 3, 4), b = weights(1, 1, 1), c = weights(1, 1);
        // 8-byte buckets: [c], [b], [a]
        GradientAllReduce sync = new GradientAllReduce(comm, List.of(a, b, c), 8);
        List<List<Integer>> atProbe = new ArrayList<>();

        // micro-batch 1 of 2: nothing is reduced; micro-batch 2: c's and b's buckets start before the backward
        // reaches the probe, a's right after it, and the step only waits and unpacks
        sync.beforeBackward(false);
        loss(a, b, c, true, comm, atProbe).backwardAndRelease();
        sync.beforeBackward(true);
        loss(a, b, c, true, comm, atProbe).backwardAndRelease();
        assertEquals(List.of(List.of(), List.of(2, 3)), atProbe);
        assertEquals(List.of(2, 3, 4), comm.reduced);
        sync.beforeStep();
        assertEquals(List.of(2, 3, 4), comm.reduced);
        // every pretend rank holds the same gradients: the average is the two micro-batches' sum
        assertArrayEquals(new float[] {6, 6, 6, 6}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {20, 20, 20}, b.grad().toFloatArray());
        assertArrayEquals(new float[] {2, 2}, c.grad().toFloatArray());

        // c outside the graph: its bucket, first in order, cannot start, so b's and a's wait for the step too
        comm.reduced.clear();
        atProbe.clear();
        Stream.of(a, b, c).forEach(p -> p.var().zeroGrad());
        sync.beforeBackward(true);
        loss(a, b, c, false, comm, atProbe).backwardAndRelease();
        assertEquals(List.of(List.of()), atProbe);
        assertEquals(List.of(), comm.reduced);
        sync.beforeStep();
        assertEquals(List.of(2, 3, 4), comm.reduced);
        assertArrayEquals(new float[] {3, 3, 3, 3}, a.grad().toFloatArray());
        assertNull(c.grad(), "a parameter without a gradient keeps none");
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
