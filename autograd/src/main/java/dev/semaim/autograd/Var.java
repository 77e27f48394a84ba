package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A node of the reverse-mode graph: a value, its gradient, and how to pass a gradient to the inputs
 * it was computed from. Ops live in their own classes ({@link Arithmetic}, {@link Reductions}, ...)
 * with forward and backward side by side; this class holds the node and the backward pass, plus
 * fluent shortcuts to the ops.
 *
 * <p>Tensors are treated as immutable: gradients accumulate by creating new tensors, so a gradient
 * tensor can be shared between nodes safely.
 */
public final class Var {
    /** Passes the gradient of this node's output to its inputs (via {@link #accumulate}). */
    @FunctionalInterface
    public interface Backward {
        void apply(Tensor gradOut);
    }

    private Tensor data;
    private Tensor grad;
    /** Whether {@link #grad} is this leaf's own buffer (nothing else holds it), which {@link #zeroGrad} releases. */
    private boolean ownsGrad;
    private final boolean requiresGrad;
    private final String op;
    private Var[] inputs;
    /** Buffers the backward reads besides the node's value and its inputs' values (null when none). */
    private Tensor[] saved;
    private Backward backward;
    /** Set once a backward pass has gone through this op node and dropped its inputs and closure. */
    private boolean released;
    /** A leaf's {@link #onGradientReady} hook, or null. */
    private Runnable gradientReady;
    /** During a backward pass, for a hooked leaf: the reads of it by op nodes that have not passed their gradient on yet. */
    private int pendingReads;

    private Var(Tensor data, boolean requiresGrad, String op, Var[] inputs, Backward backward) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** A graph leaf: a constant, or a trainable tensor when requiresGrad. */
    public static Var leaf(Tensor data, boolean requiresGrad) {
        return new Var(data, requiresGrad, "leaf", null, null);
    }

    public static Var constant(Tensor data) {
        return leaf(data, false);
    }

    /** The op name of {@link #temporary} leaves. */
    private static final String TEMPORARY = "temporary";

    /**
     * A constant the graph owns: a buffer its maker made for this graph alone (a layer's copy of its input in the
     * layout its product wants), which {@link #backwardAndRelease} hands back once the last op reading it has run.
     * The maker promises that nothing else reads it after the backward.
     */
    public static Var temporary(Tensor data) {
        return new Var(data, false, TEMPORARY, null, null);
    }

    /** Whether this is a {@link #temporary} constant. */
    boolean isTemporary() { return op == TEMPORARY; }

    /**
     * The result of an op. Records the graph only when grad mode is on and some input needs a
     * gradient; in anomaly mode the value is checked for NaN/Inf first.
     */
    public static Var of(String op, Tensor value, Backward backward, Var... inputs) {
        return of(op, value, null, backward, inputs);
    }

    /** Tensors a backward reads besides its node's value and its inputs' values: see {@link #of(String, Tensor, Saved, Backward, Var...)}. */
    public record Saved(Tensor... tensors) {}

    /** The buffers an op's backward reads besides its value and its inputs' values. */
    public static Saved saved(Tensor... tensors) {
        return new Saved(tensors);
    }

    /**
     * The result of an op whose backward also reads {@code saved} (a copy it made, statistics, attention
     * probabilities, an index; may be null), as PyTorch's {@code save_for_backward}. A recorded node holds its value,
     * its inputs' values and its saved buffers ({@link TensorScope#hold}): no scope releases them, and a releasing
     * backward releases each after the last node that reads it.
     */
    public static Var of(String op, Tensor value, Saved saved, Backward backward, Var... inputs) {
        if (GradMode.anomalyMode()) Anomaly.check(op, "forward", value);
        if (!needsGrad(inputs)) return new Var(value, false, op, null, null);
        Var node = new Var(value, true, op, inputs, backward);
        TensorScope.hold(value);
        for (Var in : inputs) TensorScope.hold(in.data);
        if (saved != null) {
            node.saved = saved.tensors().clone();
            for (Tensor t : node.saved) TensorScope.hold(t);
        }
        return node;
    }

