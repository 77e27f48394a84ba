package dev.semaim.nn;

import dev.semaim.tensor.Shape;

import java.util.List;

/**
 * What {@link StateDict#load} did not load: module keys absent from the source, source keys the
 * module does not have, and keys present on both sides with different shapes (left untouched).
 */
public record LoadReport(List<String> missing, List<String> unexpected, List<ShapeMismatch> shapeMismatches) {
    /** A key whose stored tensor does not fit the module's parameter. */
    public record ShapeMismatch(String name, int[] expected, int[] found) {
        @Override public String toString() {
            return name + ": module " + Shape.str(expected) + ", loaded " + Shape.str(found);
        }
    }

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        shapeMismatches = List.copyOf(shapeMismatches);
    }

    /** Whether every key matched on both sides with equal shapes. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty();
    }

    @Override public String toString() {
        if (clean()) return "all keys loaded";
        StringBuilder b = new StringBuilder();
        if (!missing.isEmpty()) b.append("missing ").append(missing.size()).append(' ').append(missing);
        if (!unexpected.isEmpty()) b.append(b.length() > 0 ? "; " : "").append("unexpected ").append(unexpected.size()).append(' ').append(unexpected);
        if (!shapeMismatches.isEmpty()) b.append(b.length() > 0 ? "; " : "").append("shape mismatches ").append(shapeMismatches);
        return b.toString();
    }
}
