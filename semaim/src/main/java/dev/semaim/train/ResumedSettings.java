package dev.semaim.train;

import dev.semaim.run.Checkpoints;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.ResumedConfig;
import dev.semaim.run.TrainingState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a resumed pre-training run may change of the settings its checkpoint recorded ({@link ResumedConfig} compares
 * them), decided so that the resumed run is still one run, which the config of its checkpoints describes truthfully:
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
 *     --tf32}), and the process count at an epoch's end (refused mid-epoch). The config then holds the new value, and
 *     the metadata {@value ResumedConfig#CHANGES} each earlier value and where it changed.</li>
 * </ul>
 * The model flags are compared as the model they build, so that the same model spelled another way ({@code --depth 12}
 * for aim_base's own) is no change. Settings that are not recorded ({@code --output_dir --log_dir --num_workers
 * --time_limit_minutes --print_every --save_every_epochs}, ...) change freely: they say how a run is driven, not what
 * it computes.
 */
final class ResumedSettings {
    private static final Set<String> FIXED = Stream.concat(PretrainOptions.MODEL_FLAGS.stream(), Stream.of("use_ema_model", "batch_size", "accum_iter"))
            .collect(Collectors.toUnmodifiableSet());

    private ResumedSettings() {
    }

    /**
     * Compares the options {@code o} of a run resuming from {@code ck} (read from {@code from}) with the settings the
     * checkpoint recorded: refuses a changed fixed setting, sets the kept ones back to the checkpoint's, and notes each
     * other change to {@code progress}. Returns the {@value ResumedConfig#CHANGES} metadata of the run's checkpoints
     * ({@link ResumedConfig#reconcile}).
     */
    static String reconcile(PretrainOptions o, Checkpoints.Loaded ck, Path from, ProgressLine progress) {
        TrainingState at = ck.state();
        Map<String, Object> recorded = ResumedConfig.recordedConfig(ck, from);
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
        // --depth 12 is aim_base's own depth, recorded as 0 (the preset's): the same model is no change
        Set<String> sameModel = sameModel(checkpoints, o) ? Set.copyOf(PretrainOptions.MODEL_FLAGS) : Set.of();
        String changes = ResumedConfig.reconcile(ck, from, recorded.keySet(), checkpoints.asMap(), o.asMap(), FIXED, sameModel,
                "the model, its training target, --batch_size and --accum_iter",
                "start a new run (another --output_dir) from its weights with --init " + from, o.processes(), notes);
        notes.forEach(progress::note);
        return changes;
    }

    /** Whether both options build the same model (false where the recorded ones build none, as an earlier version's may not). */
    private static boolean sameModel(PretrainOptions checkpoints, PretrainOptions o) {
        try {
            return checkpoints.modelConfig().equals(o.modelConfig());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
