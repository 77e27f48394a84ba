package dev.semaim.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The names of the files a run writes. Without {@code --experiment}, this project's names: in {@code --output_dir}
 * {@code checkpoint-latest.safetensors}, {@code checkpoint-NNNN.safetensors} and {@code results.json}; {@code log.txt}
 * and the TensorBoard event file in {@code --log_dir} (default {@code --output_dir}). With {@code --experiment E} the
 * official scripts' names, whose stem is {@code <model>.<E>} ({@code main_pretrain.py}'s
 * {@code f"{args.model}.{args.experiment}.temp.pth"}), with this project's file format: in {@code --output_dir}
 * {@code <stem>.temp.safetensors} (linear probing: {@code <stem>.linear.safetensors}), {@code <stem>.NNNN.safetensors},
 * {@code <stem>.log.txt} and {@code <stem>.results.json}; the event file in {@code <log_dir>/<stem>/} (the official
 * {@code SummaryWriter(log_dir=os.path.join(args.log_dir, stem))}).
 *
 * @param stem       {@code <model>.<experiment>}, or null for this project's names
 * @param rollingTag the rolling checkpoint's tag under a stem: "temp" (pre-training, fine-tuning) or "linear"
 */
public record RunFiles(Path outputDir, Path logDir, String stem, String rollingTag) {
    /** This project's log file name (without --experiment). */
    public static final String LOG = "log.txt";
    /** This project's results file name (without --experiment). */
    public static final String RESULTS = "results.json";

    /**
     * The files of a run writing into {@code outputDir} and {@code logDir} (null = {@code outputDir}) for the model named
     * {@code model}; {@code experiment} null = this project's names.
     */
    public static RunFiles of(Path outputDir, Path logDir, String model, String experiment, String rollingTag) {
        return new RunFiles(outputDir, logDir == null ? outputDir : logDir, experiment == null ? null : model + "." + experiment, rollingTag);
    }

    /** The rolling checkpoint, rewritten every epoch; a run without --resume continues from it when it exists. */
    public Path latestCheckpoint() {
        return outputDir.resolve(stem == null ? Checkpoints.LATEST : stem + "." + rollingTag + ".safetensors");
    }

    /** The numbered checkpoint holding the weights after {@code epochsDone} epochs. */
    public Path numberedCheckpoint(int epochsDone) {
        return outputDir.resolve(stem == null ? Checkpoints.numbered(epochsDone)
                : String.format(Locale.ROOT, "%s.%04d.safetensors", stem, epochsDone));
    }

    /** The JSON-lines log: {@code <log_dir>/log.txt}, or {@code <output_dir>/<stem>.log.txt} as the official scripts write it. */
    public Path logFile() {
        return stem == null ? logDir.resolve(LOG) : outputDir.resolve(stem + "." + LOG);
    }

    /** The folder of the TensorBoard event file: the log folder, or {@code <log_dir>/<stem>}. */
    public Path tensorBoardFolder() {
        return stem == null ? logDir : logDir.resolve(stem);
    }

    /** An evaluation's one-line summary. */
    public Path results() {
        return outputDir.resolve(stem == null ? RESULTS : stem + "." + RESULTS);
    }

    /**
     * Where a run continues from: {@code resume} when given (a checkpoint file, as the reference's --resume takes), else
     * the {@link #latestCheckpoint} if there is one, else null.
     */
    public Path resumePath(Path resume) {
        if (resume != null) {
            requireFile("--resume", resume, "a checkpoint file (e.g. " + new RunFiles(resume, resume, stem, rollingTag).latestCheckpoint() + ")");
            return resume;
        }
        Path latest = latestCheckpoint();
        return Files.isRegularFile(latest) ? latest : null;
    }

    /**
     * Checks that {@code file}, given with {@code flag}, is a file; a folder (a run's --output_dir given for its
     * checkpoint, say) is an {@link IllegalArgumentException} saying so, with {@code what} it should be.
     */
    public static void requireFile(String flag, Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(flag + " " + file + " is a folder, not " + what);
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(flag + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(flag + " " + file + " is not a regular file");
        }
    }
}
