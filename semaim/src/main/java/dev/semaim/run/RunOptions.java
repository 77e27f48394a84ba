package dev.semaim.run;

import dev.semaim.nn.optim.GradScaler;
import dev.semaim.dist.Launch;
import dev.semaim.settings.Device;
import dev.semaim.settings.Precision;
import dev.semaim.settings.Schema;
import dev.semaim.settings.Setting;
import dev.semaim.settings.ValueType;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The settings every run shares, pre-training ({@code PretrainOptions}) and the evaluation protocols alike, named after
 * their flags and declared once here: where the data comes from and the outputs go, the seed, the device and number
 * format, data loading, and for the training runs the optimisation recipe (batch size, epochs, gradient accumulation,
 * peak lr = blr x effective batch / 256 unless an absolute lr is given, warm-up + cosine down to min_lr, weight decay),
 * resume and progress. A command's schema adds them with its own defaults and help where the recipes differ.
 */
public abstract class RunOptions {
    /** An image folder, an IDX folder or 'embedded' (the command's help says which layouts it reads). */
    public String dataPath;
    public Path outputDir;
    /** Where log.txt goes; null = {@link #outputDir}. */
    public Path logDir;
    /** Names the run's files as the official scripts do ({@link RunFiles}); null = this project's names. */
    public String experiment;
    public long seed;
    public Device device;
    /** Mixed precision ({@code --amp}, alias {@code --precision}; {@code --not_use_fp16} sets {@code off}). */
    public Precision amp;
    /** Float32 products on TF32 tensor cores where the device has them ({@code --tf32}). */
    public boolean tf32;
    public int numWorkers;

    public int batchSize;
    public int epochs;
    public int accumIter;
    /** Base lr: absolute lr = blr x effective batch / 256 when {@link #lr} is NaN (unset). */
    public double blr;
    /** Absolute lr; NaN = from {@link #blr}. */
    public double lr;
    /** Floor of the cosine schedule. */
    public double minLr;
    /** Linear warm-up from 0, in (fractional) epochs. */
    public double warmupEpochs;
    public double weightDecay;
    /** Checkpoint to continue from; null = the rolling checkpoint in {@link #outputDir} if present. */
    public Path resume;
    /** The epoch a run that does not resume starts at (the official {@code --start_epoch}; a checkpoint's epoch wins). */
    public int startEpoch;
    /** Numbered checkpoint every this many epochs (and at the end; 0 = only at the end). */
    public int saveEveryEpochs;
    /** Caps the iterations of each epoch (0 = the whole data set); the schedule uses the capped count. */
    public int maxStepsPerEpoch;
    /** Print a plain progress line every this many iterations when no console is attached. */
    public int printEvery;
    /** A log.txt line every this many iterations besides the epoch lines (0 = epoch lines only). */
    public int logEverySteps;

    /** Processes taking part in the run (the official {@code --world_size}; 1 = this process alone). */
    public int worldSize;
    /** This process's GPU on its node, as {@code torch.distributed.launch} passes it; -1 = not launched that way. */
    public int localRank;
    /** How the processes find each other: {@code env://} (the launcher's environment) or {@code tcp://HOST:PORT}. */
    public String distUrl;
    /** The official code's switch for Microsoft's ITP cluster environment (OMPI_* variables). */
    public boolean distOnItp;
    /** Evaluate on every process's share of the held-out split and gather (the official {@code --dist_eval}). */
    public boolean distEval;
    /** Seconds a process waits for the others in a collective before it reports a dead rank and ends. */
    public int distTimeout;

    /**
     * The values of the official flags accepted without effect here ({@code --pin_mem}, {@code --dist_backend}, ...), by
     * flag name, as given or defaulted: kept so that a command line reads back as it was written.
     */
    public final Map<String, Object> noEffect = new LinkedHashMap<>();

    /** The run's processes: {@link #worldSize}, at least 1. */
    public int processes() {
        return Math.max(1, worldSize);
    }

    /**
     * Effective batch = batch (per process) x accumulation steps x processes, as the official recipe counts it; in a
     * long, since the flags' product can pass 2^31 (an int wrapped to a negative peak lr). A product past 2^63 is an
     * {@link IllegalArgumentException} naming the flags.
     */
    public long effectiveBatch() {
        int processes = processes();
        try {
            return Math.multiplyExact(Math.multiplyExact((long) batchSize, accumIter), processes);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException("--batch_size " + batchSize + " x --accum_iter " + accumIter
                    + (processes > 1 ? " x " + processes + " processes (--world_size)" : "") + " is too large an effective batch (over 2^63 images)");
        }
    }

