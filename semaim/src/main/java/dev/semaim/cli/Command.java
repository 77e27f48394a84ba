package dev.semaim.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code semaim}: registered by name in {@link Main}'s table. */
public interface Command {
    /** One line for {@code semaim help}. */
    String summary();

    /**
     * Runs with the arguments after the command name.
     *
     * @return the process exit status (0 = success)
     * @throws UsageException for a command line the user must fix (exit 2, one line)
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
