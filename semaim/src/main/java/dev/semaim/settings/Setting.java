package dev.semaim.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One setting of a {@link Schema}: its flag name (the reference's), aliases, {@link ValueType}, default, help, and where
 * it lives in the options object {@code O} (a getter and a setter). Declared once with {@link Schema#add}; the parser,
 * {@code --help}, the saved config / results.json and the validation of programmatic options all read this declaration.
 */
public final class Setting<O, T> {
    private final Schema<O> schema;
    private final String name;
    private final ValueType<T> type;
    private final String defaultText;
    private final T defaultValue;
    private final String help;
    private final Function<O, T> get;
    private final BiConsumer<O, T> set;
    private final List<String> aliases = new ArrayList<>();
    private boolean recorded = true;
    private Function<O, ?> recordedValue;
    private String requiredWhat;
    private String excludes;
    private Function<O, String> noteWhenGiven;
    private String notBuilt;
    private boolean severalWords;

    Setting(Schema<O> schema, String name, ValueType<T> type, String defaultText, String help, Function<O, T> get,
            BiConsumer<O, T> set) {
        this.schema = schema;
        this.name = name;
        this.type = type;
        this.help = help;
        this.get = get;
        this.set = set;
        this.defaultText = type.isSwitch() && defaultText == null ? "false" : defaultText;
        try {
            this.defaultValue = this.defaultText != null ? checked(type.parse(List.of(this.defaultText)))
                    : type.repeatable() ? type.parse(List.of()) : null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the default of --" + name + ": " + e.getMessage(), e);
        }
    }

    /** Other names the command line accepts for this setting (e.g. the official scripts' spellings). */
    public Setting<O, T> alias(String... names) {
        for (String a : names) {
            schema.register(a, this);
            aliases.add(a);
        }
        return this;
    }

    /** Leaves this setting out of {@link Schema#record} (how a run is driven, not what it computes). */
    public Setting<O, T> unrecorded() {
        recorded = false;
        return this;
    }

    /** Records {@code value} (a JSON value) instead of the setting as given (e.g. the resolved absolute lr). */
    public Setting<O, T> recordedAs(Function<O, ?> value) {
        recordedValue = value;
        return this;
    }

    /** An unset value is refused: "--name is required: {@code what}". */
    public Setting<O, T> required(String what) {
        requiredWhat = what;
        return this;
    }

    /** Giving both this flag and {@code other} on one command line is refused. */
    public Setting<O, T> excludes(String other) {
        excludes = other;
        return this;
    }

    /**
     * Giving this flag prints a note: "--name " followed by what {@code note} returns for the parsed options (null =
     * no note), e.g. for an official flag accepted here without effect.
     */
    public Setting<O, T> noteWhenGiven(Function<O, String> note) {
        noteWhenGiven = note;
        return this;
    }

    /** Giving this flag is refused: "--name is not built here: {@code why}" (an official flag of a feature this project lacks). */
    public Setting<O, T> notBuilt(String why) {
        notBuilt = why;
        return this;
    }

    /**
     * The value may also be given as several words ({@code --nb_knn 10 20 30}, argparse's {@code nargs='+'}): the words
     * up to the next flag are joined with commas ("10,20,30").
     */
    public Setting<O, T> severalWords() {
        severalWords = true;
        return this;
    }

    public String name() {
        return name;
    }

    public List<String> aliases() {
        return Collections.unmodifiableList(aliases);
    }

    /** The default as declared (null = unset). */
    public String defaultText() {
        return defaultText;
    }

    public String help() {
        return help;
    }

    /** Whether the values of this setting are {@code valueType}s (judged by the default; true when there is none). */
    boolean holds(Class<?> valueType) {
        return defaultValue == null || valueType.isInstance(defaultValue);
    }

    ValueType<T> type() {
        return type;
    }

    boolean recorded() {
        return recorded;
    }

    String excluded() {
        return excludes;
    }

    String notBuiltReason() {
        return notBuilt;
    }

    boolean takesSeveralWords() {
        return severalWords;
    }

    /** The note giving this flag prints (without the leading "--name "), or null. */
    String noteFor(O options) {
        return noteWhenGiven == null ? null : noteWhenGiven.apply(options);
    }

    public T get(O options) {
        return get.apply(options);
    }

    void set(O options, T value) {
        set.accept(options, value);
    }

    void applyDefault(O options) {
        set.accept(options, defaultValue);
    }

    /** Sets the value of the command-line text(s); a bad value is an {@link IllegalArgumentException} naming the flag. */
    void parse(O options, List<String> texts) {
        T v;
        try {
            v = type.parse(texts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
        }
        set.accept(options, checked(v));
    }

    /** Sets the value read from a saved config's JSON; a bad one names the key. */
    void read(O options, Object json) {
        T v;
        try {
            v = type.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config '" + name + "' " + e.getMessage(), e);
        }
        set.accept(options, checked(v));
    }

    Object record(O options) {
        return recordedValue != null ? recordedValue.apply(options) : type.toJson(get(options));
    }

    /** Checks the value {@code options} holds (set in code, not parsed): required and in range. */
    void validate(O options) {
        T v = get(options);
        if (v == null && requiredWhat != null) {
            throw new IllegalArgumentException("--" + name + " is required: " + requiredWhat);
        }
        checked(v);
    }

    private T checked(T v) {
        String must = type.violation(v);
        if (must != null) {
            throw new IllegalArgumentException("--" + name + " must be " + must + ", got " + type.format(v));
        }
        return v;
    }

    /** The left column of {@code --help}: "--name, --alias METAVAR". */
    String helpHead() {
        StringBuilder sb = new StringBuilder("--").append(name);
        for (String a : aliases) {
            sb.append(", --").append(a);
        }
        return type.isSwitch() ? sb.toString() : sb.append(' ').append(type.metavar()).toString();
    }

    /** The right column of {@code --help}: help, choices, default. */
    String helpText() {
        StringBuilder sb = new StringBuilder(help);
        if (notBuilt != null) {
            sb.append(" (not built here: ").append(notBuilt).append(')');
        }
        if (!type.choices().isEmpty()) {
            sb.append(" (").append(String.join(" | ", type.choices())).append(')');
        }
        if (type.repeatable()) {
            return sb.append(" [repeatable]").toString();
        }
        String shown = type.isSwitch() ? type.format(defaultValue) : defaultText == null ? "unset" : defaultText;
        return sb.append(" [default: ").append(shown).append(']').toString();
    }
}
