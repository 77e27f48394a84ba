package dev.semaim.run;

import dev.semaim.nn.io.AtomicFile;
import dev.semaim.nn.io.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The log as it stood when a run reached batch {@code batch} of epoch {@code epoch}, for a run resumed there: the
     * lines written after its checkpoint (a kill comes between the two, or a stop saves a checkpoint behind the
     * iterations it had logged) describe batches and epochs the resumed run trains again and logs anew, so they go:
     * epoch lines of epoch {@code epoch} or later, iteration lines ({@code "iter"}) at or past the position, and a
     * line cut short by the kill. Other lines stay as they are. Rewritten atomically, only when a line goes.
     *
     * @return how many lines went
     */
    public int keepBefore(int epoch, int batch) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        List<String> kept = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.isBlank() || before(line, epoch, batch)) kept.add(line);
        }
        int dropped = lines.size() - kept.size();
        if (dropped > 0) {
            byte[] text = (kept.isEmpty() ? "" : String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(file, ch -> ch.write(ByteBuffer.wrap(text)));
        }
        return dropped;
    }

    /** Whether a line records something before (epoch, batch): false for a line that is not a JSON object (cut short). */
    private static boolean before(String line, int epoch, int batch) {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!(parsed instanceof Map<?, ?> fields)) return false;
        if (!(fields.get("epoch") instanceof Number e)) return true;              // not a training line: kept
        if (!(fields.get("iter") instanceof Number it)) return e.intValue() < epoch; // an epoch's line
        return e.intValue() < epoch || (e.intValue() == epoch && it.intValue() < batch);
    }
}
