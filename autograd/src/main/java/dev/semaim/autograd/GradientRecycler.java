package dev.semaim.autograd;

import dev.semaim.tensor.Storage;
import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands the memory a backward pass is done with back to its backend ({@link Tensor#release}), so the next
 * allocation of the same size reuses it (on the CPU: no zeroing, no garbage to collect, nothing live for the
 * collector to copy). Two kinds of buffer go:
 *
 * <p><b>Gradients</b>, always. A node's incoming gradient is released after the node has run its backward, and
 * the gradients {@link Var#accumulate} consumed (a gradient replaced by a sum, one summed into another, one
 * reduced to its node's shape) after the node being run has finished, only when all of these hold:
 * <ul>
 *   <li>its storage was made during this pass (so no caller and no forward activation can hold it: a
 *       backward that passed a saved activation on as a gradient leaves it alone);</li>
 *   <li>no node of the pass, leaf or pending, holds a gradient on the same storage (gradients are shared
 *       between nodes, whole or as views: an add passes its gradient to both inputs);</li>
 *   <li>it has not been released already.</li>
 * </ul>
 *
 * <p><b>Activations</b>, only for {@link Var#backwardAndRelease}, whose caller promises to read no value of the
 * graph afterwards. A node's value is released once the pass has run the last node that holds its storage, as
 * its own value (views share their base's storage) or as an input its closure may read: in topological order
 * that is the node with the lowest index. Never released: the storage of a leaf (parameters, and inputs that
 * need a gradient), of a constant input a node captured (a detached value shares its origin's storage), of the
 * root or of a kept value, or one a pending gradient is on. Ops that return extra buffers they keep for their
 * backward (the attention probabilities) release them too, when {@link #releasingActivations()} says so. A
 * {@linkplain Var#temporary temporary} constant (a layer's own copy of its input) goes after the last node that
 * takes it has run, unless a value of the graph is on its storage.
 *
 * <p>Backward closures only read their node's value, its inputs' values and buffers they made themselves, and
 * pass results to {@code accumulate}; they keep nothing.
 */
final class GradientRecycler {
    private static final ThreadLocal<GradientRecycler> ACTIVE = new ThreadLocal<>();
    /** Marks a storage that is never released as an activation. */
    private static final int NEVER = -1;

    /** Storages with a serial above this were made during the pass. */
    private final long passStart = Storage.latestSerial();
    /** The pass's nodes in topological order, null once run (leaves stay). */
    private final List<Var> order;
    private final ArrayList<Tensor> dropped = new ArrayList<>();
    /** With activations released: storage -> the lowest order index of a node holding it, or NEVER; else null. */
    private final IdentityHashMap<Storage, Integer> lastUse;
    /** With activations released: the temporaries ({@link Var#temporary}) by the order index of their last reader. */
    private final Map<Integer, List<Tensor>> temporariesAfter = new HashMap<>();
    private final GradientRecycler outer;

    private GradientRecycler(List<Var> order, IdentityHashMap<Storage, Integer> lastUse) {
        this.order = order;
        this.lastUse = lastUse;
        this.outer = ACTIVE.get();
        ACTIVE.set(this);
    }

    /** Starts recycling gradients for a backward pass over {@code order} on this thread. */
    static GradientRecycler begin(List<Var> order) {
        return new GradientRecycler(order, null);
    }

    /**
     * Starts recycling gradients and activations for a backward pass over {@code order} from {@code root}; the
     * values of {@code keep} (and every value on their storages) stay.
     */
    static GradientRecycler beginReleasing(List<Var> order, Var root, Var... keep) {
        IdentityHashMap<Storage, Integer> lastUse = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.isLeaf()) {
                lastUse.put(v.data().storage(), NEVER);
                continue;
            }
            lastUse.merge(v.data().storage(), i, Math::min);
            for (Var in : v.inputs()) {
                // a constant input (not in the order) is never released: it may share a caller's storage
                lastUse.merge(in.data().storage(), in.requiresGrad() ? i : NEVER, Math::min);
            }
        }
        lastUse.put(root.data().storage(), NEVER);
        for (Var k : keep) if (k != null) lastUse.put(k.data().storage(), NEVER);
        GradientRecycler r = new GradientRecycler(order, lastUse);
        // a temporary goes after its last reader (the lowest index among the nodes that take it), unless a value of
        // the graph, the root or a kept value is on its storage
        Set<Storage> values = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        values.add(root.data().storage());
        for (Var k : keep) if (k != null) values.add(k.data().storage());
        IdentityHashMap<Storage, Integer> lastReader = new IdentityHashMap<>();
        IdentityHashMap<Storage, Tensor> temporaries = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            Var v = order.get(i);
            values.add(v.data().storage());
            if (v.isLeaf()) continue;
            for (Var in : v.inputs()) {
                if (!in.isTemporary()) continue;
                lastReader.merge(in.data().storage(), i, Math::min);
                temporaries.putIfAbsent(in.data().storage(), in.data());
            }
        }
        lastReader.forEach((s, i) -> {
            if (!values.contains(s)) r.temporariesAfter.computeIfAbsent(i, k -> new ArrayList<>()).add(temporaries.get(s));
        });
        return r;
    }

    /** Whether the backward pass running on this thread releases activations (ops may then release their own). */
    static boolean releasingActivations() {
        GradientRecycler r = ACTIVE.get();
        return r != null && r.lastUse != null;
    }

    /** Notes a gradient that {@link Var#accumulate} consumed; weighed after the current node has run. */
    static void replaced(Tensor grad) {
        GradientRecycler r = ACTIVE.get();
        if (r != null) r.dropped.add(grad);
    }

    /**
     * After the node at {@code index} of the order has run its backward (its gradient {@code gradOut}, null when
     * none reached it): releases that gradient, the replaced ones nobody holds and, when releasing activations,
     * the node's value if it was the last holder of its storage.
     */
    void afterNode(int index, Tensor value, Tensor gradOut) {
        if (gradOut != null) {
            releaseIfDead(gradOut);
            for (Tensor t : dropped) releaseIfDead(t);
            dropped.clear();
        }
        if (lastUse != null) {
            Storage s = value.storage();
            if (lastUse.getOrDefault(s, NEVER) == index && !gradientOn(s)) value.release();
            List<Tensor> done = temporariesAfter.remove(index);
            if (done != null) for (Tensor t : done) t.release();
        }
    }

    /** The pass's nodes in topological order. */
    List<Var> order() {
        return order;
    }

    void end() {
        ACTIVE.set(outer);
    }

    private void releaseIfDead(Tensor t) {
        Storage s = t.storage();
        if (s.serial() <= passStart || gradientOn(s)) return;
        t.release();
    }

    /** Whether a node of the pass, leaf or pending, holds a gradient on storage s. */
    private boolean gradientOn(Storage s) {
        for (Var v : order) {
            if (v != null && v.grad() != null && v.grad().storage() == s) return true;
        }
        return false;
    }
}
