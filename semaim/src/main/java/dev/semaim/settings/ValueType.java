package dev.semaim.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The type of a {@link Setting}: how its command-line text and its JSON value (in a checkpoint's {@code config} or
 * {@code results.json}) become a value and back, its metavar and choices for {@code --help}, and the range a value must
 * lie in ({@link #where}). Error messages leave the flag name out; {@link Setting} puts it in front.
 */
public final class ValueType<T> {
    private final String metavar;
    private final Function<String, T> parse;
    private final Function<T, Object> toJson;
    private final Function<Object, T> fromJson;
    private final Function<T, String> format;
    private final List<String> choices;
    private final boolean isSwitch;
    /** Non-null for a repeatable flag: the type of one occurrence (the value is the list of all of them). */
    private final ValueType<?> element;
    private final Predicate<T> valid;
    private final String validDescription;

    private ValueType(String metavar, Function<String, T> parse, Function<T, Object> toJson, Function<Object, T> fromJson,
                      Function<T, String> format, List<String> choices, boolean isSwitch, ValueType<?> element,
                      Predicate<T> valid, String validDescription) {
        this.metavar = metavar;
        this.parse = parse;
        this.toJson = toJson;
        this.fromJson = fromJson;
        this.format = format;
        this.choices = choices;
        this.isSwitch = isSwitch;
        this.element = element;
        this.valid = valid;
        this.validDescription = validDescription;
    }

    private static <T> ValueType<T> of(String metavar, Function<String, T> parse, Function<T, Object> toJson,
                                       Function<Object, T> fromJson) {
        return new ValueType<>(metavar, parse, toJson, fromJson, String::valueOf, List.of(), false, null, v -> true, null);
    }

    /** This type, whose values must also satisfy {@code ok}; {@code description} completes "must be ...". */
    public ValueType<T> where(Predicate<T> ok, String description) {
        Predicate<T> before = valid;
        String text = validDescription == null ? description : validDescription + " and " + description;
        return new ValueType<>(metavar, parse, toJson, fromJson, format, choices, isSwitch, element,
                v -> before.test(v) && ok.test(v), text);
    }

    /** This type shown as {@code metavar} in {@code --help}. */
    public ValueType<T> metavar(String name) {
        return new ValueType<>(name, parse, toJson, fromJson, format, choices, isSwitch, element, valid, validDescription);
    }

    // ------------------------------------------------------------------ the types

    /** An int; {@code --x 1.5} is "expected an integer". */
    public static ValueType<Integer> integer() {
        return of("N", t -> {
            try {
                return Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an integer, got '" + t + "'");
            }
        }, v -> v, j -> {
            long v = whole(j);
            if (v != (int) v) throw new IllegalArgumentException("is " + j + ", outside the int range");
            return (int) v;
        });
    }

    /** An int at least {@code min}. */
    public static ValueType<Integer> integer(int min) {
        return integer().where(v -> v >= min, "at least " + min);
    }

    /** A long at least {@code min} (seeds). */
    public static ValueType<Long> longInteger(long min) {
        return ValueType.<Long>of("N", t -> {
            try {
                return Long.parseLong(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an integer, got '" + t + "'");
            }
        }, v -> v, ValueType::whole).where(v -> v >= min, "at least " + min);
    }

    /** A finite double at least {@code min}. */
    public static ValueType<Double> number(double min) {
        return ValueType.<Double>of("X", ValueType::parseDouble, v -> v, ValueType::number)
                .where(v -> Double.isFinite(v) && v >= min, "a finite number >= " + plain(min));
    }

    /** A finite double strictly above {@code min}. */
    public static ValueType<Double> numberAbove(double min) {
        return ValueType.<Double>of("X", ValueType::parseDouble, v -> v, ValueType::number)
                .where(v -> Double.isFinite(v) && v > min, "a finite number > " + plain(min));
    }

    /** A positive finite double, or {@code none} (NaN in Java, null in JSON) for "off" / "unset". */
    public static ValueType<Double> positiveOrNone() {
        Function<String, Double> parse = t -> {
            if (t.equals("none")) {
                return Double.NaN;
            }
            double v = parseDouble(t);
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("expected a number or none, got '" + t + "'");
            }
            return v;
        };
        return new ValueType<Double>("X", parse, v -> v.isNaN() ? null : v,
                j -> j == null ? Double.NaN : number(j), v -> v.isNaN() ? "none" : String.valueOf(v), List.of(), false, null,
                v -> true, null).where(v -> v.isNaN() || (Double.isFinite(v) && v > 0), "a finite number > 0, or none");
    }

    /** A switch: false unless the flag is present; it takes no value on the command line. */
    public static ValueType<Boolean> toggle() {
        return new ValueType<>(null, Boolean::parseBoolean, v -> v, j -> {
            if (!(j instanceof Boolean)) {
                throw new IllegalArgumentException("is " + j + ", not true/false");
            }
            return (Boolean) j;
        }, v -> v ? "on" : "off", List.of(), true, null, v -> true, null);
    }

    /** Any text; null = unset. */
    public static ValueType<String> text() {
        return of("TEXT", t -> t, v -> v, ValueType::string);
    }

    /** A file or folder; null = unset, an empty value is refused. */
    public static ValueType<Path> path() {
        return ValueType.<Path>of("PATH", t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("is empty");
            }
            return Path.of(t);
        }, Path::toString, j -> j == null ? null : Path.of(string(j)));
    }

    /** A duration given in (fractional) minutes; null = unset. */
    public static ValueType<Duration> minutes() {
        return new ValueType<>("M", t -> duration(finite(parseDouble(t), t)), v -> v.toMillis() / 60_000.0,
                j -> j == null ? null : duration(number(j)),
                v -> plain(v.toMillis() / 60_000.0), List.of(), false, null, v -> !v.isNegative(), "at least 0 minutes");
    }

    /** One of the strings {@code names}. */
    public static ValueType<String> oneOf(List<String> names) {
        return new ValueType<>("NAME", t -> {
            if (!names.contains(t)) {
                throw new IllegalArgumentException("'" + t + "' is not one of " + String.join(" | ", names));
            }
            return t;
        }, v -> v, ValueType::string, v -> v, List.copyOf(names), false, null, v -> true, null);
    }

    /** A constant of a {@link Choice} enum, by its spellings. */
    public static <E extends Enum<E> & Choice> ValueType<E> choice(Class<E> type) {
        List<String> available = Choice.available(type);
        return new ValueType<>("NAME", t -> Choice.parse(type, t), Choice::spelling, j -> Choice.parse(type, string(j)),
                Choice::spelling, available, false, null, v -> v.unavailable() == null, "one of " + String.join(" | ", available));
    }

    /** Comma-separated constants of a {@link Choice} enum (at least one). */
    public static <E extends Enum<E> & Choice> ValueType<List<E>> choiceList(Class<E> type) {
        Function<String, List<E>> parse = t -> {
            List<E> out = new ArrayList<>();
            for (String s : t.split(",")) {
                if (!s.isBlank()) {
                    out.add(Choice.parse(type, s.trim()));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("expected one or more of " + String.join(" | ", Choice.available(type))
                        + " separated by commas");
            }
            return out;
        };
        Function<List<E>, String> format = v -> v.stream().map(Choice::spelling).collect(Collectors.joining(","));
        return new ValueType<>("LIST", parse, format::apply, j -> parse.apply(string(j)), format, Choice.available(type),
                false, null, v -> true, null);
    }

    /** Comma-separated positive integers ("10,20,30"). */
    public static ValueType<int[]> positiveIntList() {
        Function<String, int[]> parse = t -> {
            try {
                int[] out = Arrays.stream(t.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
                if (out.length == 0 || Arrays.stream(out).anyMatch(k -> k < 1)) {
                    throw new NumberFormatException();
                }
                return out;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected positive integers separated by commas, got '" + t + "'");
            }
        };
        Function<int[], String> format = v -> Arrays.stream(v).mapToObj(String::valueOf).collect(Collectors.joining(","));
        return new ValueType<>("K,K,...", parse, format::apply, j -> parse.apply(string(j)), format, List.of(), false, null,
                v -> true, null);
    }

    /** {@code count} comma-separated finite numbers ("0.2,0.8"). */
    public static ValueType<double[]> numbers(int count) {
        Function<String, double[]> parse = t -> {
            try {
                double[] out = Arrays.stream(t.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
                if (out.length != count || Arrays.stream(out).anyMatch(v -> !Double.isFinite(v))) {
                    throw new NumberFormatException();
                }
                return out;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + count + " numbers, got '" + t + "'");
            }
        };
        Function<double[], String> format = v -> Arrays.stream(v).mapToObj(ValueType::plain).collect(Collectors.joining(","));
        return new ValueType<>("X,X", parse, format::apply, j -> parse.apply(string(j)), format, List.of(), false, null,
                v -> true, null);
    }

    /** A flag that may be given several times; its value is the list of every occurrence, in order (empty if none). */
    public static <E> ValueType<List<E>> repeated(ValueType<E> element) {
        return new ValueType<>(element.metavar, t -> List.of(element.parse.apply(t)), v -> v.stream().map(element.toJson).toList(),
                j -> {
                    throw new IllegalArgumentException("a repeated flag is not read from JSON");
                }, v -> v.stream().map(element.format).collect(Collectors.joining(" ")), element.choices, false, element,
                v -> true, null);
    }

    // ------------------------------------------------------------------ used by Setting and Schema

    String metavar() {
        return metavar;
    }

    List<String> choices() {
        return choices;
    }

    boolean isSwitch() {
        return isSwitch;
    }

    boolean repeatable() {
        return element != null;
    }

    /** The value of the command-line text(s); a repeatable flag's occurrences become one list. */
    @SuppressWarnings("unchecked")
    T parse(List<String> texts) {
        if (element == null) {
            return parse.apply(texts.get(0));
        }
        List<Object> all = new ArrayList<>();
        for (String t : texts) {
            all.add(element.parse(List.of(t)));
        }
        return (T) List.copyOf(all);
    }

    Object toJson(T value) {
        return value == null ? null : toJson.apply(value);
    }

    T fromJson(Object json) {
        return fromJson.apply(json);
    }

    String format(T value) {
        return value == null ? "unset" : format.apply(value);
    }

    /** Null when {@code value} is allowed (an unset value always is: {@link Setting#required} refuses it), else what it must be. */
    String violation(T value) {
        return value == null || valid.test(value) ? null : validDescription;
    }

    // ------------------------------------------------------------------ conversions

    private static double parseDouble(String t) {
        try {
            return Double.parseDouble(t.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, got '" + t + "'");
        }
    }

    private static double finite(double v, String text) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("expected a finite number, got '" + text + "'");
        }
        return v;
    }

    private static Duration duration(double minutes) {
        return Duration.ofMillis(Math.round(minutes * 60_000));
    }

    private static double number(Object j) {
        if (!(j instanceof Number)) {
            throw new IllegalArgumentException("is " + j + ", not a number");
        }
        return ((Number) j).doubleValue();
    }

    private static long whole(Object j) {
        double d = number(j);
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException("is " + j + ", not an integer");
        }
        if (Math.abs(d) >= 0x1p63) { // (long) would saturate at Long.MAX_VALUE
            throw new IllegalArgumentException("is " + j + ", outside the long range");
        }
        return (long) d;
    }

    /** A JSON string or null. */
    private static String string(Object j) {
        if (j != null && !(j instanceof String)) {
            throw new IllegalArgumentException("is " + j + ", not a string");
        }
        return (String) j;
    }

    /** 0.0 as "0", 2.0E-4 as "2.0E-4": a bound in a message. */
    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
