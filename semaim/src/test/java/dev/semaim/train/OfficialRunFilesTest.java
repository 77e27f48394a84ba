package dev.semaim.train;

import dev.semaim.run.Checkpoints;
import dev.semaim.viz.Curves;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18: a tiny pre-training run with the official file names ({@code --experiment}), from an official start epoch
 * ({@code --start_epoch}), and with a warm-up longer than the run (cut to the run with a note).
 */
class OfficialRunFilesTest {
    @TempDir
    Path dir;

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void experimentNamesTheFilesAsTheOfficialCodeAndTheRunResumesFromThem() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.experiment = "exp0";
        o.logDir = dir.resolve("tb");
        o.epochs = 1;
        o.warmupEpochs = 0;
        o.maxStepsPerEpoch = 2;
        TinyRun.run(o, -1);
        assertEquals(List.of(".semaim.lock", "aim_tiny.exp0.0001.safetensors", "aim_tiny.exp0.log.txt", "aim_tiny.exp0.temp.safetensors", "tb"),
                names(dir));
        List<String> events = names(dir.resolve("tb").resolve("aim_tiny.exp0"));
        assertTrue(events.size() == 1 && events.get(0).startsWith("events.out.tfevents."), events.toString());
        assertEquals(1, Files.readAllLines(dir.resolve("aim_tiny.exp0.log.txt")).size());
        // the CLI's curves beside that log take its stem
        assertEquals(dir.resolve("aim_tiny.exp0.curves.png").toAbsolutePath(), Curves.writeForRun(dir.resolve("aim_tiny.exp0.log.txt")));

        o.epochs = 2; // the official auto-resume reads <model>.<experiment>.temp
        TinyRun again = TinyRun.run(o, -1);
        assertTrue(again.output().contains("resumed from " + dir.resolve("aim_tiny.exp0.temp.safetensors") + " at epoch 1, batch 0"),
                again.output());
        assertEquals(2, Files.readAllLines(dir.resolve("aim_tiny.exp0.log.txt")).size());
        assertTrue(Files.isRegularFile(dir.resolve("aim_tiny.exp0.0002.safetensors")));
        assertFalse(Files.exists(dir.resolve(Checkpoints.LATEST)) || Files.exists(dir.resolve("log.txt")));

        // another experiment in the same folder starts fresh beside it
        o.experiment = "exp1";
        TinyRun other = TinyRun.run(o, -1);
        assertFalse(other.output().contains("resumed from"), other.output());
        assertTrue(Files.isRegularFile(dir.resolve("aim_tiny.exp1.0002.safetensors")));
    }

    @Test
    void startEpochStartsTheRunAndItsScheduleThere() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.epochs = 3;
        o.startEpoch = 2;
        o.maxStepsPerEpoch = 2;
        TinyRun r = TinyRun.run(o, -1);
        assertEquals(2, r.losses.size(), "one epoch of two steps");
        List<String> log = Files.readAllLines(dir.resolve("log.txt"));
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains("\"epoch\": 2") && log.get(0).contains("\"optimizer_steps\": 2"), log.get(0));
        assertEquals("3", Checkpoints.load(dir.resolve(Checkpoints.LATEST)).metadata().get("epoch"));

        o.epochs = 4; // a checkpoint's epoch wins, with a note
        TinyRun resumed = TinyRun.run(o, -1);
        assertTrue(resumed.output().contains("note: --start_epoch 2 ignored: the run continues from its checkpoint "
                + dir.resolve(Checkpoints.LATEST)), resumed.output());
    }

    @Test
    void aWarmupLongerThanTheRunIsCutToTheRunWithANote() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.epochs = 1;
        o.warmupEpochs = 30; // the official default, on a first one-epoch try
        o.maxStepsPerEpoch = 2;
        TinyRun r = TinyRun.run(o, -1);
        assertTrue(r.output().contains("note: --warmup_epochs 30 is longer than the run (--epochs 1): the warm-up is cut to 1 epoch, "
                + "so the lr rises to its peak at the end of the run with no cosine decay"), r.output());
        assertEquals(2, r.losses.size());
        assertTrue(Checkpoints.load(dir.resolve(Checkpoints.LATEST)).metadata().get("config").contains("\"warmup_epochs\": 1.0"));
    }
}
