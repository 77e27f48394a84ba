package dev.semaim.cli;

import dev.semaim.dist.Launch;
import dev.semaim.run.StoppedBySignal;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code bin/semaim}: {@code semaim <command> [flags]}. Commands are one line each in
 * {@link #COMMANDS}. Exit status: 0 success; 2 a command line to fix (unknown command or flag, bad value,
 * missing data: one line, no stack trace); 1 a failed run (one line; the stack trace too with
 * {@code SEMAIM_DEBUG=1}), running out of Java heap included ({@link #runCommand}); 130/143 a training run that
 * SIGINT/SIGTERM stopped after writing its checkpoint.
 */
public final class Main {
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("pretrain", new PretrainCommand());
        COMMANDS.put("demo", new DemoCommand());
        COMMANDS.put("finetune", new FinetuneCommand());
        COMMANDS.put("linprobe", new LinprobeCommand());
        COMMANDS.put("knn", new KnnCommand());
        COMMANDS.put("convert", new ConvertCommand());
        COMMANDS.put("visualize", new VisualizeCommand());
        COMMANDS.put("plot", new PlotCommand());
        COMMANDS.put("audit", new AuditCommand());
        COMMANDS.put("help", new Help());
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line and returns the exit status instead of exiting (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command c = COMMANDS.get(args[0]);
        if (c == null) {
            err.println("semaim: unknown command '" + args[0] + "' (commands: " + String.join(", ", COMMANDS.keySet()) + ")");
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        String who = "semaim " + args[0] + processOfRun(System.getenv()); // "semaim pretrain (rank 1 of 2)": which process failed
        try {
            return runCommand(c, args[0], rest, out, err);
        } catch (StoppedBySignal e) {
            err.println(who + ": " + e.getMessage());
            return e.exitCode();
        } catch (UsageException e) {
            err.println(who + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            // Messages that start with a flag name are bad flag values (a missing --data_path folder, ...).
            boolean usage = e.getMessage() != null && e.getMessage().startsWith("--");
            err.println(who + ": " + (usage ? "" : "error: ") + e.getMessage());
            debug(e, err);
            return usage ? 2 : 1;
        } catch (UncheckedIOException | java.io.IOException | IllegalStateException e) {
            err.println(who + ": error: " + e.getMessage());
            debug(e, err);
            return 1;
        } catch (Exception e) {
            err.println(who + ": failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /**
     * " (rank R of N)" in a run of several processes (mpirun, srun, torchrun), else "": every process prints its own
     * errors, and a launcher's output interleaves them. Read from the launcher's environment, as the run reads it.
     */
    static String processOfRun(Map<String, String> env) {
        try {
            Launch l = Launch.detect(env, 1, -1, null, false);
            return l.size() > 1 ? " (rank " + l.rank() + " of " + l.size() + ")" : "";
        } catch (IllegalArgumentException e) { // an environment the run itself will refuse, naming it
            return "";
        }
    }

    /**
     * Runs one command; running out of Java heap (in this thread, or wrapped by a worker thread's failure) becomes
     * one line naming the command, model, batch and heap, with the ways to more memory ({@link OutOfMemoryReport}),
     * and status 1. The error has unwound the command's frames by now, so its tensors are garbage and printing
     * the line has memory again.
     */
    static int runCommand(Command c, String name, List<String> args, PrintStream out, PrintStream err) throws Exception {
        try {
            return c.run(args, out, err);
        } catch (OutOfMemoryError | Exception e) {
            if (OutOfMemoryReport.find(e) == null) {
                throw e;
            }
            Map<String, Object> settings = c instanceof FlagCommand<?> f ? f.recordedSettings(args) : Map.of();
            err.println(OutOfMemoryReport.message(name, settings, OutOfMemoryReport.find(e)));
            debug(e, err);
            return 1;
        }
    }

    private static void debug(Throwable e, PrintStream err) {
        if (System.getenv("SEMAIM_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: semaim <command> [flags]   (semaim <command> --help lists the flags)\n\ncommands:\n");
        int width = COMMANDS.keySet().stream().mapToInt(String::length).max().orElse(0);
        COMMANDS.forEach((name, c) -> sb.append("  ").append(name).append(" ".repeat(width - name.length() + 2))
                .append(c.summary()).append('\n'));
        return sb.toString();
    }

    /** {@code semaim help [command]}: the command list, or one command's flags. */
    private static final class Help implements Command {
        @Override
        public String summary() {
            return "list the commands; 'help <command>' shows a command's flags";
        }

        @Override
        public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
            if (args.isEmpty()) {
                out.print(usage());
                return 0;
            }
            Command c = COMMANDS.get(args.get(0));
            if (c == null || c == this) {
                throw new UsageException("unknown command '" + args.get(0) + "' (commands: " + String.join(", ", COMMANDS.keySet()) + ")");
            }
            return c.run(List.of("--help"), out, err);
        }
    }
}
