package dev.semaim.dist;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A collective that never completes ends the process after the timeout, with a message and exit code 1. */
class WatchdogTest {
    /** A rank whose peers never answer: waits on a collective that never completes, with a 1 s timeout. */
    public static final class Stuck {
        public static void main(String[] args) {
            Watchdog.await(new CompletableFuture<Void>(), "all-reduce of 3 floats", 1, Duration.ofSeconds(1));
            System.out.println("returned");
        }
    }

    @Test
    void aCollectiveThatNeverCompletesEndsTheProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(java, "-cp", cp, Stuck.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the stuck process did not end");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("semaim: rank 1: all-reduce of 3 floats has waited 1 s for the other processes: one of them has died "
                + "or stopped responding; ending this process (--dist_timeout)"), out);
        assertTrue(!out.contains("returned"), out);
        assertTrue((System.nanoTime() - t0) / 1e9 < 30);
    }
}
