package dev.semaim.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags one subcommand accepts, each with its default and help text; parses {@code --name value},
 * {@code --name=value} and bare switches. Anything else is a {@link UsageException} naming the flag.
 */
public final class Flags {
    private final String command;
    private final String summary;
    private final Map<String, Flag> flags = new LinkedHashMap<>();

    /**
     * One declared flag; {@code defaultValue} null = unset, {@code choices} empty = any value; a {@code repeatable}
     * flag may be given several times (its values are joined by {@link #REPEAT_SEPARATOR}).
     */
    record Flag(String name, String metavar, String defaultValue, String help, boolean isSwitch, List<String> choices,
                boolean repeatable) {
    }

    static final String REPEAT_SEPARATOR = "\n";

    public Flags(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    /** A flag taking a value; {@code defaultValue} null means "unset unless given". */
    public Flags value(String name, String metavar, String defaultValue, String help) {
        return add(new Flag(name, metavar, defaultValue, help, false, List.of(), false));
    }

    /** A flag taking a value that may be given several times ({@link FlagValues#strings}); unset unless given. */
    public Flags repeatable(String name, String metavar, String help) {
        return add(new Flag(name, metavar, null, help, false, List.of(), true));
    }

    /** A flag whose value must be one of {@code choices}. */
    public Flags choice(String name, String defaultValue, String help, String... choices) {
        return add(new Flag(name, "NAME", defaultValue, help, false, List.of(choices), false));
    }

    /** A switch without a value: false unless present. */
    public Flags toggle(String name, String help) {
        return add(new Flag(name, null, null, help, true, List.of(), false));
    }

    private Flags add(Flag f) {
        if (flags.putIfAbsent(f.name(), f) != null) {
            throw new IllegalArgumentException("flag --" + f.name() + " declared twice for " + command);
        }
        return this;
    }

    /** Parses the arguments after the subcommand name; {@code --help}/{@code -h} sets {@link FlagValues#helpRequested()}. */
    public FlagValues parse(List<String> args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                return new FlagValues(command, Map.of(), true);
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "' (flags start with --; see semaim "
                        + command + " --help)");
            }
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            Flag f = flags.get(name);
            if (f == null) {
                throw new UsageException("unknown flag --" + name + " (see semaim " + command + " --help)");
            }
            String v;
            if (f.isSwitch()) {
                if (eq >= 0) {
                    throw new UsageException("--" + name + " is a switch and takes no value (got '" + a.substring(eq + 1) + "')");
                }
                v = "true";
            } else if (eq >= 0) {
                v = a.substring(eq + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                v = args.get(++i);
            } else {
                throw new UsageException("--" + name + " needs a value (" + f.metavar() + ")");
            }
            if (!f.choices().isEmpty() && !f.choices().contains(v)) {
                throw new UsageException("--" + name + ": '" + v + "' is not one of " + String.join(" | ", f.choices()));
            }
            String before = given.put(name, v);
            if (before != null) {
                if (!f.repeatable()) {
                    throw new UsageException("--" + name + " given twice");
                }
                given.put(name, before + REPEAT_SEPARATOR + v);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Flag f : flags.values()) {
            String v = given.containsKey(f.name()) ? given.get(f.name()) : f.isSwitch() ? "false" : f.defaultValue();
            values.put(f.name(), v);
        }
        return new FlagValues(command, values, false);
    }

    /** The {@code --help} text: usage line, summary, then every flag with its default. */
    public String help() {
        StringBuilder sb = new StringBuilder("usage: semaim ").append(command).append(" [flags]\n").append(summary).append("\n\nflags:\n");
        List<String> heads = new ArrayList<>();
        int width = 0;
        for (Flag f : flags.values()) {
            String head = "  --" + f.name() + (f.isSwitch() ? "" : " " + f.metavar());
            heads.add(head);
            width = Math.max(width, head.length());
        }
        int i = 0;
        for (Flag f : flags.values()) {
            String head = heads.get(i++);
            StringBuilder text = new StringBuilder(f.help());
            if (!f.choices().isEmpty()) {
                text.append(" (").append(String.join(" | ", f.choices())).append(")");
            }
            if (f.repeatable()) {
                text.append(" [repeatable]");
            } else if (!f.isSwitch()) {
                text.append(f.defaultValue() == null ? " [default: unset]" : " [default: " + f.defaultValue() + "]");
            }
            sb.append(head).append(" ".repeat(width - head.length() + 2)).append(text).append('\n');
        }
        sb.append("  --help").append(" ".repeat(Math.max(2, width - 8 + 2))).append("print this help\n");
        return sb.toString();
    }
}
