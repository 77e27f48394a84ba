package dev.semaim.eval;

import dev.semaim.nn.io.AtomicFile;
import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The one-line JSON summary every evaluation run leaves in {@code <output_dir>/results.json} ({@link dev.semaim.run.RunFiles#results}). */
public final class RunResults {
    public static final String FILE = dev.semaim.run.RunFiles.RESULTS;

    private RunResults() {
    }

    /** Writes {@code fields} as one JSON object atomically ({@link AtomicFile}) to {@code file} and returns it. */
    public static Path write(Path file, Map<String, ?> fields) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
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
