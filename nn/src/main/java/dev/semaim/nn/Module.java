package dev.semaim.nn;

import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or model: owns parameters and sub-modules under names, in registration order, so that
 * {@link #namedParameters()} yields PyTorch-style dotted keys ({@code blocks.3.attn.qkv.weight}) in
 * the same order as a PyTorch state dict. Subclasses register in their constructors.
 */
public abstract class Module {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected Parameter param(String name, Tensor value) {
        return register(name, new Parameter(value, Parameter.Kind.TRAINABLE));
    }

    protected Parameter frozen(String name, Tensor value) {
        return register(name, new Parameter(value, Parameter.Kind.FROZEN));
    }

    protected Parameter buffer(String name, Tensor value) {
        return register(name, new Parameter(value, Parameter.Kind.BUFFER));
    }

    private Parameter register(String name, Parameter p) {
        if (params.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' registered twice");
        params.put(name, p);
        return p;
    }

    protected <M extends Module> M child(String name, M module) {
        if (params.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' registered twice");
        children.put(name, module);
        return module;
    }

    /** Every parameter, frozen one and buffer of this module and its descendants, by dotted name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (Map.Entry<String, Module> e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out);
    }

    /** The trainable parameters by dotted name. */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> { if (p.trainable()) out.put(k, p); });
        return out;
    }

    /** Direct sub-modules by name, in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module and all descendants, depth first. */
    public List<Module> modules() {
        List<Module> out = new ArrayList<>();
        out.add(this);
        for (Module c : children.values()) out.addAll(c.modules());
        return out;
    }

    public long parameterCount(boolean trainableOnly) {
        long n = 0;
        for (Parameter p : namedParameters().values()) if (!trainableOnly || p.trainable()) n += p.numel();
        return n;
    }

    public boolean isTraining() { return training; }

    /** Train mode (dropout, drop path and batch statistics active) or eval mode, recursively. */
    public Module train(boolean on) {
        for (Module m : modules()) m.training = on;
        return this;
    }

    public Module eval() { return train(false); }

    public void zeroGrad() {
        for (Parameter p : namedParameters().values()) p.var().zeroGrad();
    }
}
