package dev.semaim.nn;

import dev.semaim.tensor.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link StateDict#load} did not load: module keys absent from the source and source keys the module does not
 * have. (Shape and dtype mismatches are not reported here: they are errors, as in PyTorch's {@code load_state_dict}.)
 */
public record LoadReport(List<String> missing, List<String> unexpected) {
    /** A key whose stored tensor does not fit the module's parameter. */
    public record ShapeMismatch(String name, int[] expected, int[] found) {
        @Override public String toString() {
            return name + ": module " + Shape.str(expected) + ", loaded " + Shape.str(found);
        }
    }

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    /** Whether every key matched on both sides. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /** A short line: counts with the keys grouped by their first name component ("missing 2 (head.*); unexpected 1 (x)"). */
    @Override public String toString() {
        if (clean()) return "all keys loaded";
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) parts.add("missing " + missing.size() + " (" + summarize(missing) + ")");
        if (!unexpected.isEmpty()) parts.add("unexpected " + unexpected.size() + " (" + summarize(unexpected) + ")");
        return String.join("; ", parts);
    }

    /**
     * Names grouped by their leading component, at most {@code MAX_GROUPS} groups:
     * "head.weight, head.bias" -> "head.* (2)", "blocks.0.attn.qkv.weight, ..." -> "blocks.* (48)", a lone key by its
     * name. A 5 KB list of
     * every key helps nobody; the groups say which parts of the model are concerned.
     */
    public static String summarize(List<String> names) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String n : names) {
            int dot = n.indexOf('.');
            groups.computeIfAbsent(dot < 0 ? n : n.substring(0, dot) + ".*", k -> new ArrayList<>()).add(n);
        }
        List<String> parts = new ArrayList<>();
        groups.forEach((k, members) -> parts.add(members.size() > 1 ? k + " (" + members.size() + ")" : members.get(0)));
        if (parts.size() > MAX_GROUPS) {
            int more = parts.size() - MAX_GROUPS;
            parts.subList(MAX_GROUPS, parts.size()).clear();
            parts.add("and " + more + " more groups");
        }
        return String.join(", ", parts);
    }

    private static final int MAX_GROUPS = 8;
}
