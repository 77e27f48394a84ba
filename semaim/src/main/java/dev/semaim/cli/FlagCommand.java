package dev.semaim.cli;

import dev.semaim.settings.Schema;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * A {@link Command} whose flags are the settings of a {@link Schema}: answers {@code --help} with the schema's help text
 * (exit 0), turns a command-line mistake into a {@link UsageException}, and otherwise hands the parsed options to
 * {@link #run(Object, PrintStream, PrintStream)}.
 */
abstract class FlagCommand<O> implements Command {
    private final Schema<O> schema;
    private final String summary;

    /** {@code summary}: the one line of {@code semaim help}. */
    FlagCommand(Schema<O> schema, String summary) {
        this.schema = schema;
        this.summary = summary;
    }

    @Override
    public final String summary() {
        return summary;
    }

    @Override
    public final int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (Schema.helpRequested(args)) {
            out.print(schema.help());
            return 0;
        }
        return run(parse(args, err), out, err);
    }

    /**
     * The options of a command line; a mistake is a {@link UsageException} naming the flag. The notes of flags that do
     * something else here than their name says ("--pin_mem has no effect here: ...") go to {@code err}, one line each.
     */
    final O parse(List<String> args, PrintStream err) {
        try {
            return schema.parse(args, note -> err.println("note: " + note));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The recorded settings (defaults filled in) of a command line that parsed, for error messages; empty if it does not parse. */
    final Map<String, Object> recordedSettings(List<String> args) {
        try {
            return schema.record(schema.parse(args));
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
    }

    /** Runs with the parsed options (help already handled); returns the exit status. */
    abstract int run(O options, PrintStream out, PrintStream err) throws Exception;
}
