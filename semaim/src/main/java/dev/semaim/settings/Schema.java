package dev.semaim.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every setting of one command (or of one saved form, such as {@code AimConfig}'s keyword arguments), each declared once
 * with {@link #add}. From that one list come: the defaults of a fresh options object ({@link #applyDefaults}), the
 * command-line parser ({@link #parse}: {@code --name value}, {@code --name=value}, bare switches, aliases), the
 * {@code --help} text ({@link #help}), the settings written to a checkpoint's {@code config} and to results.json
 * ({@link #record}), reading them back ({@link #read}), and the range checks of options built in code ({@link #validate}).
 *
 * <pre>{@code
 * s.add("batch_size", ValueType.integer(1), "64", "images per iteration", o -> o.batchSize, (o, v) -> o.batchSize = v)
 *         .alias("batch_size_per_gpu");
 * }</pre>
 */
public final class Schema<O> {
    private final String command;
    private final String summary;
    private final Supplier<O> factory;
    private final List<Setting<O, ?>> settings = new ArrayList<>();
    private final Map<String, Setting<O, ?>> byName = new HashMap<>();

    /**
     * @param command what the settings belong to ("pretrain"; named in error messages)
     * @param summary the paragraph under the usage line of {@code --help}
     * @param factory a fresh options object (with {@link #applyDefaults} applied, or applied by {@link #parse})
     */
    public Schema(String command, String summary, Supplier<O> factory) {
        this.command = command;
        this.summary = summary;
        this.factory = factory;
    }

    /**
     * Declares a setting. {@code defaultText} is parsed and range-checked by {@code type} now (null = unset; a switch
     * defaults to off); returns the setting for {@link Setting#alias}, {@link Setting#unrecorded} and the like.
     */
    public <T> Setting<O, T> add(String name, ValueType<T> type, String defaultText, String help, Function<O, T> get,
                                 BiConsumer<O, T> set) {
        Setting<O, T> s = new Setting<>(this, name, type, defaultText, help, get, set);
        register(name, s);
        settings.add(s);
        return s;
    }

    /**
     * Declares here a setting declared in another schema (same name, aliases, type, default and help), held in this
     * schema's options by {@code get}/{@code set}: a model argument that is also a flag is declared once, by the model.
     */
    public <T> Setting<O, T> add(Setting<?, T> declared, Function<O, T> get, BiConsumer<O, T> set) {
        Setting<O, T> s = add(declared.name(), declared.type(), declared.defaultText(), declared.help(), get, set);
        declared.aliases().forEach(s::alias);
        return s;
    }

    /**
     * Declares here the settings {@code names} of {@code other} (same names, aliases, types, defaults and help), held in
     * the part of this schema's options that {@code part} returns: e.g. pretrain's model flags in visualize's options, so
     * that a group of flags shared by several commands is declared once.
     */
    public <P> void addFrom(Schema<P> other, Function<O, P> part, List<String> names) {
        for (String n : names) addPart(other.setting(n), part);
    }

    private <P, T> void addPart(Setting<P, T> declared, Function<O, P> part) {
        Setting<O, T> s = add(declared.name(), declared.type(), declared.defaultText(), declared.help(),
                o -> declared.get(part.apply(o)), (o, v) -> declared.set(part.apply(o), v));
        declared.aliases().forEach(s::alias);
    }

    void register(String name, Setting<O, ?> s) {
        if (byName.putIfAbsent(name, s) != null) {
            throw new IllegalArgumentException("flag --" + name + " declared twice for " + command);
        }
    }

    public String command() {
        return command;
    }

    public List<Setting<O, ?>> settings() {
        return Collections.unmodifiableList(settings);
    }

    /** The setting called {@code name} (or one of its aliases). */
    public Setting<O, ?> setting(String name) {
        Setting<O, ?> s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no setting --" + name + " for " + command);
        }
        return s;
    }

    /** The setting called {@code name}, whose values are {@code valueType}s (to reuse it with {@link #add(Setting, Function, BiConsumer)}). */
    @SuppressWarnings("unchecked")
    public <T> Setting<O, T> setting(String name, Class<T> valueType) {
        Setting<O, ?> s = setting(name);
        if (!s.holds(valueType)) {
            throw new IllegalArgumentException("setting --" + name + " of " + command + " does not hold " + valueType.getSimpleName() + " values");
        }
        return (Setting<O, T>) s;
    }

    /** Sets every setting of {@code options} to its declared default. */
    public O applyDefaults(O options) {
        for (Setting<O, ?> s : settings) {
            s.applyDefault(options);
        }
        return options;
    }

    /** True when the arguments ask for {@code --help} (or {@code -h}), which wins over any mistake beside it. */
    public static boolean helpRequested(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    /**
     * The operands among {@code args} (arguments that are neither a flag nor a flag's value, e.g. a command's input and
     * output files), in order; the flags with their values go to {@code flags}, for {@link #parse}. An unknown flag is
     * passed on as a flag, for {@link #parse} to name.
     */
    public List<String> splitOperands(List<String> args, List<String> flags) {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                operands.add(a);
                continue;
            }
            flags.add(a);
            Setting<O, ?> s = byName.get(a.substring(2, a.contains("=") ? a.indexOf('=') : a.length()));
            if (s != null && !s.type().isSwitch() && !a.contains("=") && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                flags.add(args.get(++i));
                while (s.takesSeveralWords() && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    flags.add(args.get(++i));
                }
            }
        }
        return operands;
    }

    /** {@link #parse(List, Consumer)} without the notes. */
    public O parse(List<String> args) {
        return parse(args, note -> { });
    }

    /**
     * Options from the arguments after the subcommand name: defaults, then each given flag. A mistake (unknown flag,
     * missing or bad value, a flag given twice, two flags that exclude each other, a flag of a feature not built here) is
     * an {@link IllegalArgumentException} whose one-line message names the flag. The notes of the given flags
     * ({@link Setting#noteWhenGiven}: "--pin_mem has no effect here: ...") go to {@code notes}, one line each, in the
     * order the flags were given.
     */
    public O parse(List<String> args, Consumer<String> notes) {
        Map<Setting<O, ?>, List<String>> given = new LinkedHashMap<>();
        Map<Setting<O, ?>, String> spelled = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags start with --; see semaim " + command + " --help)");
            }
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            Setting<O, ?> s = byName.get(name);
            if (s == null) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see semaim " + command + " --help)");
            }
            if (s.notBuiltReason() != null) {
                throw new IllegalArgumentException("--" + name + " is not built here: " + s.notBuiltReason());
            }
            String v;
            if (s.type().isSwitch()) {
                if (eq >= 0) {
                    throw new IllegalArgumentException("--" + name + " is a switch and takes no value (got '" + a.substring(eq + 1) + "')");
                }
                v = "true";
            } else if (eq >= 0) {
                v = a.substring(eq + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                StringBuilder words = new StringBuilder(args.get(++i));
                while (s.takesSeveralWords() && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    words.append(',').append(args.get(++i));
                }
                v = words.toString();
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value (" + s.type().metavar() + ")");
            }
            List<String> values = given.computeIfAbsent(s, k -> new ArrayList<>());
            if (!values.isEmpty() && !s.type().repeatable()) {
                String before = spelled.get(s);
                throw new IllegalArgumentException(before.equals(name) ? "--" + name + " given twice"
                        : "--" + before + " and --" + name + " set the same setting");
            }
            spelled.put(s, name);
            values.add(v);
        }
        for (Setting<O, ?> s : given.keySet()) {
            if (s.excluded() != null && given.containsKey(setting(s.excluded()))) {
                throw new IllegalArgumentException("--" + s.name() + " and --" + s.excluded() + " exclude each other");
            }
        }
        O options = applyDefaults(factory.get());
        given.forEach((s, values) -> s.parse(options, values));
        given.keySet().forEach(s -> {
            String note = s.noteFor(options);
            if (note != null) {
                notes.accept("--" + spelled.get(s) + " " + note);
            }
        });
        return options;
    }

    /** Checks every setting of options built in code: required ones set, each value in its declared range. */
    public void validate(O options) {
        validate(options, name -> true);
    }

    /** As {@link #validate(Object)}, for the settings whose names {@code which} accepts (a flag that another makes moot). */
    public void validate(O options, java.util.function.Predicate<String> which) {
        for (Setting<O, ?> s : settings) {
            if (which.test(s.name())) {
                s.validate(options);
            }
        }
    }

    /** The recorded settings by name as JSON values (Integer, Long, Double, Boolean, String or null), in declaration order. */
    public Map<String, Object> record(O options) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Setting<O, ?> s : settings) {
            if (s.recorded()) {
                m.put(s.name(), s.record(options));
            }
        }
        return m;
    }

    /**
     * Sets the settings a saved config names (by their declared names) on {@code options}; keys this schema does not
     * declare are ignored, so configs written by other versions still load.
     */
    public O read(Map<String, ?> config, O options) {
        for (Setting<O, ?> s : settings) {
            if (config.containsKey(s.name())) {
                s.read(options, config.get(s.name()));
            }
        }
        return options;
    }

    /** The {@code --help} text: usage line, summary, then every flag with its aliases, type, help, choices and default. */
    public String help() {
        StringBuilder sb = new StringBuilder("usage: semaim ").append(command).append(" [flags]\n").append(summary).append("\n\nflags:\n");
        int width = "--help".length();
        for (Setting<O, ?> s : settings) {
            width = Math.max(width, s.helpHead().length());
        }
        for (Setting<O, ?> s : settings) {
            String head = s.helpHead();
            sb.append("  ").append(head).append(" ".repeat(width - head.length() + 2)).append(s.helpText()).append('\n');
        }
        return sb.append("  --help").append(" ".repeat(width - "--help".length() + 2)).append("print this help\n").toString();
    }
}
