package dev.semaim.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19 item 4: TensorBoard event files read back by {@link TfEventsReader}, a reader that shares no code with
 * {@link EventFile}: every CRC, the version record, and each scalar's tag, step and value.
 */
class EventFileTest {
    @TempDir
    Path dir;

    /** The reader's CRC-32C against the published check values, so that writer and reader cannot agree on a wrong one. */
    @Test
    void theReadersCrc32cMatchesTheStandardCheckValues() {
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283L, TfEventsReader.crc32c(digits, 0, digits.length));
        assertEquals(0x8A9136AAL, TfEventsReader.crc32c(new byte[32], 0, 32));
        assertEquals(0L, TfEventsReader.crc32c(new byte[0], 0, 0));
    }

    @Test
    void scalarsReadBackWithTheirTagsStepsAndValues() throws IOException {
        EventFile f = new EventFile(dir.resolve("logs"));
        assertNull(f.file(), "no file before the first scalar");
        double before = System.currentTimeMillis() / 1000.0;
        String[] tags = {"loss", "lr", "perf/test_acc1", "grad_norm", "loss", "images_per_s", "ünï/cødé"};
        long[] steps = {0, 1, 127, 128, 1L << 40, Long.MAX_VALUE, 3};
        double[] values = {0.6931, 1.5e-4, 87.5, Double.NaN, Double.POSITIVE_INFINITY, -3.25, 1e-30};
        for (int i = 0; i < tags.length; i++) {
            f.scalar(tags[i], steps[i], values[i]);
        }
        double after = System.currentTimeMillis() / 1000.0;
        assertTrue(f.file().getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+\\.\\d+\\.\\d+"),
                f.file().toString());

        List<TfEventsReader.Event> events = TfEventsReader.read(f.file());
        assertEquals(1 + tags.length, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(List.of(), events.get(0).scalars());
        for (int i = 0; i < events.size(); i++) {
            double t = events.get(i).wallTime();
            assertTrue(t >= before - 1 && t <= after + 1, "wall_time " + t);
        }
        for (int i = 0; i < tags.length; i++) {
            TfEventsReader.Event e = events.get(1 + i);
            assertNull(e.fileVersion());
            assertEquals(steps[i], e.step(), tags[i]);
            assertEquals(List.of(new TfEventsReader.Scalar(tags[i], (float) values[i])), e.scalars(), "scalar " + i);
        }
    }

    @Test
    void everyCorruptedByteIsCaughtByACrc() throws IOException {
        EventFile f = new EventFile(dir);
        f.scalar("loss", 7, 0.5);
        byte[] good = Files.readAllBytes(f.file());
        for (int i = 0; i < good.length; i++) { // the reader's CRC checks cover every byte of the file
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Path p = dir.resolve("bad" + i);
            Files.write(p, bad);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TfEventsReader.read(p), "byte " + i);
            assertTrue(e.getMessage().contains("CRC mismatch") || e.getMessage().contains("truncated"), e.getMessage());
        }
        Path cut = dir.resolve("cut");
        Files.write(cut, Arrays.copyOf(good, good.length - 3));
        assertThrows(IllegalStateException.class, () -> TfEventsReader.read(cut));
    }

    @Test
    void twoWritersInOneFolderWriteTwoFiles() throws IOException {
        EventFile a = new EventFile(dir), b = new EventFile(dir);
        a.scalar("loss", 0, 1);
        b.scalar("loss", 0, 2);
        assertNotEquals(a.file(), b.file());
        assertEquals(2, TfEventsReader.read(a.file()).size());
        assertEquals(2, TfEventsReader.read(b.file()).size());
    }

    /** The official tags: loss, lr, grad_norm (and images/s) per optimizer step; perf/test_* per epoch. */
    @Test
    void tensorBoardLogWritesTheOfficialTags() throws IOException {
        TensorBoardLog log = new TensorBoardLog(dir);
        log.onIteration(new MetricsListener.Iteration(0, 0, 0, 2.5, 1e-4, false, Double.NaN, 80, Double.NaN));
        assertNull(log.file(), "micro-batches that do not step the optimizer are not written (as the official code)");
        log.onIteration(new MetricsListener.Iteration(0, 1, 1, 2.25, 2e-4, true, 3.5, 81, Double.NaN));
        log.onIteration(new MetricsListener.Iteration(0, 3, 3, 2.0, 3e-4, true, Double.NaN, 82, Double.NaN)); // norm not measured
        log.onEpoch(0, Map.of("train_loss", 2.0, "epoch", 0)); // pre-training: no held-out fields
        log.onEpoch(1, Map.of("test_acc1", 55.5, "test_acc5", 90.25, "test_loss", 1.125, "epoch", 1));
        List<TfEventsReader.Event> events = TfEventsReader.read(log.file());
        List<String> got = events.stream().skip(1)
                .map(e -> e.step() + " " + e.scalars().get(0).tag() + " " + e.scalars().get(0).value()).toList();
        assertEquals(List.of("1 loss 2.25", "1 lr " + (float) 2e-4, "1 grad_norm 3.5", "1 images_per_s 81.0",
                "3 loss 2.0", "3 lr " + (float) 3e-4, "3 images_per_s 82.0",
                "1 perf/test_acc1 55.5", "1 perf/test_acc5 90.25", "1 perf/test_loss 1.125"), got);
    }
}
