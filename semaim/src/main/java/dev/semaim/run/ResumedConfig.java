package dev.semaim.run;

import dev.semaim.nn.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What every resumed protocol (pre-training, fine-tuning, linear probing) does with the settings its checkpoint recorded
 * (the metadata {@code config}), so that the resumed run is still one run and its checkpoints' config describes it
 * truthfully: a changed setting of {@code fixed} is refused, every difference named in one usage error; any other
 * recorded setting may change, with a note, and the metadata {@value #CHANGES} keeps each earlier value and the
 * position from which the new one holds ({@code {"epoch 1, batch 0": "epochs 1 -> 2"}}). The process count (metadata
 * {@value #PROCESSES}) may change only at an epoch's end: mid-epoch, the position is counted in the processes' shares
 * of the epoch. Each protocol decides its fixed settings ({@code train.ResumedSettings}, {@code eval.ClassifierTrainer}).
 */
public final class ResumedConfig {
    /** Checkpoint metadata: the settings a resumed run changed, by the position from which the new values hold. */
    public static final String CHANGES = "config_changes";
    /** Checkpoint metadata: the run's process count. */
    public static final String PROCESSES = "world_size";

    private ResumedConfig() {
    }

    /**
     * Compares the settings of a run resuming from {@code ck} (read from {@code from}): {@code then}, the recorded ones
     * as the options record them once read back, with {@code now}, this run's, over the names the checkpoint recorded
     * ({@code recorded}) less {@code ignored}. Refuses a changed {@code fixed} setting, naming what a resumed run
     * {@code keeps} and {@code restart} (how to train on with other values), and a process count changed mid-epoch; adds
     * a note for every other change to {@code notes}. Returns the {@value #CHANGES} metadata of the run's checkpoints:
     * the checkpoint's with this resume's changes added; null when there are none.
     */
    public static String reconcile(Checkpoints.Loaded ck, Path from, Set<String> recorded, Map<String, Object> then, Map<String, Object> now,
                                   Set<String> fixed, Set<String> ignored, String keeps, String restart, int processes, List<String> notes) {
        TrainingState at = ck.state();
        String position = "epoch " + at.epoch() + ", batch " + at.batch();
        List<String> refused = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (String name : recorded) {
            if (ignored.contains(name) || !then.containsKey(name) || Objects.equals(then.get(name), now.get(name))) {
                continue; // not compared, a setting of another version, or the same value
            }
            if (fixed.contains(name)) {
                refused.add("--" + name + " " + shown(now.get(name)) + " (the checkpoint's: " + shown(then.get(name)) + ")");
            } else {
                changed.add(name + " " + shown(then.get(name)) + " -> " + shown(now.get(name)));
                notes.add(describe(name, shown(now.get(name))) + " (the checkpoint's: " + shown(then.get(name)) + ") holds from "
                        + position + " on; the checkpoints keep the earlier value in their " + CHANGES);
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", refused) + ": a resumed run keeps " + keeps + " of its checkpoint " + from
                    + "; give the checkpoint's values, or " + restart);
        }
        String processesThen = ck.metadata().get(PROCESSES);
        if (processesThen != null && !processesThen.equals(Integer.toString(processes))) {
            if (at.batch() > 0) {
                throw new IllegalArgumentException("--world_size " + processes + " (the checkpoint's: " + processesThen + "): " + from
                        + " stopped in epoch " + at.epoch() + " at batch " + at.batch() + ", counted in the shares of " + processesThen
                        + " processes; resume it with " + processesThen + ", or change the process count at an epoch's end");
            }
            changed.add("world_size " + processesThen + " -> " + processes);
            notes.add(processes + (processes == 1 ? " process" : " processes") + " (the checkpoint's: " + processesThen + ") from epoch "
                    + at.epoch() + " on: each takes its share of every epoch, and the effective batch counts them");
        }
        Map<String, Object> changes = earlierChanges(ck, from);
        if (!changed.isEmpty()) {
            changes.put(position, String.join("; ", changed));
        }
        return changes.isEmpty() ? null : Json.object(changes);
    }

    /** The checkpoint's {@code config} (empty when it has none: nothing to compare). */
    public static Map<String, Object> recordedConfig(Checkpoints.Loaded ck, Path from) {
        String json = ck.metadata().get("config");
        return json == null ? Map.of() : object(json, from, "config");
    }

    private static Map<String, Object> earlierChanges(Checkpoints.Loaded ck, Path from) {
        String json = ck.metadata().get(CHANGES);
        return json == null ? new LinkedHashMap<>() : new LinkedHashMap<>(object(json, from, CHANGES));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json, Path from, String key) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("checkpoint " + from + ": metadata '" + key + "' is not JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("checkpoint " + from + ": metadata '" + key + "' is not a JSON object: " + json);
        }
        return (Map<String, Object>) parsed;
    }

    /** A setting and its value; the recorded lr is the peak lr, which --blr and the effective batch set unless --lr does. */
    private static String describe(String name, String value) {
        return name.equals("lr") ? "the peak lr " + value + " (--lr, else --blr x effective batch / 256)" : "--" + name + " " + value;
    }

    /** A recorded value as a flag reads it: on/off for a switch, none for an unset one. */
    private static String shown(Object v) {
        return v == null ? "none" : v instanceof Boolean b ? (b ? "on" : "off") : v.toString();
    }
}
