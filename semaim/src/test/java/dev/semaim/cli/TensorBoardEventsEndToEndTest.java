package dev.semaim.cli;

import dev.semaim.nn.io.Json;
import dev.semaim.run.TfEventsReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19 items 4 and 5 end to end: {@code pretrain} and {@code linprobe} with {@code --log_dir} write one
 * TensorBoard event file there, decoded by the independent {@link TfEventsReader}, whose scalars are those of log.txt
 * (its per-iteration lines from {@code --log_every_steps} and its epoch lines).
 */
class TensorBoardEventsEndToEndTest {
    @TempDir
    Path dir;

    private static void ok(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    }

    private static Path onlyEventFile(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
            assertEquals(1, files.size(), folder + ": " + files);
            return files.get(0);
        }
    }

    /** step -> tag -> value of every scalar in the file, after checking its version record. */
    private static Map<Long, Map<String, Float>> scalars(Path file) throws IOException {
        List<TfEventsReader.Event> events = TfEventsReader.read(file);
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        Map<Long, Map<String, Float>> byStep = new TreeMap<>();
        for (TfEventsReader.Event e : events.subList(1, events.size())) {
            assertEquals(1, e.scalars().size());
            TfEventsReader.Scalar s = e.scalars().get(0);
            assertEquals(null, byStep.computeIfAbsent(e.step(), k -> new TreeMap<>()).put(s.tag(), s.value()), "twice: " + s);
        }
        return byStep;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> log(Path file) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            lines.add((Map<String, Object>) Json.parse(l));
        }
        return lines;
    }

    private static float f(Object number) {
        return ((Number) number).floatValue();
    }

    @Test
    void pretrainWritesLossLrGradNormAndRatePerStepMatchingLogTxt() throws IOException {
        Path out = dir.resolve("out"), logs = dir.resolve("logs");
        ok("pretrain", "--data_path", "embedded", "--input_size", "16", "--patch_size", "4", "--in_chans", "1", "--model", "aim_tiny",
                "--embed_dim", "32", "--depth", "2", "--num_heads", "2", "--query_depth", "2", "--batch_size", "8", "--num_workers", "0",
                "--warmup_epochs", "0.5", "--epochs", "2", "--max_steps_per_epoch", "3", "--output_dir", out.toString(),
                "--log_dir", logs.toString(), "--log_every_steps", "2");
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("events.")), "the event file goes to --log_dir");
        }
        Map<Long, Map<String, Float>> tb = scalars(onlyEventFile(logs));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), List.copyOf(tb.keySet()), "one step per iteration of 2 x 3");
        for (Map<String, Float> step : tb.values()) {
            assertEquals(List.of("grad_norm", "images_per_s", "loss", "lr"), List.copyOf(step.keySet()));
            assertTrue(step.get("grad_norm") > 0 && Float.isFinite(step.get("grad_norm")), step.toString());
            assertTrue(step.get("images_per_s") > 0, step.toString());
        }

        List<Map<String, Object>> lines = log(logs.resolve("log.txt"));
        List<Map<String, Object>> iterations = lines.stream().filter(l -> l.containsKey("iter")).toList();
        assertEquals(List.of(0L, 2L, 4L), iterations.stream().map(l -> ((Number) l.get("step")).longValue()).toList());
        for (Map<String, Object> it : iterations) { // the same numbers in both logs
            Map<String, Float> step = tb.get(((Number) it.get("step")).longValue());
            assertEquals(f(it.get("train_loss")), step.get("loss"), it.toString());
            assertEquals(f(it.get("train_lr")), step.get("lr"), it.toString());
            assertEquals(f(it.get("train_total_norm")), step.get("grad_norm"), it.toString());
        }
        List<Map<String, Object>> epochs = lines.stream().filter(l -> !l.containsKey("iter")).toList();
        assertEquals(2, epochs.size());
        for (int e = 0; e < 2; e++) {
            float mean = (tb.get(3L * e).get("grad_norm") + tb.get(3L * e + 1).get("grad_norm") + tb.get(3L * e + 2).get("grad_norm")) / 3;
            assertEquals(mean, f(epochs.get(e).get("train_total_norm")), 1e-4 * mean, epochs.get(e).toString());
            assertTrue(((Number) epochs.get(e).get("n_parameters")).longValue() > 10_000, epochs.get(e).toString());
        }
    }

    /** A resumed run leaves the first run's event file as it was and adds its own, continuing the steps. */
    @Test
    void aResumedRunAddsAnEventFileOfItsOwn() throws IOException {
        Path out = dir.resolve("out");
        String[] first = {"pretrain", "--data_path", "embedded", "--input_size", "16", "--patch_size", "4", "--in_chans", "1",
                "--model", "aim_tiny", "--embed_dim", "32", "--depth", "2", "--num_heads", "2", "--query_depth", "2",
                "--batch_size", "8", "--num_workers", "0", "--warmup_epochs", "0", "--epochs", "1", "--max_steps_per_epoch", "2",
                "--output_dir", out.toString()};
        ok(first);
        Path firstFile = onlyEventFile(out);
        byte[] firstBytes = Files.readAllBytes(firstFile);
        String[] second = first.clone();
        second[java.util.Arrays.asList(second).indexOf("--epochs") + 1] = "2";
        ok(second);
        assertArrayEquals(firstBytes, Files.readAllBytes(firstFile), "the first file is not touched");
        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.") && !p.equals(firstFile)).toList();
        }
        assertEquals(1, files.size(), files.toString());
        assertEquals(List.of(0L, 1L), List.copyOf(scalars(firstFile).keySet()));
        assertEquals(List.of(2L, 3L), List.copyOf(scalars(files.get(0)).keySet()), "the second epoch's steps");
    }

    @Test
    void linprobeWritesTheHeldOutAccuracyPerEpoch() throws IOException {
        Path out = dir.resolve("probe");
        ok("linprobe", "--model", "vit_tiny_patch4", "--input_size", "16", "--in_chans", "1", "--embed_dim", "32", "--depth", "2",
                "--num_heads", "2", "--data_path", "embedded", "--nb_classes", "10", "--num_workers", "0", "--batch_size", "16",
                "--epochs", "2", "--warmup_epochs", "0", "--max_steps_per_epoch", "2", "--max_train_images", "64",
                "--max_eval_images", "32", "--output_dir", out.toString());
        Map<Long, Map<String, Float>> tb = scalars(onlyEventFile(out)); // no --log_dir: beside log.txt in --output_dir
        List<Map<String, Object>> epochs = log(out.resolve("log.txt"));
        assertEquals(2, epochs.size());
        for (int e = 0; e < 2; e++) {
            Map<String, Object> line = epochs.get(e);
            Map<String, Float> atEpoch = tb.get((long) e);
            assertEquals(f(line.get("test_acc1")), atEpoch.get("perf/test_acc1"), line.toString());
            assertEquals(f(line.get("test_acc5")), atEpoch.get("perf/test_acc5"), line.toString());
            assertEquals(f(line.get("test_loss")), atEpoch.get("perf/test_loss"), line.toString());
            assertTrue(line.get("train_total_norm") instanceof Number, "the head's gradient norm: " + line);
        }
        for (long step = 0; step < 4; step++) {
            assertTrue(tb.get(step).keySet().containsAll(List.of("loss", "lr", "grad_norm", "images_per_s")), tb.get(step).toString());
        }
    }
}
