package dev.semaim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code semaim demo} without --output_dir trains in a temporary folder and removes it, also when a SIGTERM ends it in
 * the k-NN phase, outside the training loop's own signal handling, where the JVM exits without running the command's
 * finally (it left the folder, checkpoints and all, in the temporary directory).
 */
class DemoTemporaryFolderTest {
    private static final long TIMEOUT_S = 120;

    @TempDir
    Path dir;

    private static List<Path> demoFolders(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("semaim-demo-")).toList();
        }
    }

    @Test
    void aSigtermInTheKnnPhaseLeavesNoTemporaryFolder() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        ChildSemaim child = new ChildSemaim(dir);
        Process p = child.start("demo", List.of("-Djava.io.tmpdir=" + tmp), List.of("demo", "--quick"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!child.read("demo.out").contains("demo: k-NN features")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the demo never reached its k-NN phase\n" + child.read("demo.out") + child.read("demo.err"));
            }
            Thread.sleep(10);
        }
        assertEquals(1, demoFolders(tmp).size(), "the demo trains in a temporary folder");
        p.destroy();                                                     // SIGTERM
        assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), child.read("demo.err"));
        assertEquals(List.of(), demoFolders(tmp), child.read("demo.err"));
    }
}
