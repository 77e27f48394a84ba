package dev.semaim.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second signal, in a child JVM whose "step" never ends (a step or checkpoint that takes long): the first
 * SIGTERM is acknowledged and waits for the step, the second ends the process at once with 143. The first
 * signal's full path (checkpoint, exit code) is in {@code RunFolderCommandsTest} and {@code EpochLoopTest}.
 */
class StopSignalsTest {
    @TempDir
    Path dir;

    /** The child: handles the signals, says so, then "steps" for a minute. */
    public static final class LongStep {
        public static void main(String[] args) throws Exception {
            try (StopSignals s = StopSignals.install()) {
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(60_000);
                System.exit(s.requested() ? 3 : 0);
            }
        }
    }

    @Test
    void aSecondSignalEndsTheProcessAtOnce() throws Exception {
        Path out = dir.resolve("out"), err = dir.resolve("err");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LongStep.class.getName()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            await(() -> Files.readString(out).contains("ready"), p);
            p.destroy(); // SIGTERM
            await(() -> Files.readString(err).contains("stopping after the current step"), p);
            assertTrue(p.isAlive(), "the first signal waits for the step");
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the second signal did not end the process");
            assertEquals(143, p.exitValue());
            String text = Files.readString(err);
            assertTrue(text.contains("semaim: second signal (SIGTERM): stopping at once; the last checkpoint written stays"), text);
            assertFalse(Files.readString(out).contains("Exception"), text);
        } finally {
            p.destroyForcibly();
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check c, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.ok()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the child " + (p.isAlive() ? "timed out" : "ended with " + p.exitValue()));
            }
            Thread.sleep(20);
        }
    }
}
