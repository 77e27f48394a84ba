package dev.semaim.cli;

import dev.semaim.run.Checkpoints;
import dev.semaim.run.RunFolder;
import dev.semaim.run.TrainingState;

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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run's folder across processes (issue 17, items 1, 7, 8 and 9): {@code semaim pretrain} in child JVMs on the
 * embedded data with a tiny model. A second run in a folder in use is refused naming the holder; SIGTERM and
 * SIGINT stop after the current step with a resumable checkpoint and exit 143/130; the lock goes with the
 * process; a stale temporary file is removed with a note; an unwritable folder fails before any work; a
 * finished run re-run has nothing to do.
 */
class RunFolderCommandsTest {
    private static final long TIMEOUT_S = 60;

    @TempDir
    Path dir;

    private ChildSemaim child() {
        return new ChildSemaim(dir);
    }

    /** A tiny pre-training run: width 32, depth 2, 16 px, batch 16; a step takes a few milliseconds. */
    private List<String> pretrain(Path out, int epochs, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--data_path", "embedded", "--input_size", "16", "--patch_size", "4",
                "--in_chans", "1", "--model", "aim_tiny", "--embed_dim", "32", "--depth", "2", "--num_heads", "2", "--query_depth", "2",
                "--batch_size", "16", "--num_workers", "0", "--print_every", "1", "--warmup_epochs", "0",
                "--epochs", Integer.toString(epochs), "--max_steps_per_epoch", Integer.toString(steps), "--output_dir", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private int exit(Process p, String name) throws Exception {
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not end\n" + child().read(name + ".out") + child().read(name + ".err"));
        }
        return p.exitValue();
    }