    /** The absolute peak lr: {@link #lr} if set, else blr x effective batch / 256. */
    public double absoluteLr() {
        return Double.isNaN(lr) ? blr * effectiveBatch() / 256.0 : lr;
    }

    /** The names of the files this run writes, for the model named {@code model} ({@code rollingTag}: see {@link RunFiles}). */
    public RunFiles files(String model, String rollingTag) {
        return RunFiles.of(outputDir, logDir, model, experiment, rollingTag);
    }

    /**
     * Declares {@code --data_path} ({@code dataHelp} says which layouts the command reads; the command says why it is
     * required), {@code --output_dir}
     * ({@code outputHelp}: what it receives), {@code --log_dir}, {@code --experiment}, {@code --seed} ({@code seedHelp}:
     * what it seeds), {@code --batch_size}, {@code --num_workers}, {@code --device}, {@code --amp} (alias {@code --precision})
     * with the official {@code --not_use_fp16}, {@code --tf32}, the official flags that have no effect here
     * ({@code --pin_mem}, {@code --no_pin_mem}, {@code --dist_backend}) and the distributed ones.
     */
    protected static <O extends RunOptions> void declareRun(Schema<O> s, String dataHelp, String outputHelp, String seedHelp,
                                                            String batchSize, String batchHelp) {
        s.add("data_path", ValueType.text().where(t -> !t.isBlank(), "non-empty").metavar("PATH"), null, dataHelp,
                o -> o.dataPath, (o, v) -> o.dataPath = v);
        s.add("batch_size", ValueType.integer(1), batchSize, batchHelp, o -> o.batchSize, (o, v) -> o.batchSize = v);
        s.add("output_dir", ValueType.path().metavar("DIR"), "./output_dir", outputHelp,
                o -> o.outputDir, (o, v) -> o.outputDir = v).unrecorded();
        s.add("log_dir", ValueType.path().metavar("DIR"), null, "where log.txt (and a training run's TensorBoard event file) goes (default: "
                        + "--output_dir); with --experiment only the TensorBoard folder, as in the official scripts",
                o -> o.logDir, (o, v) -> o.logDir = v).unrecorded();
        s.add("experiment", ValueType.text().where(t -> t.matches("[A-Za-z0-9._+-]+"), "letters, digits and . _ + - (it becomes part of file names)")
                        .metavar("NAME"), null, "name the run's files as the official scripts do: <model>.NAME.log.txt, <model>.NAME.temp.safetensors "
                        + "(linprobe: .linear), <model>.NAME.NNNN.safetensors, <model>.NAME.results.json in --output_dir, TensorBoard in "
                        + "<log_dir>/<model>.NAME/ (unset: log.txt, checkpoint-latest.safetensors, checkpoint-NNNN.safetensors, results.json)",
                o -> o.experiment, (o, v) -> o.experiment = v).unrecorded();
        s.add("seed", ValueType.longInteger(0), "0", seedHelp, o -> o.seed, (o, v) -> o.seed = v);
        s.add("num_workers", ValueType.integer(0), "2", "data loading threads", o -> o.numWorkers, (o, v) -> o.numWorkers = v).unrecorded();
        s.add("device", ValueType.choice(Device.class), "cpu", "compute backend", o -> o.device, (o, v) -> o.device = v);
        s.add("amp", ValueType.choice(Precision.class), "auto",
                "mixed precision: off (float32), bf16, or fp16 with dynamic loss scaling; auto = off on the CPU, bf16 on a GPU",
                o -> o.amp, (o, v) -> o.amp = v).alias("precision");
        s.add("not_use_fp16", ValueType.toggle(), null, "train in float32 (the official switch; the same as --amp off)",
                o -> o.amp == Precision.OFF, (o, v) -> {
                    if (v) {
                        o.amp = Precision.OFF;
                    }
                }).unrecorded().excludes("amp");
        s.add("tf32", ValueType.toggle(), null,
                "float32 products on TF32 tensor cores (GPU; PyTorch's allow_tf32; -Dsemaim.cuda.tf32=true does the same)",
                o -> o.tf32, (o, v) -> o.tf32 = v);
        String pinned = "the data loader's batches are Java arrays, copied to the device by the backend; there is no pinned memory to ask for";
        declareNoEffect(s, "pin_mem", ValueType.toggle(), null, "the official DataLoader's pin_memory switch", pinned);
        declareNoEffect(s, "no_pin_mem", ValueType.toggle(), null, "the official switch that turns --pin_mem off", pinned);
        declareDistributed(s);
        declareNoEffect(s, "dist_backend", ValueType.text().metavar("NAME"), "nccl", "the official torch.distributed backend name",
                "the official code sets nccl whatever is given, and multi-process runs here do not use torch.distributed");
    }

