package dev.semaim.cli;

import dev.semaim.nn.io.AtomicFile;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A `kill -9` while a checkpoint is being written never costs the last good one (issue 17): {@code semaim pretrain}
 * in a child JVM rewrites its rolling checkpoint after every optimizer step, and is killed the moment a temporary file
 * of that write appears in the folder, three times over. Each time the rolling checkpoint is whole and loads, and the
 * next run removes the half-written temporary file with a note and continues from it.
 */
class KillDuringCheckpointTest {
    private static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    private ChildSemaim child() {
        return new ChildSemaim(dir);
    }

    /** aim_tiny at 28 px (5.5 M parameters, a 64 MB checkpoint with the optimizer state): a write takes a while. */
    private List<String> pretrain(Path out) {
        return List.of("pretrain", "--data_path", "embedded", "--input_size", "28", "--patch_size", "4", "--in_chans", "1",
                "--model", "aim_tiny", "--depth", "2", "--query_depth", "2", "--batch_size", "8", "--num_workers", "0",
                "--print_every", "1", "--warmup_epochs", "0", "--epochs", "1", "--max_steps_per_epoch", "12",
                "--save_every_steps", "1", "--output_dir", out.toString());
    }

    private static List<Path> temporaries(Path out) throws IOException {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> AtomicFile.isTemporary(p.getFileName().toString())).toList();
        }
    }

    @Test
    void aKillWhileTheCheckpointIsWrittenLeavesTheLastGoodOneWhole() throws Exception {
        Path out = dir.resolve("run"), latest = out.resolve(Checkpoints.LATEST);
        long lastBatch = -1;
        for (int kill = 0; kill < 3; kill++) {
            String name = "run" + kill;
            List<Path> leftByTheLastKill = temporaries(out);
            Process p = child().start(name, pretrain(out));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            // wait for a checkpoint write of this run in progress (after its first, so there is a last good one to lose)
            while (!(Files.exists(latest) && temporaries(out).stream().anyMatch(t -> !leftByTheLastKill.contains(t))
                    && child().read(name + ".out").contains("Epoch:"))) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError(name + " wrote no checkpoint\n" + child().read(name + ".out") + child().read(name + ".err"));
                }
                Thread.sleep(2);
            }
            p.destroyForcibly().waitFor(TIMEOUT_S, TimeUnit.SECONDS);             // SIGKILL: no handler runs
            if (kill > 0) {
                assertTrue(child().read(name + ".err").contains("note: removed 1 temporary file of interrupted writes"),
                        name + " did not clean up the previous kill's temporary file:\n" + child().read(name + ".err"));
            }
            TrainingState state = Checkpoints.load(latest).state();                 // whole: it loads
            long batch = state.optimizerSteps();
            assertTrue(batch >= Math.max(1, lastBatch), "kill " + kill + ": the last good checkpoint was lost (" + batch + " after " + lastBatch + ")");
            lastBatch = batch;
        }
        // the run after the last kill cleans up and finishes from the checkpoint
        Process last = child().start("last", pretrain(out));
        assertTrue(last.waitFor(TIMEOUT_S * 3, TimeUnit.SECONDS), "the last run did not end");
        assertEquals(0, last.exitValue(), child().read("last.err"));
        assertTrue(child().read("last.out").contains("resumed from " + latest), child().read("last.out"));
        assertTrue(child().read("last.err").contains("note: removed 1 temporary file of interrupted writes"), child().read("last.err"));
        assertEquals(List.of(), temporaries(out));
    }
}
