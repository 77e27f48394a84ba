package dev.semaim.eval;

import dev.semaim.nn.io.AtomicFile;
import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The one-line JSON summary every evaluation run leaves in {@code <output_dir>/results.json}. */
public final class RunResults {
    public static final String FILE = "results.json";

    private RunResults() {
    }

    /** Writes {@code fields} as one JSON object atomically ({@link AtomicFile}) and returns the path. */
    public static Path write(Path outputDir, Map<String, ?> fields) throws IOException {
        Files.createDirectories(outputDir);
        Path file = outputDir.resolve(FILE);
        byte[] json = (Json.object(fields) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(json);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
        return file;
    }
}
