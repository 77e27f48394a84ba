package dev.semaim.run;

import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * MAE-style {@code log.txt}: one JSON object per finished epoch, appended (a resumed run continues the file),
 * e.g. {@code {"train_loss": 0.71, "train_lr": 1.2e-4, "train_total_norm": 1.9, "epoch": 3, "n_parameters": 5717416,
 * "images_per_s": 85.0, "optimizer_steps": 400}}, and with {@code --log_every_steps} per-iteration objects that carry
 * an {@code "iter"} key (see {@code EpochLoop}).
 */
public final class JsonLinesLog {
    private final Path file;

    /** {@code log.txt} in {@code dir}. */
    public JsonLinesLog(Path dir) throws IOException {
        this(dir, RunFiles.LOG);
    }

    /** The file {@code name} in {@code dir} (e.g. {@code <model>.<experiment>.log.txt}, {@link RunFiles#logFile}). */
    public JsonLinesLog(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve(name);
    }

    /** The log of {@code files}: {@link RunFiles#logFile}. */
    public static JsonLinesLog of(RunFiles files) throws IOException {
        Path f = files.logFile();
        return new JsonLinesLog(f.getParent(), f.getFileName().toString());
    }

    public Path file() {
        return file;
    }

    public void append(Map<String, ?> fields) throws IOException {
        Files.writeString(file, Json.object(fields) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
}
