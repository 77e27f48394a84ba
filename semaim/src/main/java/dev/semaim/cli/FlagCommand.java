package dev.semaim.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A {@link Command} driven by a {@link Flags} table: parses the arguments, answers {@code --help} with the
 * flags' help text (exit 0), and otherwise hands the parsed values to {@link #run(FlagValues, PrintStream, PrintStream)}.
 */
abstract class FlagCommand implements Command {
    private final Flags flags;
    private final String summary;

    /** {@code summary}: the one line of {@code semaim help}. */
    FlagCommand(Flags flags, String summary) {
        this.flags = flags;
        this.summary = summary;
    }

    @Override
    public final String summary() {
        return summary;
    }

    @Override
    public final int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        FlagValues f = flags.parse(args);
        if (f.helpRequested()) {
            out.print(flags.help());
            return 0;
        }
        return run(f, out, err);
    }

    /** Runs with the parsed flags (help already handled); returns the exit status. */
    abstract int run(FlagValues f, PrintStream out, PrintStream err) throws Exception;
}
