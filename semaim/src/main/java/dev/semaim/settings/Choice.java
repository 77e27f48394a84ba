package dev.semaim.settings;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A choice-valued setting's constant (an enum implements it): its spelling on the command line and in saved configs
 * (the reference's string: the constant's name in lower case unless the enum says otherwise), and, for a constant that
 * is declared but cannot run yet, the reason. {@link #parse} is the one place a spelling becomes a constant. An enum
 * also overrides {@code toString} to return {@link #spelling}, so that messages and logs read as the command line does.
 */
public interface Choice {
    /** The spelling (what the command line takes and configs, logs and help print). */
    default String spelling() {
        return ((Enum<?>) this).name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Spellings the command line also accepts for this constant (older or official names); none by default. */
    default List<String> otherSpellings() {
        return List.of();
    }

    /** Why this choice cannot be used yet (a whole sentence naming what is missing), or null when it can. */
    default String unavailable() {
        return null;
    }

    /**
     * The constant of {@code type} spelled {@code text}. An unknown spelling is an {@link IllegalArgumentException}
     * "'x' is not one of a | b | c"; a declared but unavailable one names its reason.
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.spelling().equals(text) || e.otherSpellings().contains(text)) {
                if (e.unavailable() != null) {
                    throw new IllegalArgumentException("'" + text + "' " + e.unavailable());
                }
                return e;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(" | ", available(type)));
    }

    /** The canonical spellings of the usable constants, in declaration order. */
    static <E extends Enum<E> & Choice> List<String> available(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e.unavailable() == null).map(Choice::spelling)
                .collect(Collectors.toList());
    }
}
