package dev.semaim.viz;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingLogTest {
    /** Issue 19 item 5: the lines of --log_every_steps (an "iter" key) stay out of the epoch columns that plot draws. */
    @Test
    void iterationLinesAreKeptApartFromEpochLines(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log.txt");
        Files.writeString(log, """
                {"epoch": 0, "iter": 0, "step": 0, "train_loss": 9.0, "train_lr": 0.0, "images_per_s": 10.0}
                {"train_loss": 2.0, "train_lr": 1e-4, "train_total_norm": 1.5, "epoch": 0, "n_parameters": 6}
                {"epoch": 1, "iter": 0, "step": 2, "train_loss": 8.0, "train_lr": 0.0, "images_per_s": 10.0}

                {"train_loss": 1.0, "train_lr": 2e-4, "train_total_norm": 1.25, "epoch": 1, "n_parameters": 6}
                """);
        TrainingLog l = TrainingLog.read(log);
        assertArrayEquals(new double[]{2.0, 1.0}, l.column("train_loss"));
        assertArrayEquals(new double[]{0, 1}, l.column("epoch"));
        assertEquals(2, l.iterations().size());
        assertEquals(8.0, ((Number) l.iterations().get(1).get("train_loss")).doubleValue());
    }
}
