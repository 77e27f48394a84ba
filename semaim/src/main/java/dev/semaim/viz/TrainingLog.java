package dev.semaim.viz;

import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON-lines training log (log.txt: one object per epoch, e.g. {"train_loss": 0.71, "train_lr": 1.2e-4, "epoch": 3})
 * or a one-object results.json, read as numeric columns. A blank line is skipped; a line that is not a JSON
 * object is an error naming the file and line. The per-iteration lines of {@code --log_every_steps} (those with an
 * {@code "iter"} key) are kept apart in {@link #iterations}, so that the epoch columns hold epochs only.
 */
public record TrainingLog(Path file, List<Map<String, Object>> records, List<Map<String, Object>> iterations) {

    @SuppressWarnings("unchecked")
    public static TrainingLog read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<Map<String, Object>> records = new ArrayList<>(), iterations = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            Object o;
            try {
                o = Json.parse(lines.get(i));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
            }
            if (!(o instanceof Map)) throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a JSON object");
            Map<String, Object> record = (Map<String, Object>) o;
            (record.containsKey("iter") ? iterations : records).add(record);
        }
        return new TrainingLog(file, records, iterations);
    }

    /** The column's values by record (NaN where a record lacks it or it is not a number). */
    public double[] column(String key) {
        double[] v = new double[records.size()];
        for (int i = 0; i < v.length; i++) {
            Object o = records.get(i).get(key);
            v[i] = o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
        }
        return v;
    }

    /** Whether an epoch record holds a number under {@code key} (the per-iteration lines are {@link #iterationLog()}'s). */
    public boolean has(String key) {
        return records.stream().anyMatch(r -> r.get(key) instanceof Number);
    }

    /** Whether an epoch record names {@code key} at all, null included: log.txt writes a non-finite loss as null. */
    public boolean mentions(String key) {
        return records.stream().anyMatch(r -> r.containsKey(key));
    }

    /** The per-iteration lines as a log of their own: its records are the iterations, so {@link #column} reads them. */
    public TrainingLog iterationLog() {
        return new TrainingLog(file, iterations, List.of());
    }

    /** A short name for the run: the names of the last {@code folders} folders above the file, joined by '/'. */
    public String runName(int folders) {
        Path dir = file.toAbsolutePath().getParent();
        String name = "";
        for (int i = 0; i < folders && dir != null && dir.getFileName() != null; i++, dir = dir.getParent())
            name = dir.getFileName() + (name.isEmpty() ? "" : "/" + name);
        return name.isEmpty() ? file.getFileName().toString() : name;
    }
}