    /** Whether an op on these inputs records a graph: gradients are on and one of them requires a gradient. */
    static boolean needsGrad(Var... inputs) {
        boolean needs = false;
        if (GradMode.isEnabled()) for (Var v : inputs) needs |= v.requiresGrad;
        return needs;
    }

    public Tensor data() { return data; }

    /** The accumulated gradient, or null when none has reached this node. */
    public Tensor grad() { return grad; }

    public boolean requiresGrad() { return requiresGrad; }

    public boolean isLeaf() { return inputs == null; }

    public String op() { return op; }

    public int[] shape() { return data.shape(); }

    public int size(int axis) { return data.size(axis); }

    public int rank() { return data.rank(); }

    public DType dtype() { return data.dtype(); }

    public double item() { return data.item(); }

    /** The same value cut from the graph. */
    public Var detach() { return constant(data); }

    /**
     * Replaces a leaf's value (optimisers, weight loading, EMA); shape must be kept. The leaf adopts the value: no
     * {@link TensorScope} releases it.
     */
    public void setData(Tensor value) {
        if (!isLeaf()) throw new IllegalStateException("setData on a non-leaf (" + op + ")");
        if (!value.sameShape(data))
            throw new IllegalArgumentException("setData: shape " + Shape.str(value.shape()) + " differs from " + Shape.str(data.shape()));
        data = TensorScope.detach(value);
    }

    /** Sets the gradient to a tensor the caller keeps owning. */
    public void setGrad(Tensor g) {
        dropGrad();
        grad = g;
    }

    /** Drops the gradient; a gradient buffer this leaf owns (one a backward pass made for it) goes back to its backend. */
    public void zeroGrad() { dropGrad(); }

    private void dropGrad() {
        if (ownsGrad) grad.release();
        grad = null;
        ownsGrad = false;
    }

    /**
     * Adds g (broadcast-reduced to this node's shape) to the gradient. A leaf owns what it keeps (AccumulateGrad's
     * rule): it takes a buffer the running backward pass made and nobody else holds, else a copy, and it leaves every
     * scope, so the gradient lives until {@link #zeroGrad} (across micro-batches of an accumulation group).
     */
    public void accumulate(Tensor g) {
        if (!requiresGrad) return;
        Tensor r = sumTo(g, data.shape());
        if (r.dtype() != data.dtype()) r = r.to(data.dtype());
        if (r != g) GradientRecycler.replaced(g); // r, a reduction or conversion of g, takes its place
        boolean leafInPass = isLeaf() && GradientRecycler.active();
        if (grad == null) {
            grad = r;
            if (leafInPass) adopt(GradientRecycler.exclusive(r, this) ? r : r.copy());
            return;
        }
        Tensor old = grad;
        boolean ownedOld = ownsGrad;
        grad = grad.add(r);
        GradientRecycler.replaced(r); // summed in
        if (leafInPass && ownedOld) old.release();
        else GradientRecycler.replaced(old);
        if (leafInPass) adopt(grad);
    }

    /** The leaf's own gradient buffer from now on. */
    private void adopt(Tensor g) {
        grad = TensorScope.detach(g);
        ownsGrad = true;
    }

    /**
     * Sets the hook called when this leaf's gradient for a backward pass is final, PyTorch's
     * {@code register_post_accumulate_grad_hook}: right after the last op node of the pass that reads the leaf has
     * passed its gradient on (a leaf read by several ops, or twice by one, waits for all of them), before the pass goes
     * on to the next node. Data-parallel training starts a gradient bucket's all-reduce there, while the backward
     * carries on. Called once in every pass whose graph reaches the leaf (also when no gradient arrived: the gradient
     * is then what it was before the pass), on the backward's thread, with gradients off; gradients accumulated over
     * several passes are final for the pass, not for the accumulation group. One hook a leaf; null removes it.
     */
    public void onGradientReady(Runnable hook) {
        if (!isLeaf() || released || !requiresGrad)
            throw new IllegalStateException("onGradientReady: only a leaf that requires a gradient has one, not " + this);
        gradientReady = hook;
    }

