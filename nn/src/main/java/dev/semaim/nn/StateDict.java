package dev.semaim.nn;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
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

    /** {@link #load(Module, Map, boolean, boolean)} refusing non-finite values. */
    public static LoadReport load(Module module, Map<String, Tensor> source, boolean strict) {
        return load(module, source, strict, false);
    }

    /**
     * Gives each parameter of the module a fresh copy of the {@code source} tensor of the same name,
     * converted to the parameter's dtype and backend (so neither the source nor any tensor the old
     * value shared storage with is aliased or overwritten). Errors naming every offending key, with nothing
     * loaded, in both modes: a shape mismatch (as PyTorch's {@code load_state_dict} even with {@code strict=False}:
     * keeping the random initialisation of a tensor that does not fit silently evaluates a different network), an
     * integer tensor for a floating-point parameter (its bits would be read as huge floats), and unless
     * {@code allowNonFinite} a NaN or infinity in a tensor that loads. Strict: any missing or unexpected key is an
     * error too. Non-strict: matching keys load; the missing and unexpected ones are returned in the report.
     */
    public static LoadReport load(Module module, Map<String, Tensor> source, boolean strict, boolean allowNonFinite) {
        Map<String, Parameter> params = module.namedParameters();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrong = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = source.get(e.getKey());
            Tensor own = e.getValue().data();
            if (t == null) missing.add(e.getKey());
            else if (!t.sameShape(own))
                wrong.add(new LoadReport.ShapeMismatch(e.getKey(), own.shape(), t.shape()).toString());
            else if (own.dtype().floating && !t.dtype().floating)
                wrong.add(e.getKey() + ": stored as " + t.dtype() + " but the parameter is " + own.dtype()
                        + " (integer data cannot hold floating-point weights)");
        }
        for (String k : source.keySet()) if (!params.containsKey(k)) unexpected.add(k);
        String kind = module.getClass().getSimpleName();
        LoadReport report = new LoadReport(missing, unexpected);
        if (!wrong.isEmpty() || (strict && !report.clean())) {
            List<String> problems = new ArrayList<>();
            if (strict && !report.clean()) problems.add(report.toString());
            if (!wrong.isEmpty()) // the first few: a model of another width mismatches every tensor, and one line must stay readable
                problems.add(wrong.size() + " tensor(s) do not fit: " + String.join("; ", wrong.subList(0, Math.min(wrong.size(), 5)))
                        + (wrong.size() > 5 ? "; and " + (wrong.size() - 5) + " more" : ""));
            throw new IllegalArgumentException((strict ? "strict " : "") + "state-dict load into " + kind + " failed: "
                    + String.join("; ", problems));
        }
        if (!allowNonFinite) {
            Map<String, Tensor> loading = new LinkedHashMap<>();
            for (String k : params.keySet()) if (source.containsKey(k)) loading.put(k, source.get(k));
            String bad = describeNonFinite(loading);
            if (bad != null) throw new IllegalArgumentException("non-finite weights: " + bad);
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = source.get(e.getKey());
            if (t == null) continue;
            Tensor old = e.getValue().data();
            Tensor fresh = Tensor.empty(old.dtype(), old.backend(), old.shape());
            fresh.copyFrom(t.to(old.backend())); // the backend copy converts the dtype
            e.getValue().set(fresh);
        }
        return report;
    }

    /**
     * The number of NaN and infinite elements of every floating-point tensor that has any, by name (empty when all
     * are finite).
     */
    public static Map<String, Integer> nonFinite(Map<String, Tensor> tensors) {
        Map<String, Integer> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (!t.dtype().floating) return;
            int bad = 0;
            if (t.dtype() == DType.F64) {
                for (double v : t.toDoubleArray()) if (!Double.isFinite(v)) bad++;
            } else {
                for (float v : t.toFloatArray()) if (!Float.isFinite(v)) bad++;
            }
            if (bad > 0) out.put(name, bad);
        });
        return out;
    }

    /**
     * "cls_token has 1 of 8 values non-finite (NaN or infinite), blocks.0.norm1.weight has ..." for the tensors with
     * non-finite values (at most five named), or null when every value is finite.
     */
    public static String describeNonFinite(Map<String, Tensor> tensors) {
        Map<String, Integer> bad = nonFinite(tensors);
        if (bad.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : bad.entrySet()) {
            if (parts.size() == 5) {
                parts.add("and " + (bad.size() - 5) + " more tensors");
                break;
            }
            parts.add(e.getKey() + " has " + e.getValue() + " of " + Shape.numel(tensors.get(e.getKey()).shape())
                    + " values NaN or infinite");
        }
        return String.join(", ", parts);
    }
}
