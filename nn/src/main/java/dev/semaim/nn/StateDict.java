package dev.semaim.nn;

import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch-style state dicts: every parameter, frozen parameter and buffer of a module under its
 * dotted name (spec §10 key names), in registration order.
 */
public final class StateDict {
    private StateDict() {}

    /** The module's tensors by dotted name. They are the live tensors, not copies: save them, do not mutate them. */
    public static Map<String, Tensor> of(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> out.put(name, p.data()));
        return out;
    }

    /**
     * Gives each parameter of the module a fresh copy of the {@code source} tensor of the same name,
     * converted to the parameter's dtype and backend (so neither the source nor any tensor the old
     * value shared storage with is aliased or overwritten). Strict: any missing key, unexpected key or shape mismatch is an error naming them all,
     * and nothing is loaded. Non-strict: matching keys load; the rest is returned in the report.
     */
    public static LoadReport load(Module module, Map<String, Tensor> source, boolean strict) {
        Map<String, Parameter> params = module.namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        List<LoadReport.ShapeMismatch> mismatched = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = source.get(e.getKey());
            if (t == null) missing.add(e.getKey());
            else if (!t.sameShape(e.getValue().data()))
                mismatched.add(new LoadReport.ShapeMismatch(e.getKey(), e.getValue().shape(), t.shape()));
        }
        for (String k : source.keySet()) if (!params.containsKey(k)) unexpected.add(k);
        LoadReport report = new LoadReport(missing, unexpected, mismatched);
        if (strict && !report.clean())
            throw new IllegalArgumentException("strict state-dict load into " + module.getClass().getSimpleName() + " failed: " + report);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = source.get(e.getKey());
            Tensor old = e.getValue().data();
            if (t == null || !t.sameShape(old)) continue;
            Tensor fresh = Tensor.empty(old.dtype(), old.backend(), old.shape());
            fresh.copyFrom(t.to(old.backend())); // the backend copy converts the dtype
            e.getValue().set(fresh);
        }
        return report;
    }
}