    /** Counts, for every hooked leaf the pass reaches, the op nodes' reads of it ({@link #pendingReads}). */
    private static void countHookedReads(List<Var> order) {
        for (Var v : order) if (v.inputs != null) for (Var in : v.inputs) in.pendingReads = 0;
        for (Var v : order) if (v.inputs != null) for (Var in : v.inputs) if (in.gradientReady != null) in.pendingReads++;
    }

    /** Op node {@code v} has passed its gradient on: a hooked input it read for the last time is ready. */
    private static void readsDone(Var v) {
        for (Var in : v.inputs) if (in.gradientReady != null && --in.pendingReads == 0) in.gradientReady.run();
    }

    /** Sums g over the axes along which a tensor of {@code shape} was broadcast to g's shape. */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (java.util.Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.length; i++)
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.add(i);
        int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
        Tensor s = ax.length == 0 ? g : g.sum(true, ax);
        return s.reshape(shape);
    }

    /** Backward from a scalar: d(this)/d(this) = 1. */
    public void backward() {
        backward(scalarSeed());
    }

    /**
     * Reverse pass from this node with the given output gradient: every node that needs a gradient
     * receives it in topological order; afterwards the graph is released (a second backward through
     * the same nodes is an error).
     */
    public void backward(Tensor gradOut) {
        run(gradOut, GradientRecycler.begin(topologicalOrderChecked(gradOut)));
    }

    /**
     * {@link #backward()} that also hands the graph's activations back to their backend as soon as the pass is
     * done with them ({@link GradientRecycler}), so the next forward reuses their memory. The caller promises to
     * read no value of the graph afterwards (nor the attention probabilities its ops returned) except this one's
     * and those of {@code keep}; parameters, inputs and other leaves are never released. Training loops that only
     * read the loss use it.
     */
    public void backwardAndRelease(Var... keep) {
        Tensor seed = scalarSeed();
        List<Var> order = topologicalOrderChecked(seed);
        run(seed, GradientRecycler.beginReleasing(order, this, keep));
    }

    private Tensor scalarSeed() {
        if (data.numel() != 1)
            throw new IllegalStateException("backward() needs a scalar, got shape " + Shape.str(data.shape()) + "; pass an output gradient");
        return Tensor.full(1, data.dtype(), data.backend(), data.shape());
    }

    private List<Var> topologicalOrderChecked(Tensor gradOut) {
        if (!requiresGrad) throw new IllegalStateException("backward: this value does not require a gradient (op " + op + ")");
        if (!gradOut.sameShape(data))
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(gradOut.shape()) + " differs from output " + Shape.str(data.shape()));
        return topologicalOrder();
    }

    private void run(Tensor gradOut, GradientRecycler recycler) {
        List<Var> order = recycler.order();
        accumulate(gradOut);
        countHookedReads(order);
        try (GradMode.Scope s = GradMode.noGrad()) {
            if (isLeaf() && gradientReady != null) gradientReady.run(); // a leaf backward from itself: no op reads it
            for (int i = order.size() - 1; i >= 0; i--) {
                Var v = order.get(i);
                if (v.released)
                    throw new IllegalStateException("backward through " + v.op + " twice: the graph was released by the first backward");
                if (v.isLeaf()) continue;
                Tensor g = v.grad;
                if (g != null) {
                    // the closure's own temporaries go when it returns; what it passed on as gradients stays
                    recycler.running(v);
                    try (TensorScope scope = TensorScope.open()) {
                        v.backward.apply(g);
                        for (Var in : v.inputs) scope.keep(in.grad);
                    }
                    if (GradMode.anomalyMode()) for (Var in : v.inputs) if (in.grad != null) Anomaly.check(v.op, "backward", in.grad);
                }
                readsDone(v);
                // release: intermediate gradients and closures (which hold activations) go, and the order
                // list lets go of the node, so its value is garbage as soon as no caller holds the node
                v.grad = null;
                v.backward = null;
                v.inputs = null;
                v.saved = null;
                v.released = true;
                order.set(i, null);
                recycler.afterNode(i, g);
            }
        } finally {
            recycler.end();
        }
    }

    /** The inputs of an op node that has not been through a backward yet (null for a leaf). */
    Var[] inputs() { return inputs; }

    /** The buffers an op node's backward reads besides values (null when none). */
    Tensor[] savedTensors() { return saved; }

    private List<Var> topologicalOrder() {
        List<Var> order = new ArrayList<>();
        Set<Var> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Var v = (Var) top[0];
            int next = (Integer) top[1];
            if (v.inputs != null && next < v.inputs.length) {
                top[1] = next + 1;
                Var in = v.inputs[next];
                if (in.requiresGrad && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "Var(" + op + ", " + data + (requiresGrad ? ", requires grad" : "") + ")";
    }

    // ------------------------------------------------------------ fluent shortcuts to the ops

    public Var add(Var o) { return Arithmetic.add(this, o); }
    public Var sub(Var o) { return Arithmetic.sub(this, o); }
    public Var mul(Var o) { return Arithmetic.mul(this, o); }
    public Var div(Var o) { return Arithmetic.div(this, o); }
    public Var add(double c) { return Arithmetic.addScalar(this, c); }
    public Var mul(double c) { return Arithmetic.mulScalar(this, c); }
    public Var neg() { return Arithmetic.mulScalar(this, -1); }
    public Var pow(double p) { return Arithmetic.pow(this, p); }
    public Var exp() { return Elementwise.exp(this); }
    public Var log() { return Elementwise.log(this); }
    public Var sqrt() { return Elementwise.sqrt(this); }
    public Var rsqrt() { return Elementwise.rsqrt(this); }
    public Var abs() { return Elementwise.abs(this); }
    public Var tanh() { return Elementwise.tanh(this); }
    public Var erf() { return Elementwise.erf(this); }
    public Var gelu() { return Elementwise.gelu(this); }
    public Var relu() { return Elementwise.relu(this); }
    public Var square() { return Elementwise.square(this); }
    public Var clamp(double lo, double hi) { return Elementwise.clamp(this, lo, hi); }
    public Var sum(boolean keepdim, int... axes) { return Reductions.sum(this, keepdim, axes); }
    public Var sum() { return Reductions.sum(this, false); }
    public Var mean(boolean keepdim, int... axes) { return Reductions.mean(this, keepdim, axes); }
    public Var mean() { return Reductions.mean(this, false); }
    public Var var(boolean unbiased, boolean keepdim, int... axes) { return Reductions.var(this, unbiased, keepdim, axes); }
    public Var max(boolean keepdim, int axis) { return Reductions.max(this, keepdim, axis); }
    public Var norm(boolean keepdim, int... axes) { return Reductions.norm(this, keepdim, axes); }
    public Var matmul(Var o) { return LinearAlgebra.matmul(this, o); }
    public Var softmax(int axis) { return Softmax.softmax(this, axis); }
    public Var logSoftmax(int axis) { return Softmax.logSoftmax(this, axis); }
    public Var reshape(int... shape) { return ShapeOps.reshape(this, shape); }
    public Var permute(int... axes) { return ShapeOps.permute(this, axes); }
    public Var transpose(int a, int b) { return ShapeOps.transpose(this, a, b); }
    public Var narrow(int axis, int start, int length) { return ShapeOps.narrow(this, axis, start, length); }
    public Var select(int axis, int index) { return ShapeOps.select(this, axis, index); }
    public Var expand(int... shape) { return ShapeOps.expand(this, shape); }
    public Var unsqueeze(int axis) { return ShapeOps.unsqueeze(this, axis); }
    public Var squeeze(int axis) { return ShapeOps.squeeze(this, axis); }
    public Var contiguous() { return ShapeOps.contiguous(this); }
}
