package dev.semaim.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;

/** Parsed flag values (defaults filled in) with typed getters whose errors name the flag. */
public final class FlagValues {
    private final String command;
    private final Map<String, String> values;
    private final boolean helpRequested;

    FlagValues(String command, Map<String, String> values, boolean helpRequested) {
        this.command = command;
        this.values = values;
        this.helpRequested = helpRequested;
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    private String raw(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("flag --" + name + " is not declared for semaim " + command);
        }
        return values.get(name);
    }

    /** The value, or null when unset. */
    public String string(String name) {
        return raw(name);
    }

    /** Every value of a repeatable flag, in the order given (empty when unset). */
    public java.util.List<String> strings(String name) {
        String v = raw(name);
        return v == null ? java.util.List.of() : java.util.List.of(v.split(Flags.REPEAT_SEPARATOR, -1));
    }

    public boolean isSet(String name) {
        return raw(name) != null;
    }

    public boolean toggle(String name) {
        return Boolean.parseBoolean(raw(name));
    }

    /** An integer at least {@code min}. */
    public int integer(String name, int min) {
        String v = required(name);
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new UsageException("--" + name + " must be at least " + min + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": expected an integer, got '" + v + "'");
        }
    }

    /** A finite number at least {@code min}. */
    public double number(String name, double min) {
        String v = required(name);
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": expected a number, got '" + v + "'");
        }
        if (!Double.isFinite(d) || d < min) {
            throw new UsageException("--" + name + " must be a finite number >= " + min + ", got " + v);
        }
        return d;
    }

    /** A number, or empty when the flag is unset or the word {@code none}. */
    public OptionalDouble optionalNumber(String name, double min) {
        String v = raw(name);
        return v == null || v.equals("none") ? OptionalDouble.empty() : OptionalDouble.of(number(name, min));
    }

    /** A path, or null when unset. */
    public Path path(String name) {
        String v = raw(name);
        if (v != null && v.isBlank()) {
            throw new UsageException("--" + name + " is empty");
        }
        return v == null ? null : Path.of(v);
    }

    /** Throws the usage error "--name is required" unless the flag is set. */
    public void require(String name) {
        required(name);
    }

    private String required(String name) {
        String v = raw(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required (see semaim " + command + " --help)");
        }
        return v;
    }
}