    /**
     * Declares an official flag that is accepted but does nothing here: its value is kept in {@link #noEffect} (not
     * recorded), its help ends with "(no effect here: {@code why})", and giving it prints the note
     * "--name has no effect here: {@code why}".
     */
    protected static <O extends RunOptions, T> Setting<O, T> declareNoEffect(Schema<O> s, String name, ValueType<T> type, String defaultText,
                                                                            String help, String why) {
        return s.add(name, type, defaultText, help + " (no effect here: " + why + ")", o -> noEffectValue(o, name),
                (o, v) -> o.noEffect.put(name, v)).unrecorded().noteWhenGiven(o -> "has no effect here: " + why);
    }

    @SuppressWarnings("unchecked")
    private static <T> T noEffectValue(RunOptions o, String name) {
        return (T) o.noEffect.get(name);
    }

    /**
     * Declares the official distributed flags ({@code --world_size --local_rank --dist_url --dist_on_itp --dist_eval}), so
     * the published commands and {@code torch.distributed.launch}'s {@code --local_rank=N} parse, and {@code --dist_timeout};
     * see {@link #checkDistributed}.
     */
    private static <O extends RunOptions> void declareDistributed(Schema<O> s) {
        s.add("world_size", ValueType.integer(1).metavar("N"), "1",
                "number of processes of the run; the launcher's (mpirun, srun, torchrun) when 1; see docs/DISTRIBUTED.md",
                o -> o.worldSize, (o, v) -> o.worldSize = v).unrecorded();
        s.add("local_rank", ValueType.integer(-1).metavar("N"), "-1", "this process's GPU on its node, as torch.distributed.launch passes it",
                o -> o.localRank, (o, v) -> o.localRank = v).unrecorded();
        s.add("dist_url", ValueType.text().metavar("URL"), "env://", "how the processes meet: env:// or tcp://HOST:PORT",
                o -> o.distUrl, (o, v) -> o.distUrl = v).unrecorded();
        s.add("dist_on_itp", ValueType.toggle(), null, "take rank and size from Open MPI's OMPI_* variables (the official ITP switch)",
                o -> o.distOnItp, (o, v) -> o.distOnItp = v).unrecorded();
        s.add("dist_eval", ValueType.toggle(), null, "split the held-out set across the processes and gather the results (one process: no effect)",
                o -> o.distEval, (o, v) -> o.distEval = v).unrecorded();
        s.add("dist_timeout", ValueType.integer(1).metavar("S"), "1800",
                "seconds a process waits for the others in a collective before it reports a dead rank and ends (exit 1)",
                o -> o.distTimeout, (o, v) -> o.distTimeout = v).unrecorded();
    }

    /**
     * Declares the training settings with a recipe's defaults: {@code --epochs --accum_iter --blr --lr --min_lr
     * --warmup_epochs --weight_decay} ({@code blrNote} is appended to the help of --blr; the recorded lr is the absolute
     * peak lr), and {@code --resume} ({@code resumeHelp}), {@code --max_steps_per_epoch}, {@code --print_every} and {@code --log_every_steps}.
     */
    protected static <O extends RunOptions> void declareTraining(Schema<O> s, String epochs, String blr, String blrNote, String minLr,
                                                                 String warmup, String weightDecay, String weightDecayHelp,
                                                                 String resumeHelp) {
        s.add("epochs", ValueType.integer(1), epochs, "training epochs", o -> o.epochs, (o, v) -> o.epochs = v);
        s.add("accum_iter", ValueType.integer(1), "1", "iterations whose gradients are summed before each optimizer step",
                o -> o.accumIter, (o, v) -> o.accumIter = v);
        s.add("blr", ValueType.numberAbove(0).metavar("LR"), blr, "base learning rate: lr = blr x effective batch / 256" + blrNote,
                o -> o.blr, (o, v) -> o.blr = v);
        s.add("lr", ValueType.positiveOrNone().metavar("LR"), "none", "absolute learning rate; overrides --blr",
                o -> o.lr, (o, v) -> o.lr = v).recordedAs(RunOptions::absoluteLr);
        s.add("min_lr", ValueType.number(0).metavar("LR"), minLr, "floor of the cosine schedule", o -> o.minLr, (o, v) -> o.minLr = v);
        s.add("warmup_epochs", ValueType.number(0).metavar("E"), warmup, "linear warm-up from 0, in (fractional) epochs",
                o -> o.warmupEpochs, (o, v) -> o.warmupEpochs = v);
        s.add("weight_decay", ValueType.number(0).metavar("WD"), weightDecay, weightDecayHelp,
                o -> o.weightDecay, (o, v) -> o.weightDecay = v);
        s.add("resume", ValueType.path().metavar("FILE"), null, resumeHelp, o -> o.resume, (o, v) -> o.resume = v).unrecorded();
        s.add("start_epoch", ValueType.integer(0).metavar("N"), "0", "the epoch a run starts at when there is no checkpoint to "
                + "continue from (the lr schedule starts there too); a checkpoint's epoch wins, as in the official scripts",
                o -> o.startEpoch, (o, v) -> o.startEpoch = v).unrecorded();
        s.add("max_steps_per_epoch", ValueType.integer(0), "0", "cap on iterations per epoch (0 = all)",
                o -> o.maxStepsPerEpoch, (o, v) -> o.maxStepsPerEpoch = v);
        s.add("print_every", ValueType.integer(1), "20", "progress line every N iterations when output is not a terminal",
                o -> o.printEvery, (o, v) -> o.printEvery = v).unrecorded();
        s.add("log_every_steps", ValueType.integer(0).metavar("N"), "0",
                "also a JSON line in log.txt every N iterations (loss, lr, gradient norm, images/s; 0 = per epoch only)",
                o -> o.logEverySteps, (o, v) -> o.logEverySteps = v).unrecorded();
    }

