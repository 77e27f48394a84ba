package dev.semaim.dist;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buckets, the average, parameters without a gradient, the all-reduces started inside the backward, the buckets
 * rebuilt in the order of the first step's backward, and the agreement check, against a pretend run of several processes.
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

    /** sum(p) for each of {@code ps}, added up in that order: the backward finishes them in about the reverse order. */
    private static Var sumOfSums(Parameter... ps) {
        Var loss = ps[0].var().sum();
        for (int i = 1; i < ps.length; i++) loss = loss.add(ps[i].var().mul(i + 1.0).sum());
        return loss;
    }

    /** The positions (in {@code registered}) of the parameters in the order a backward of {@code loss} finishes them. */
    private static List<Integer> readyOrder(List<Parameter> registered, Supplier<Var> loss) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < registered.size(); i++) {
            int position = i;
            registered.get(i).var().onGradientReady(() -> order.add(position));
        }
        loss.get().backwardAndRelease();
        registered.forEach(p -> {
            p.var().onGradientReady(null);
            p.var().zeroGrad();
        });
        return order;
    }

    /** Each parameter exactly once in {@code layout}, of {@code n}. */
    private static void assertEveryParameterOnce(List<List<Integer>> layout, int n) {
        List<Integer> all = new ArrayList<>();
        layout.forEach(all::addAll);
        all.sort(null);
        assertEquals(IntStream.range(0, n).boxed().toList(), all, "each parameter in exactly one bucket: " + layout);
    }

    @Test
    void theFirstStepRebuildsTheBucketsInTheOrderItsBackwardFinishedTheGradients() {
        FakeCommunicator comm = new FakeCommunicator(2);
        // 1, 2, 1, 3, 2, 1 floats: an 8-byte bucket takes one or two parameters
        Parameter p0 = weights(1), p1 = weights(1, 1), p2 = weights(1), p3 = weights(1, 1, 1), p4 = weights(1, 1), unused = weights(1);
        List<Parameter> registered = List.of(p0, p1, p2, p3, p4, unused);
        Supplier<Var> loss = () -> sumOfSums(p3, p1, p4, p0, p2);
        assertEquals(List.of(2, 0, 4, 1, 3), readyOrder(registered, loss), "the graph finishes them out of registration order");

        GradientAllReduce sync = new GradientAllReduce(comm, registered, 8);
        // before the first step: reverse registration order
        assertEquals(List.of(List.of(5, 4), List.of(3), List.of(2, 1), List.of(0)), sync.layout());
        sync.beforeBackward(false); // an earlier micro-batch of the group is not recorded
        sumOfSums(p0, p1, p2, p3, p4).backwardAndRelease();
        sync.beforeBackward(true);
        loss.get().backwardAndRelease();
        sync.beforeStep();
        // rebuilt in the order the last backward finished them (broadcast from rank 0), the unused parameter last
        assertEquals(List.of(6), comm.broadcast);
        List<List<Integer>> rebuilt = List.of(List.of(2, 0), List.of(4), List.of(1), List.of(3), List.of(5));
        assertEquals(rebuilt, sync.layout());
        assertEveryParameterOnce(sync.layout(), 6);

        // the next step's buckets start in the backward in the new order, the unused one's at the step; the sums are the same
        comm.reduced.clear();
        registered.forEach(p -> p.var().zeroGrad());
        sync.beforeBackward(true);
        loss.get().backwardAndRelease();
        assertEquals(List.of(2, 2, 2, 3), comm.reduced);
        sync.beforeStep();
        assertEquals(List.of(2, 2, 2, 3, 1), comm.reduced);
        assertEquals(rebuilt, sync.layout(), "rebuilt once");
        assertEquals(List.of(6), comm.broadcast, "rebuilt once");
        assertArrayEquals(new float[] {2, 2}, p1.grad().toFloatArray()); // p1 is the second term: 2 sum(p1)
        assertArrayEquals(new float[] {4}, p0.grad().toFloatArray());
        assertNull(unused.grad());
    }

    @Test
    void everyProcessTakesRank0sOrder() {
        Parameter p0 = weights(1), p1 = weights(1, 1), p2 = weights(1);
        List<Parameter> registered = List.of(p0, p1, p2);
        FakeCommunicator rank1 = new FakeCommunicator(2);
        rank1.root = new float[] {1, 0, 2}; // rank 0 finished p1, then p0, then p2
        GradientAllReduce sync = new GradientAllReduce(rank1, registered, 4);
        sync.beforeBackward(true);
        sumOfSums(p0, p1, p2).backwardAndRelease(); // this process finishes p2, p1, p0
        sync.beforeStep();
        assertEquals(List.of(List.of(1), List.of(0), List.of(2)), sync.layout());

        // an order that is not one of the parameters (another model on rank 0) is an error, not a mismatched collective
        registered.forEach(p -> p.var().onGradientReady(null));
        rank1.root = new float[] {1, 1, 2};
        GradientAllReduce other = new GradientAllReduce(rank1, registered, 4);
        String e = assertThrows(IllegalStateException.class, other::beforeStep).getMessage();
        assertEquals("rank 0's order of the 3 gradients is not an order of them (position 1 holds 1.0): the processes train different parameters", e);
    }

    /**
     * The parameter registered first is finished first, so the reverse registration order puts it in the last bucket:
     * the first step's buckets wait for the whole backward, the rebuilt first bucket starts before its last node.
     */
    @Test
    void afterTheRebuildTheFirstBucketStartsBeforeTheBackwardsLastNode() {
        FakeCommunicator comm = new FakeCommunicator(2);
        Parameter early = weights(1, 1, 1), late = weights(1, 2, 3, 4);
        // 8-byte buckets in reverse registration order: [late], [early]
        GradientAllReduce sync = new GradientAllReduce(comm, List.of(early, late), 8);
        List<List<Integer>> atProbe = new ArrayList<>();
        // loss = probe(sum(late)) * sum(early): the backward finishes early, runs the probe, then finishes late
        Supplier<Var> loss = () -> {
            Var sumLate = late.var().sum();
            Var y = Var.of("probe", sumLate.data().copy(), g -> {
                atProbe.add(List.copyOf(comm.reduced));
                sumLate.accumulate(g);
            }, sumLate);
            return y.mul(early.var().sum());
        };
        sync.beforeBackward(true);
        loss.get().backwardAndRelease();
        sync.beforeStep();
        float[] first = early.grad().toFloatArray();
        Stream.of(early, late).forEach(p -> p.var().zeroGrad());
        comm.reduced.clear();
        sync.beforeBackward(true);
        loss.get().backwardAndRelease();
        sync.beforeStep();
        // step 1: early's bucket waited for late's, which the last node finishes; step 2: early's started at once
        assertEquals(List.of(List.of(), List.of(3)), atProbe);
        assertEquals(List.of(List.of(0), List.of(1)), sync.layout());
        assertArrayEquals(first, early.grad().toFloatArray());
        assertArrayEquals(new float[] {10, 10, 10}, first);
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
