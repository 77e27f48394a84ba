package dev.semaim.train;

import dev.semaim.nn.io.Json;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.TrainingState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a resumed pre-training run may change of the settings its checkpoint recorded (the metadata {@code config}),
 * decided so that the resumed run is still one run, which the config of its checkpoints describes truthfully:
 * <ul>
 * <li>refused, every difference named in one usage error: the model and its training target
 *     ({@link PretrainOptions#MODEL_FLAGS}, {@code --use_ema_model}), and the images per iteration and per optimizer
 *     step ({@code --batch_size}, {@code --accum_iter}). The weights and the optimizer state were trained for them,
 *     {@code visualize} rebuilds the model from the config, and the checkpoint's position (batch, accumulation group)
 *     is counted in them. Training on with other ones is a new run: another --output_dir, started with --init.</li>
 * <li>kept from the checkpoint, with a note when the flag differs: {@code --seed} (the data order and the order noise
 *     go on as they were) and {@code --init} (the weights the run started from; a resumed run loads none).</li>
 * <li>taken from the flags, with a note each: the schedule and its length ({@code --epochs --blr --lr --min_lr
 *     --warmup_epochs --weight_decay --clip_grad --max_steps_per_epoch}), where the data and the teacher are read from
 *     ({@code --data_path --teacher}: a copy elsewhere is the same run) and how it computes ({@code --device --amp
 *     --tf32}). The config then holds the new value, and the metadata {@value #CHANGES} each earlier value and where it
 *     changed, e.g. {@code {"epoch 1, batch 0": "epochs 1 -> 2"}}, so that the checkpoint describes the whole run.</li>
 * <li>the process count (metadata {@value #PROCESSES}): refused mid-epoch, where the position is counted in the
 *     processes' shares of the epoch; at an epoch's end taken, with a note and a {@value #CHANGES} entry.</li>
 * </ul>
 * The model flags are compared as the model they build, so that the same model spelled another way ({@code --depth 12}
 * for aim_base's own) is no change. Settings that are not recorded ({@code --output_dir --log_dir --num_workers
 * --time_limit_minutes --print_every --save_every_epochs}, ...) change freely: they say how a run is driven, not what
 * it computes.
 */
final class ResumedSettings {
    /** Checkpoint metadata: the settings a resumed run changed, by the position from which the new values hold. */
    static final String CHANGES = "config_changes";
    /** Checkpoint metadata: the run's process count, which the position within an epoch is counted in. */
    static final String PROCESSES = "world_size";
    private static final Set<String> FIXED = Stream.concat(PretrainOptions.MODEL_FLAGS.stream(), Stream.of("use_ema_model", "batch_size", "accum_iter"))
            .collect(Collectors.toUnmodifiableSet());

    private ResumedSettings() {
    }

    /**
     * Compares the options {@code o} of a run resuming from {@code ck} (read from {@code from}) with the settings the
     * checkpoint recorded: refuses a changed fixed setting, sets the kept ones back to the checkpoint's, and notes each
     * other change to {@code progress}. Returns the {@value #CHANGES} metadata of the run's checkpoints: the
     * checkpoint's with this resume's changes added; null when there are none.
     */
    static String reconcile(PretrainOptions o, Checkpoints.Loaded ck, Path from, ProgressLine progress) {
        TrainingState at = ck.state();
        Map<String, Object> recorded = recordedConfig(ck, from);
        PretrainOptions checkpoints = PretrainOptions.fromMap(recorded);
        List<String> notes = new ArrayList<>();
        if (at.seed() != o.seed) {
            notes.add("continuing with the checkpoint's seed " + at.seed() + " (not --seed " + o.seed + ")");
            o.seed = at.seed();
        }
        if (o.init != null) {
            notes.add("--init " + o.init + " ignored: the run continues from its checkpoint " + from);
        }
        o.init = checkpoints.init;

        Map<String, Object> then = checkpoints.asMap(); // the recorded values, as asMap() gives them
        Map<String, Object> now = o.asMap();
        List<String> refused = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        boolean sameModel = sameModel(checkpoints, o); // --depth 12 is aim_base's own depth, recorded as 0 (the preset's)
        for (String name : recorded.keySet()) {
            if (!then.containsKey(name) || Objects.equals(then.get(name), now.get(name))
                    || (sameModel && PretrainOptions.MODEL_FLAGS.contains(name))) {
                continue; // a setting of another version, the same value, or the same model spelled another way
            }
            if (FIXED.contains(name)) {
                refused.add("--" + name + " " + shown(now.get(name)) + " (the checkpoint's: " + shown(then.get(name)) + ")");
            } else {
                changed.add(name + " " + shown(then.get(name)) + " -> " + shown(now.get(name)));
                notes.add(describe(name, shown(now.get(name))) + " (the checkpoint's: " + shown(then.get(name)) + ") holds from epoch "
                        + at.epoch() + ", batch " + at.batch() + " on; the checkpoints keep the earlier value in their " + CHANGES);
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", refused) + ": a resumed run keeps the model, its training target, "
                    + "--batch_size and --accum_iter of its checkpoint " + from + "; give the checkpoint's values, or start a new run "
                    + "(another --output_dir) from its weights with --init " + from);
        }
        String processesThen = ck.metadata().get(PROCESSES);
        int processesNow = Math.max(1, o.worldSize);
        if (processesThen != null && !processesThen.equals(Integer.toString(processesNow))) {
            if (at.batch() > 0) {
                throw new IllegalArgumentException("--world_size " + processesNow + " (the checkpoint's: " + processesThen + "): " + from
                        + " stopped in epoch " + at.epoch() + " at batch " + at.batch() + ", counted in the shares of " + processesThen
                        + " processes; resume it with " + processesThen + ", or change the process count at an epoch's end");
            }
            changed.add("world_size " + processesThen + " -> " + processesNow);
            notes.add(processesNow + (processesNow == 1 ? " process" : " processes") + " (the checkpoint's: " + processesThen + ") from epoch " + at.epoch()
                    + " on: each takes its share of every epoch, and the effective batch counts them");
        }
        notes.forEach(progress::note);
        Map<String, Object> changes = earlierChanges(ck, from);
        if (!changed.isEmpty()) {
            changes.put("epoch " + at.epoch() + ", batch " + at.batch(), String.join("; ", changed));
        }
        return changes.isEmpty() ? null : Json.object(changes);
    }

    /** Whether both options build the same model (false where the recorded ones build none, as an earlier version's may not). */
    private static boolean sameModel(PretrainOptions checkpoints, PretrainOptions o) {
        try {
            return checkpoints.modelConfig().equals(o.modelConfig());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The checkpoint's {@code config} (empty when it has none: nothing to compare). */
    private static Map<String, Object> recordedConfig(Checkpoints.Loaded ck, Path from) {
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
