package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every optimiser here shares: the groups, the per-parameter state (an update count and named
 * buffers of the parameter's shape, created as zeros on first use), the step loop that skips
 * parameters without a gradient, and checkpointing of that state by parameter name.
 */
abstract class GroupedOptimizer implements Optimizer {
    private static final String STEP = "step";

    private final List<ParamGroup> groups;
    private final List<String> slots;
    /** Parameter name → (param, group); in group order. */
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final Map<String, long[]> steps = new HashMap<>();
    private final Map<String, Map<String, Tensor>> buffers = new HashMap<>();

    /** {@code slots}: the names of the per-parameter buffers the subclass keeps. */
    GroupedOptimizer(List<ParamGroup> groups, String... slots) {
        if (groups.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter groups");
        Map<Parameter, String> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (int i = 0; i < g.params().size(); i++) {
                String name = g.paramNames().get(i);
                Parameter p = g.params().get(i);
                String before = seen.put(p, name);
                if (before != null)
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name + "' (group '" + g.name()
                            + "') is already optimised as '" + before + "'");
                if (byName.put(name, p) != null)
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": two parameters are named '" + name + "'");
            }
        }
        this.groups = List.copyOf(groups);
        this.slots = List.of(slots);
    }

    /**
     * Updates one parameter whose update count has just been incremented to {@code step}.
     * {@code grad} has the parameter's shape, dtype and backend; {@code state} holds the slots.
     */
    abstract void update(Parameter p, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay);

    @Override public void step(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate " + lr);
        for (ParamGroup g : groups) {
            for (int i = 0; i < g.params().size(); i++) {
                Parameter p = g.params().get(i);
                Tensor grad = p.grad();
                if (grad == null) continue;
                String name = g.paramNames().get(i);
                Tensor data = p.data();
                if (!grad.sameShape(data))
                    throw new IllegalStateException(name + ": gradient " + Shape.str(grad.shape()) + " does not match parameter " + Shape.str(data.shape()));
                if (grad.backend() != data.backend())
                    throw new IllegalStateException(name + ": gradient on " + grad.backend().name() + ", parameter on " + data.backend().name());
                long[] count = steps.computeIfAbsent(name, k -> new long[1]);
                count[0]++;
                update(p, grad.to(data.dtype()), buffers(name, data), count[0], lr * g.lrScale(), g.weightDecay());
            }
        }
    }

    /** The state of a parameter, made on its first update (in a training step's scope, which must not end it). */
    private Map<String, Tensor> buffers(String name, Tensor like) {
        return buffers.computeIfAbsent(name, k -> {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (String s : slots) m.put(s, TensorScope.detach(Tensor.full(0, like.dtype(), like.backend(), like.shape())));
            return m;
        });
    }

    @Override public void zeroGrad() {
        for (Parameter p : byName.values()) p.var().zeroGrad();
    }

    @Override public List<ParamGroup> groups() { return groups; }

    @Override public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : byName.keySet()) {
            long[] count = steps.get(name);
            if (count == null) continue;
            out.put(name + "." + STEP, Tensor.of(new long[] {count[0]}));
            buffers.get(name).forEach((slot, t) -> out.put(name + "." + slot, t));
        }
        return out;
    }

    @Override public void loadState(Map<String, Tensor> state) {
        String who = getClass().getSimpleName() + ".loadState: ";
        Map<String, Map<String, Tensor>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            String name = dot < 0 ? "" : key.substring(0, dot), slot = key.substring(dot + 1);
            if (!byName.containsKey(name)) throw new IllegalArgumentException(who + "key '" + key + "' names no optimised parameter");
            if (!slot.equals(STEP) && !slots.contains(slot))
                throw new IllegalArgumentException(who + "key '" + key + "': unknown slot '" + slot + "' (expected " + STEP + " or " + slots + ")");
            grouped.computeIfAbsent(name, k -> new HashMap<>()).put(slot, e.getValue());
        }
        Map<String, long[]> newSteps = new HashMap<>();
        Map<String, Map<String, Tensor>> newBuffers = new HashMap<>();
        for (Map.Entry<String, Map<String, Tensor>> e : grouped.entrySet()) {
            String name = e.getKey();
            Tensor like = byName.get(name).data();
            Tensor step = e.getValue().get(STEP);
            if (step == null || step.numel() != 1 || step.dtype().floating || step.item() < 1)
                throw new IllegalArgumentException(who + "'" + name + "." + STEP + "' must be a positive integer scalar, got " + step);
            newSteps.put(name, new long[] {step.toLongArray()[0]});
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (String slot : slots) {
                Tensor t = e.getValue().get(slot);
                if (t == null) throw new IllegalArgumentException(who + "'" + name + "." + slot + "' is missing");
                if (!t.sameShape(like))
                    throw new IllegalArgumentException(who + "'" + name + "." + slot + "' has shape " + Shape.str(t.shape())
                            + ", the parameter " + Shape.str(like.shape()));
                Tensor copy = TensorScope.detach(Tensor.empty(like.dtype(), like.backend(), like.shape()));
                copy.copyFrom(t.to(like.backend()));
                m.put(slot, copy);
            }
            newBuffers.put(name, m);
        }
        steps.clear();
        steps.putAll(newSteps);
        buffers.clear();
        buffers.putAll(newBuffers);
    }
}
