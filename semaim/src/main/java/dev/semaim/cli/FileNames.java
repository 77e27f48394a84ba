package dev.semaim.cli;

import dev.semaim.settings.ValueType;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * File names that say their format. Whoever opens a file goes by its name, so a command that writes one format
 * refuses an output named for another ({@code audit --out x.pth}, {@code visualize --out x.jpg}); {@code convert},
 * which writes either, takes the format from the name and refuses a name that says none.
 */
final class FileNames {
    private FileNames() {
    }

    /** Whether the name of {@code file} ends with one of {@code extensions} (".pth", lower case), in any case (".PNG"). */
    static boolean endsWithAny(Path file, List<String> extensions) {
        Path name = file.getFileName();
        return name != null && extensions.stream().anyMatch(name.toString().toLowerCase(Locale.ROOT)::endsWith);
    }

    /**
     * The type of a flag naming an output file written as {@code extension} (".png"): another name is refused when the
     * command line is parsed, before any work, naming the flag and the extension.
     */
    static ValueType<Path> output(String extension) {
        return ValueType.path().metavar("FILE").where(p -> endsWithAny(p, List.of(extension)), "a file name ending in " + extension);
    }
}
