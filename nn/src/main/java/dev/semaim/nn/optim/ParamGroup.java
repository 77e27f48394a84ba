package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyper-parameters: the learning rate of the group is the schedule's value
 * times {@link #lrScale()} (layer-wise decay, spec §7), and {@link #weightDecay()} applies to every
 * member. Each parameter carries a name that keys its optimiser state in checkpoints.
 */
public final class ParamGroup {
    private final String name;
    private final List<String> paramNames;
    private final List<Parameter> params;
    private final double lrScale;
    private final double weightDecay;

    /** Parameters without names: their state keys become {@code name.0}, {@code name.1}, ... */
    public ParamGroup(String name, List<Parameter> params, double lrScale, double weightDecay) {
        this(name, numbered(name, params.size()), params, lrScale, weightDecay);
    }

    /** Parameters under their dotted module names (as {@link ParamGroups} builds them). */
    public ParamGroup(String name, Map<String, Parameter> named, double lrScale, double weightDecay) {
        this(name, new ArrayList<>(named.keySet()), new ArrayList<>(named.values()), lrScale, weightDecay);
    }

    private ParamGroup(String name, List<String> paramNames, List<Parameter> params, double lrScale, double weightDecay) {
        if (!(lrScale >= 0) || Double.isInfinite(lrScale))
            throw new IllegalArgumentException("param group '" + name + "': lrScale " + lrScale + " must be finite and >= 0");
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay))
            throw new IllegalArgumentException("param group '" + name + "': weightDecay " + weightDecay + " must be finite and >= 0");
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (p == null) throw new IllegalArgumentException("param group '" + name + "': parameter '" + paramNames.get(i) + "' is null");
            if (!p.trainable())
                throw new IllegalArgumentException("param group '" + name + "': parameter '" + paramNames.get(i) + "' is " + p.kind()
                        + "; only trainable parameters can be optimised");
        }
        this.name = name;
        this.paramNames = Collections.unmodifiableList(new ArrayList<>(paramNames));
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.lrScale = lrScale;
        this.weightDecay = weightDecay;
    }

    private static List<String> numbered(String name, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(name + "." + i);
        return out;
    }

    public String name() { return name; }

    public List<Parameter> params() { return params; }

    /** The state key of each parameter, parallel to {@link #params()}. */
    public List<String> paramNames() { return paramNames; }

    public double lrScale() { return lrScale; }

    public double weightDecay() { return weightDecay; }

    @Override public String toString() {
        return "ParamGroup(" + name + ", " + params.size() + " params, lrScale " + lrScale + ", weightDecay " + weightDecay + ")";
    }
}