    /** Waits until the child has taken a step (it holds the folder from before its first step). */
    private void awaitSteps(Process p, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!child().read(name + ".out").contains("]  [2/")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + " took no step\n" + child().read(name + ".out") + child().read(name + ".err"));
            }
            Thread.sleep(50);
        }
    }

    private static int run(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** (epoch, batch) of "stopped by SIGxxx at epoch E, batch B". */
    private static int[] stoppedAt(String message) {
        Matcher m = Pattern.compile("stopped by SIG\\w+ at epoch (\\d+), batch (\\d+)").matcher(message);
        assertTrue(m.find(), message);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @Test
    void aSecondRunIsRefusedAndSigtermLeavesAResumableCheckpoint() throws Exception {
        Path out = dir.resolve("run");
        Process first = child().start("first", pretrain(out, 3, 200));
        awaitSteps(first, "first");

        // the second pretrain, in its own process, is refused naming the folder and the first run's process
        Process second = child().start("second", pretrain(out, 3, 200, "--seed", "1"));
        assertEquals(1, exit(second, "second"), child().read("second.err"));
        String refused = "semaim pretrain: error: output folder " + out + " is in use by process " + first.pid() + " on host ";
        assertTrue(child().read("second.err").contains(refused), child().read("second.err"));
        assertFalse(child().read("second.out").contains("Epoch:"), "the second run took no step");
        // and so are the evaluations with the same --output_dir
        for (String command : List.of("knn", "finetune", "linprobe")) {
            ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
            assertEquals(1, run(List.of(command, "--data_path", "embedded", "--output_dir", out.toString()), o, e), e.toString());
            assertTrue(e.toString().startsWith("semaim " + command + ": error: output folder " + out + " is in use by process "
                    + first.pid() + " on host "), e.toString());
        }

        first.destroy(); // SIGTERM
        assertEquals(143, exit(first, "first"), child().read("first.err"));
        String err = child().read("first.err");
        assertTrue(err.contains("semaim: SIGTERM: stopping after the current step with a checkpoint (SIGTERM again stops at once)"), err);
        assertTrue(err.contains("semaim pretrain: stopped by SIGTERM at epoch "), err);
        assertTrue(err.contains(": wrote " + out.resolve(Checkpoints.LATEST) + "; the same command continues from there"), err);
        int[] at = stoppedAt(err);
        int epoch = at[0], batch = at[1];
        assertTrue(epoch * 200 + batch >= 3, err);
        TrainingState saved = Checkpoints.load(out.resolve(Checkpoints.LATEST)).state();
        assertEquals(new TrainingState(epoch, batch, epoch * 200L + batch, 0, 0, saved.epochSoFar()), saved);
        assertEquals(batch, saved.epochSoFar().iterations(), "the sums of the epoch's log line so far are saved with it");
        assertEquals(0, Files.size(out.resolve(RunFolder.LOCK_FILE)), "the lock record goes with the run");

        // a temporary file of a killed write is removed at the next start; the run resumes where the signal stopped it
        Files.write(out.resolve(".checkpoint-latest.safetensors.3k9x0a.tmp"), new byte[1000]);
        Process resumed = child().start("resumed", pretrain(out, epoch + 1, batch + 2));
        assertEquals(0, exit(resumed, "resumed"), child().read("resumed.out") + child().read("resumed.err"));
        assertTrue(child().read("resumed.err").contains("note: removed 1 temporary file of interrupted writes (1000 bytes) from " + out),
                child().read("resumed.err"));
        assertFalse(Files.exists(out.resolve(".checkpoint-latest.safetensors.3k9x0a.tmp")));
        String log = child().read("resumed.out");
        assertTrue(log.contains("resumed from " + out.resolve(Checkpoints.LATEST) + " at epoch " + epoch + ", batch " + batch), log);
        assertTrue(log.contains("Epoch: [" + epoch + "/" + (epoch + 1) + "]  [" + (batch + 1) + "/" + (batch + 2) + "]") && !log.contains("[" + (batch - 1) + "/"), log);
    }

    @Test
    void sigintStopsWithExitCode130AndACheckpoint() throws Exception {
        Path out = dir.resolve("run");
        Process p = child().start("run", pretrain(out, 3, 200));
        awaitSteps(p, "run");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertEquals(130, exit(p, "run"), child().read("run.err"));
        int[] at = stoppedAt(child().read("run.err"));
        TrainingState saved = Checkpoints.load(out.resolve(Checkpoints.LATEST)).state();
        assertEquals(at[0] + ", " + at[1], saved.epoch() + ", " + saved.batch());
    }

    /** A run killed with SIGKILL leaves its lock record; the next run on this host takes the lock over with a note. */
    @Test
    void aLockLeftByAKilledRunIsTakenOverWithANote() throws Exception {
        Path out = dir.resolve("run");
        Process killed = child().start("killed", pretrain(out, 3, 200));
        awaitSteps(killed, "killed");
        killed.destroyForcibly(); // SIGKILL: no handler, no hook runs
        assertEquals(137, exit(killed, "killed"));
        assertTrue(Files.readString(out.resolve(RunFolder.LOCK_FILE)).startsWith("pid=" + killed.pid() + "\n"));

        Process next = child().start("next", pretrain(out, 1, 2));
        assertEquals(0, exit(next, "next"), child().read("next.out") + child().read("next.err"));
        assertTrue(child().read("next.err").contains("note: output folder " + out + ": taking over the lock left by process " + killed.pid()
                + " (since "), child().read("next.err"));
        assertTrue(child().read("next.err").contains("), which is no longer running"), child().read("next.err"));
    }

    /**
     * Outside the training loop (here k-NN's model and features) a signal ends the process at once, as the JVM
     * does by default (143), and the lock record goes with it (a shutdown hook).
     */
    @Test
    void aSignalOutsideTheTrainingLoopExitsAtOnceAndClearsTheLockRecord() throws Exception {
        Path out = dir.resolve("knn");
        Process p = child().start("knn", List.of("knn", "--data_path", "embedded", "--output_dir", out.toString()));
        Path lock = out.resolve(RunFolder.LOCK_FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!child().read("knn.out").contains("no --finetune")) { // printed after the folder is held, before the features
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "knn did not start: " + child().read("knn.err"));
            Thread.sleep(20);
        }
        assertTrue(Files.size(lock) > 0, "knn holds its folder");
        p.destroy();
        assertEquals(143, exit(p, "knn"), child().read("knn.err"));
        assertEquals(0, Files.size(lock), "the lock record is cleared on the way out");
    }

    /** An unwritable --output_dir (under a regular file, which stops root too) fails before data, model or step. */
    @Test
    void anUnwritableOutputFolderFailsBeforeAnyWork() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        assertEquals(2, run(pretrain(file.resolve("out"), 1, 2), o, e));
        assertTrue(e.toString().startsWith("semaim pretrain: --output_dir " + file.resolve("out") + " is not a writable folder: "), e.toString());
        assertEquals(1, e.toString().strip().lines().count(), e.toString());
        assertEquals("", o.toString(), "nothing before the check");
        e.reset();
        assertEquals(2, run(pretrain(dir.resolve("ok"), 1, 2, "--log_dir", file.resolve("logs").toString()), o, e));
        assertTrue(e.toString().startsWith("semaim pretrain: --log_dir " + file.resolve("logs") + " is not a writable folder: "), e.toString());
        assertFalse(Files.exists(dir.resolve("ok")), "the --output_dir this start created is gone again");
    }

    @Test
    void aFinishedRunRerunHasNothingToDoAndPrintsNoNaN() throws Exception {
        Path out = dir.resolve("run");
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        assertEquals(0, run(pretrain(out, 1, 2), o, e), e.toString());
        o.reset();
        assertEquals(0, run(pretrain(out, 1, 2), o, e), e.toString());
        String text = o.toString();
        assertTrue(text.contains("done: nothing to train, all 1 epochs were done already (2 optimizer steps); checkpoint "
                + out.resolve(Checkpoints.LATEST)), text);
        assertFalse(text.contains("NaN"), text);
    }
}
