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
 * The backward pass's half of buffer ownership (the other half is {@link dev.semaim.tensor.TensorScope}): hands the
 * memory a backward pass is done with back to its backend ({@link Tensor#release}), so the next allocation of the
 * same size reuses it (on the CPU: no zeroing, no garbage to collect; on the GPU: the caching allocator's block back
 * at once). Two kinds of buffer go:
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
 * A leaf keeps a gradient only when {@link #exclusive} says nobody else holds it (else it keeps a copy), so a leaf's
 * gradient is its own and {@link Var#zeroGrad} may release it.
 *
 * <p><b>Activations</b>, only for {@link Var#backwardAndRelease}, whose caller promises to read no value of the
 * graph afterwards. A buffer a node holds (its value, views of which share the base's storage; an input's value its
 * closure may read; a buffer it {@linkplain Var#saved saved}) is released once the pass has run the last node that
 * holds it: in topological order that is the node with the lowest index. Never released: the storage of a leaf
 * (parameters, and inputs that need a gradient), of a constant input a node captured (a detached value shares its
 * origin's storage), of the root or of a kept value, or one a pending gradient is on. A
 * {@linkplain Var#temporary temporary} constant (a layer's own copy of its input) goes after the last node that
 * takes it has run, unless a value of the graph is on its storage.
 *
 * <p>Backward closures only read their node's value, its inputs' values and its saved buffers, and pass results to
 * {@code accumulate}; whatever else they make is released when they return (each runs in a scope of its own).
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
    /** With activations released: the buffers to release after the node of each order index has run. */
    private final Map<Integer, List<Tensor>> releaseAfter = new HashMap<>();
    private final GradientRecycler outer;
    /** The node whose backward runs now. */
    private Var running;

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
        IdentityHashMap<Storage, Tensor> holders = new IdentityHashMap<>(); // a tensor on each storage, to release it by
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.isLeaf()) {
                lastUse.put(v.data().storage(), NEVER);
                continue;
            }
            hold(lastUse, holders, v.data(), i);
            for (Var in : v.inputs()) {
                // a constant input (not in the order) is never released: it may share a caller's storage
                hold(lastUse, holders, in.data(), in.requiresGrad() ? i : NEVER);
            }
            Tensor[] saved = v.savedTensors();
            if (saved != null) for (Tensor t : saved) hold(lastUse, holders, t, i);
        }
        lastUse.put(root.data().storage(), NEVER);
        for (Var k : keep) if (k != null) lastUse.put(k.data().storage(), NEVER);
        GradientRecycler r = new GradientRecycler(order, lastUse);
        lastUse.forEach((s, i) -> {
            if (i != NEVER) r.releaseAfter.computeIfAbsent(i, k -> new ArrayList<>()).add(holders.get(s));
        });
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
            if (!values.contains(s)) r.releaseAfter.computeIfAbsent(i, k -> new ArrayList<>()).add(temporaries.get(s));
        });
        return r;
    }

    /** Notes that the node at order index i (NEVER: nobody may release it) holds t's storage. */
    private static void hold(IdentityHashMap<Storage, Integer> lastUse, IdentityHashMap<Storage, Tensor> holders, Tensor t, int i) {
        lastUse.merge(t.storage(), i, (a, b) -> a == NEVER || b == NEVER ? NEVER : Math.min(a, b));
        holders.putIfAbsent(t.storage(), t);
    }

    /** Whether a backward pass runs on this thread. */
    static boolean active() {
        return ACTIVE.get() != null;
    }

    /**
     * Whether leaf may keep g as its own gradient: the running pass made g's storage, no other node of the pass
     * holds a gradient on it (an add hands one gradient to both inputs; the second leaf then keeps a copy) and no
     * node holds it as an activation.
     */
    static boolean exclusive(Tensor g, Var leaf) {
        GradientRecycler r = ACTIVE.get();
        Storage s = g.storage();
        if (r == null || s.serial() <= r.passStart) return false;
        for (Var v : r.order) {
            // the running node's own gradient may pass on whole: afterNode sees the leaf holding it
            if (v != null && v != leaf && v != r.running && v.grad() != null && v.grad().storage() == s) return false;
        }
        return r.lastUse == null || !r.lastUse.containsKey(s);
    }

    /** Notes that the node v runs its backward now. */
    void running(Var v) {
        running = v;
    }

    /** Notes a gradient that {@link Var#accumulate} consumed; weighed after the current node has run. */
    static void replaced(Tensor grad) {
        GradientRecycler r = ACTIVE.get();
        if (r != null) r.dropped.add(grad);
    }

    /**
     * After the node at {@code index} of the order has run its backward (its gradient {@code gradOut}, null when
     * none reached it): releases that gradient, the replaced ones nobody holds and, when releasing activations,
     * the buffers whose last holder that node was.
     */
    void afterNode(int index, Tensor gradOut) {
        if (gradOut != null) {
            releaseIfDead(gradOut);
            for (Tensor t : dropped) releaseIfDead(t);
            dropped.clear();
        }
        List<Tensor> done = releaseAfter.remove(index);
        if (done != null) for (Tensor t : done) if (!gradientOn(t.storage())) t.release();
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
