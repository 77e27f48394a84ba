package dev.semaim.autograd;

import dev.semaim.tensor.Storage;
import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands the gradients a backward pass made back to their backend ({@link Tensor#release}) as soon as the pass
 * is done with them, so the next allocation of the same size reuses the memory (on the CPU: no zeroing, no
 * garbage to collect). About half of a training step's allocations are such intermediate gradients.
 *
 * <p>A gradient is released after the node that received it has run its backward, and a gradient replaced
 * by a sum in {@link Var#accumulate} after the node being run has finished, only when all of these hold:
 * <ul>
 *   <li>its storage was made during this pass (so no caller and no forward activation can hold it: a
 *       backward that passed a saved activation on as a gradient leaves it alone);</li>
 *   <li>no node of the pass, leaf or pending, holds a gradient on the same storage (gradients are shared
 *       between nodes, whole or as views: an add passes its gradient to both inputs);</li>
 *   <li>it has not been released already.</li>
 * </ul>
 * Backward closures only read their gradient and pass results to {@code accumulate}; they keep nothing.
 */
final class GradientRecycler {
    private static final ThreadLocal<GradientRecycler> ACTIVE = new ThreadLocal<>();

    /** Storages with a serial above this were made during the pass. */
    private final long passStart = Storage.latestSerial();
    /** The pass's nodes in topological order, null once run (leaves stay). */
    private final List<Var> order;
    private final ArrayList<Tensor> dropped = new ArrayList<>();
    private final GradientRecycler outer;

    private GradientRecycler(List<Var> order) {
        this.order = order;
        this.outer = ACTIVE.get();
        ACTIVE.set(this);
    }

    /** Starts recycling for a backward pass over {@code order} on this thread. */
    static GradientRecycler begin(List<Var> order) {
        return new GradientRecycler(order);
    }

    /** Notes a gradient that {@link Var#accumulate} replaced by a sum; weighed after the current node has run. */
    static void replaced(Tensor grad) {
        GradientRecycler r = ACTIVE.get();
        if (r != null) r.dropped.add(grad);
    }

    /** After a node's backward: releases its incoming gradient and the replaced ones nobody holds. */
    void afterNode(Tensor gradOut) {
        releaseIfDead(gradOut);
        for (Tensor t : dropped) releaseIfDead(t);
        dropped.clear();
    }

    void end() {
        ACTIVE.set(outer);
    }

    private void releaseIfDead(Tensor t) {
        Storage s = t.storage();
        if (s.serial() <= passStart) return;
        for (Var v : order) {
            if (v != null && v.grad() != null && v.grad().storage() == s) return;
        }
        t.release();
    }
}
