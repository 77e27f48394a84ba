package dev.semaim.tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An arena for the buffers a piece of code makes: every storage allocated on this thread while the scope is the
 * innermost open one ({@link Tensor#empty}, {@link Tensor#of}) belongs to it (as does one it {@linkplain #adopt adopts}),
 * and {@link #close} hands each one back to its backend ({@link Backend#release}) unless it was
 * <ul>
 *   <li><b>kept</b> ({@link #keep}): a result the code returns; it moves to the enclosing scope (with none, to the
 *       garbage collector);</li>
 *   <li><b>held</b> ({@link #hold}): a buffer a graph node may still read in its backward (its value, its inputs'
 *       values, what it saved); it moves to the enclosing scope still held, and no scope ever releases it: the
 *       backward pass that reads it last does ({@code Var.backwardAndRelease}), or the collector;</li>
 *   <li><b>detached</b> ({@link #detach}): adopted by a long-lived owner (a parameter's value, an optimizer's
 *       moments, a leaf's gradient); it leaves every scope.</li>
 * </ul>
 * Scopes nest (try-with-resources), per thread; a thread with no open scope tracks nothing, so code that never opens
 * one (a data loader thread, a test) leaves every buffer to the collector, as a plain JVM program would.
 *
 * <pre>
 *   training step scope ──────────────────────────────────────────────────────────── close: masks, targets, ...
 *     order pass scope ── close: every block's activations; keeps the map
 *     block scope ── close: qkv copies, GELU buffer, ...; keeps the output; graph-held values pass up
 *     backward node scope ── close: the closure's temporaries; keeps the inputs' gradients
 * </pre>
 *
 * <p>Releasing a storage twice is harmless (a backend takes each storage back once), so a buffer the backward pass
 * already released is simply skipped at close. Poison mode ({@code -Dsemaim.pool.poison=true}) turns a buffer that was
 * released too early into NaN wherever it is read.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    /**
     * The storages this scope owns → whether a graph holds them, in allocation order: close releases them in that
     * order, so the pool (last in, first out) hands the most recently used buffer out first, and a run releases the
     * same way every time. (Storages compare by identity.)
     */
    private final LinkedHashMap<Storage, Boolean> owned = new LinkedHashMap<>();
    private final IdentityHashMap<Storage, Boolean> kept = new IdentityHashMap<>();
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in this thread's current one; close it with try-with-resources. */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Runs {@code body} in a scope of its own and returns its result, which outlives the scope (as {@link #keep}). */
    public static Tensor returning(Supplier<Tensor> body) {
        try (TensorScope s = open()) {
            return s.keep(body.get());
        }
    }

    /** Whether this thread has an open scope. */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    /** A new storage belongs to the innermost open scope (called by {@link Tensor}'s allocating factories). */
    static void track(Storage s) {
        TensorScope c = CURRENT.get();
        if (c != null) c.owned.put(s, Boolean.FALSE);
    }

    /** Keeps {@code t}'s storage past this scope's close (a view keeps its whole storage); returns t. Null is fine. */
    public Tensor keep(Tensor t) {
        if (t != null) kept.put(t.storage(), Boolean.TRUE);
        return t;
    }

    /** {@link #keep(Tensor)} on each. */
    public void keep(Tensor... ts) {
        for (Tensor t : ts) keep(t);
    }

    /**
     * Makes {@code t}'s storage this scope's to end: the state a loop step replaces (a chain of blocks without
     * gradients hands each block's output to the next, and the old one is dead once read). It moves here from the open
     * scope that owns it, held or not (a held storage stays held); a storage no open scope owns is left alone.
     * Returns t.
     */
    public Tensor adopt(Tensor t) {
        Storage s = t.storage();
        for (TensorScope c = parent; c != null; c = c.parent) {
            Boolean held = c.owned.remove(s);
            if (held != null) {
                owned.put(s, held);
                break;
            }
        }
        return t;
    }

    /**
     * Marks {@code t}'s storage as read by a graph node: no scope releases it (see the class comment). Called by the
     * autograd graph when it records a node; a storage that no open scope owns is left alone.
     */
    public static void hold(Tensor t) {
        Storage s = t.storage();
        for (TensorScope c = CURRENT.get(); c != null; c = c.parent) {
            if (c.owned.containsKey(s)) {
                c.owned.put(s, Boolean.TRUE);
                return;
            }
        }
    }

    /**
     * Takes {@code t}'s storage out of every open scope: a long-lived owner (a parameter, an optimizer's state, a
     * leaf's gradient) adopts it, and only that owner or the collector ends it. Returns t.
     */
    public static Tensor detach(Tensor t) {
        Storage s = t.storage();
        for (TensorScope c = CURRENT.get(); c != null; c = c.parent) {
            if (c.owned.remove(s) != null) break;
        }
        return t;
    }

    /**
     * Releases every storage this scope owns except the kept and the held ones, which move to the enclosing scope.
     * Scopes close innermost first.
     */
    @Override
    public void close() {
        if (closed) return;
        if (CURRENT.get() != this)
            throw new IllegalStateException("TensorScope closed while a scope opened inside it is still open (close scopes innermost first)");
        closed = true;
        CURRENT.set(parent);
        List<Storage> dead = new ArrayList<>(owned.size());
        for (Map.Entry<Storage, Boolean> e : owned.entrySet()) {
            Storage s = e.getKey();
            boolean held = e.getValue();
            if (held || kept.containsKey(s)) {
                if (parent != null) parent.owned.merge(s, held, Boolean::logicalOr);
            } else {
                dead.add(s);
            }
        }
        owned.clear();
        kept.clear();
        for (Storage s : dead) s.backend().release(s);
    }
}
