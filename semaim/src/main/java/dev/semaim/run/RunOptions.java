package dev.semaim.run;

import dev.semaim.dist.Launch;
import dev.semaim.settings.Device;
import dev.semaim.settings.Precision;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;

import java.nio.file.Path;

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
    public long seed;
    public Device device;
    public Precision precision;
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

    /** Effective batch = batch (per process) x accumulation steps x processes, as the official recipe counts it. */
    public int effectiveBatch() {
        return batchSize * accumIter * Math.max(1, worldSize);
    }

    /** The absolute peak lr: {@link #lr} if set, else blr x effective batch / 256. */
    public double absoluteLr() {
        return Double.isNaN(lr) ? blr * effectiveBatch() / 256.0 : lr;
    }

    /**
     * Declares {@code --data_path} ({@code dataHelp} says which layouts the command reads; the command says why it is
     * required), {@code --output_dir}
     * ({@code outputHelp}: what it receives), {@code --log_dir}, {@code --seed} ({@code seedHelp}: what it seeds),
     * {@code --batch_size}, {@code --num_workers}, {@code --device} and {@code --precision}.
     */
    protected static <O extends RunOptions> void declareRun(Schema<O> s, String dataHelp, String outputHelp, String seedHelp,
                                                            String batchSize, String batchHelp) {
        s.add("data_path", ValueType.text().where(t -> !t.isBlank(), "non-empty").metavar("PATH"), null, dataHelp,
                o -> o.dataPath, (o, v) -> o.dataPath = v);
        s.add("batch_size", ValueType.integer(1), batchSize, batchHelp, o -> o.batchSize, (o, v) -> o.batchSize = v);
        s.add("output_dir", ValueType.path().metavar("DIR"), "./output_dir", outputHelp,
                o -> o.outputDir, (o, v) -> o.outputDir = v).unrecorded();
        s.add("log_dir", ValueType.path().metavar("DIR"), null, "where log.txt (and a training run's TensorBoard event file) goes (default: --output_dir)",
                o -> o.logDir, (o, v) -> o.logDir = v).unrecorded();
        s.add("seed", ValueType.longInteger(0), "0", seedHelp, o -> o.seed, (o, v) -> o.seed = v);
        s.add("num_workers", ValueType.integer(0), "2", "data loading threads", o -> o.numWorkers, (o, v) -> o.numWorkers = v).unrecorded();
        s.add("device", ValueType.choice(Device.class), "cpu", "compute backend", o -> o.device, (o, v) -> o.device = v);
        s.add("precision", ValueType.choice(Precision.class), "fp32", "number format (fp16/bf16 are not supported yet)",
                o -> o.precision, (o, v) -> o.precision = v);
        declareDistributed(s);
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
        s.add("max_steps_per_epoch", ValueType.integer(0), "0", "cap on iterations per epoch (0 = all)",
                o -> o.maxStepsPerEpoch, (o, v) -> o.maxStepsPerEpoch = v);
        s.add("print_every", ValueType.integer(1), "20", "progress line every N iterations when output is not a terminal",
                o -> o.printEvery, (o, v) -> o.printEvery = v).unrecorded();
        s.add("log_every_steps", ValueType.integer(0).metavar("N"), "0",
                "also a JSON line in log.txt every N iterations (loss, lr, gradient norm, images/s; 0 = per epoch only)",
                o -> o.logEverySteps, (o, v) -> o.logEverySteps = v).unrecorded();
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

    /** The warm-up must end before the last epoch and the floor must not exceed the peak lr (messages name the flags). */
    protected void checkSchedule() {
        if (warmupEpochs >= epochs) {
            throw new IllegalArgumentException("--warmup_epochs " + warmupEpochs + " must be smaller than --epochs " + epochs);
        }
        if (minLr > absoluteLr()) {
            throw new IllegalArgumentException("--min_lr " + minLr + " is larger than the peak lr " + absoluteLr());
        }
    }
}
