package dev.semaim.eval;

import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The one-line JSON summary every evaluation run leaves in {@code <output_dir>/results.json}. */
public final class RunResults {
    public static final String FILE = "results.json";

    private RunResults() {
    }

    /** Writes {@code fields} as one JSON object (temporary file, then rename) and returns the path. */
    public static Path write(Path outputDir, Map<String, ?> fields) throws IOException {
        Files.createDirectories(outputDir);
        Path file = outputDir.resolve(FILE);
        Path tmp = outputDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, Json.object(fields) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