    /**
     * Declares {@code --save_every_epochs} (alias {@code --saveckp_freq}, the official name) with the recipe's default
     * ({@code 0} = a numbered checkpoint only after the last epoch).
     */
    protected static <O extends RunOptions> void declareNumberedCheckpoints(Schema<O> s, String every) {
        s.add("save_every_epochs", ValueType.integer(0), every, "keep a numbered checkpoint every N epochs (and at the end; 0 = only at the end)",
                o -> o.saveEveryEpochs, (o, v) -> o.saveEveryEpochs = v).alias("saveckp_freq").unrecorded();
    }

    /**
     * Where a run that does not resume starts: epoch {@link #startEpoch}, batch 0 ({@code TrainingState.start} when it
     * is 0).
     */
    public TrainingState startState(long seed) {
        return new TrainingState(startEpoch, 0, 0, seed, 0);
    }

    /**
     * A warm-up as long as the run or longer is cut to the run (the lr rises linearly to its peak over the whole run,
     * with no cosine decay left), with a one-line note to {@code note}, instead of refusing to start; call before the
     * schedule and the recorded settings are made.
     */
    public void clampWarmup(Consumer<String> note) {
        if (warmupEpochs > epochs) {
            note.accept(String.format(Locale.ROOT, "--warmup_epochs %s is longer than the run (--epochs %d): the warm-up is cut to %d "
                    + "epoch%s, so the lr rises to its peak at the end of the run with no cosine decay", plain(warmupEpochs), epochs, epochs,
                    epochs == 1 ? "" : "s"));
            warmupEpochs = epochs;
        }
    }

    private static String plain(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * The 16-bit type the training forward autocasts to on {@code backend} (null = float32), after applying
     * {@code --tf32} to it; {@code note} gets a line when a flag asks for what the backend does not have.
     */
    public DType precisionOn(Backend backend, Consumer<String> note) {
        if (tf32 && !backend.setTf32(true)) {
            note.accept("--tf32 has no effect on " + backend.name() + " (no TF32 tensor cores): products stay float32");
        }
        return amp.autocastType(backend);
    }

    /** The run's line about its number format, e.g. "precision: fp16 autocast, float32 master weights, loss scale 65536". */
    public static String precisionLine(DType autocast, GradScaler scaler) {
        if (autocast == null) {
            return "precision: float32";
        }
        return "precision: " + (autocast == DType.BF16 ? "bf16" : "fp16") + " autocast, float32 master weights"
                + (scaler == null ? "" : String.format(Locale.ROOT, ", loss scale %.0f", scaler.scale()));
    }

    /**
     * Reads this process's place in the run from the launcher's environment and the official flags
     * ({@link Launch#detect}) and sets {@link #worldSize} to the run's size; a flag that contradicts the launcher is an
     * error naming it.
     */
    protected void checkDistributed() {
        worldSize = launch().size();
    }

    /** This process's place in the run (rank 0 of 1 without a launcher). */
    public Launch launch() {
        return Launch.detect(System.getenv(), worldSize, localRank, distUrl, distOnItp);
    }

    /**
     * The floor must not exceed the peak lr and the start epoch must lie within the run (messages name the flags); a
     * warm-up longer than the run is cut by {@link #clampWarmup}, not refused.
     */
    protected void checkSchedule() {
        if (startEpoch >= epochs) {
            throw new IllegalArgumentException("--start_epoch " + startEpoch + " must be smaller than --epochs " + epochs);
        }
        if (minLr > absoluteLr()) {
            throw new IllegalArgumentException("--min_lr " + minLr + " is larger than the peak lr " + absoluteLr());
        }
    }
}
