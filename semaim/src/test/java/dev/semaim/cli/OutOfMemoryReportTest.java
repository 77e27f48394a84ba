package dev.semaim.cli;

import dev.semaim.train.PretrainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17, item 6: out of memory is one line with the model, batch, heap and the ways to more memory; exit 1. */
class OutOfMemoryReportTest {
    private static final long GIB = 1L << 30;

    @Test
    void namesCommandModelBatchHeapAndBothRemedies() {
        assertEquals("semaim pretrain: out of memory (model aim_base, --batch_size 8, --accum_iter 1, 2.0 GiB Java heap of 24.0 GiB memory): "
                        + "give Java more with SEMAIM_JAVA_OPTS=-Xmx18g (three quarters of the memory); "
                        + "or lower the batch and accumulate: --batch_size 4 --accum_iter 2 (the same effective batch 8)",
                OutOfMemoryReport.message("pretrain", null, Map.of("model", "aim_base", "batch_size", 8, "accum_iter", 1), 2 * GIB, 24 * GIB));
    }

    @Test
    void aHeapThatIsAlreadyMostOfTheMemoryIsNotOfferedMore() {
        String m = OutOfMemoryReport.message("finetune", null, Map.of("model", "vit_base_patch16", "batch_size", 9, "accum_iter", 2),
                18 * GIB, 24 * GIB);
        assertTrue(m.contains("the heap is already most of the memory (SEMAIM_JAVA_OPTS=-Xmx... sets it)"), m);
        assertTrue(m.endsWith("--batch_size 3 --accum_iter 6 (the same effective batch 18)"), m);
    }

    @Test
    void batchAdviceFitsTheCommand() {
        String prime = OutOfMemoryReport.message("pretrain", null, Map.of("model", "aim_tiny", "batch_size", 7, "accum_iter", 1), 256L << 20, 0);
        assertTrue(prime.contains("256 MiB Java heap): give Java more with SEMAIM_JAVA_OPTS=-Xmx512m;"), prime);
        assertTrue(prime.endsWith("--batch_size 1 --accum_iter 7 (the same effective batch 7)"), prime);
        String one = OutOfMemoryReport.message("pretrain", null, Map.of("model", "aim_base", "batch_size", 1, "accum_iter", 4), GIB, 0);
        assertTrue(one.endsWith("; it does not fit at batch 1: choose a smaller --model"), one);
        String knn = OutOfMemoryReport.message("knn", null, Map.of("model", "vit_small_patch16", "batch_size", 128), GIB, 4 * GIB);
        assertTrue(knn.endsWith("-Xmx3g (three quarters of the memory); or lower --batch_size (now 128)"), knn);
        String demo = OutOfMemoryReport.message("demo", null, Map.of(), GIB, 8 * GIB);
        assertEquals("semaim demo: out of memory (1.0 GiB Java heap of 8.0 GiB memory): give Java more with SEMAIM_JAVA_OPTS=-Xmx6g "
                + "(three quarters of the memory)", demo);
    }

    @Test
    void aReasonOtherThanTheHeapIsNamed() {
        Map<String, Object> settings = Map.of("model", "aim_base", "batch_size", 8, "accum_iter", 1);
        String array = OutOfMemoryReport.message("pretrain", OutOfMemoryReport.reason(new OutOfMemoryError("Requested array size exceeds VM limit")),
                settings, GIB, 4 * GIB);
        assertTrue(array.startsWith("semaim pretrain: out of memory (Requested array size exceeds VM limit; model aim_base, --batch_size 8"), array);
        assertNull(OutOfMemoryReport.reason(new OutOfMemoryError("Java heap space")));
        assertNull(OutOfMemoryReport.reason(new OutOfMemoryError()));
    }

    @Test
    void findsTheErrorBehindAWorkerThreadsFailure() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertSame(oom, OutOfMemoryReport.find(oom));
        assertSame(oom, OutOfMemoryReport.find(new IllegalStateException("building batch 3 of epoch 0 failed", new RuntimeException(oom))));
        assertNull(OutOfMemoryReport.find(new IllegalStateException("no")));
    }

    /** A pretrain command whose run throws what it is given, with the real pretrain flags. */
    private static Command throwing(Throwable t) {
        return new FlagCommand<>(PretrainOptions.SCHEMA, "test") {
            @Override
            int run(PretrainOptions o, PrintStream out, PrintStream err) throws Exception {
                if (t instanceof Exception e) throw e;
                throw (Error) t;
            }
        };
    }

    @Test
    void mainsHandlerPrintsOneLineAndReturnsOne() throws Exception {
        List<String> args = List.of("--model", "aim_small", "--batch_size=16", "--data_path", "embedded");
        for (Throwable t : List.of(new OutOfMemoryError("Java heap space"),
                new IllegalStateException("building batch 0 of epoch 0 failed", new OutOfMemoryError("Java heap space")))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.runCommand(throwing(t), "pretrain", args, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, status, text);
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("semaim pretrain: out of memory (model aim_small, --batch_size 16, --accum_iter 1, "), text);
            assertTrue(text.contains("SEMAIM_JAVA_OPTS=-Xmx") && text.contains("--batch_size 8 --accum_iter 2"), text);
        }
        IllegalStateException other = new IllegalStateException("not memory");
        assertSame(other, assertThrows(IllegalStateException.class,
                () -> Main.runCommand(throwing(other), "pretrain", args, System.out, System.err)));
    }

    /** The real thing: aim_base in a 64 MiB heap fails building the model, as one line on stderr and status 1. */
    @Test
    void pretrainInATinyHeapExitsOneWithOneLine(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseParallelGC", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "pretrain", "--model", "aim_base",
                "--batch_size", "8", "--data_path", "embedded", "--output_dir", dir.resolve("out").toString(), "--num_workers", "0")
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM timed out");
        String err = Files.readString(dir.resolve("stderr"));
        // the JVM's own note about the incubator module is not ours
        String ours = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).collect(Collectors.joining("\n"));
        assertEquals(1, p.exitValue(), err);
        assertTrue(ours.matches("semaim pretrain: out of memory \\(model aim_base, --batch_size 8, --accum_iter 1, \\d+ MiB Java heap.*"
                + "SEMAIM_JAVA_OPTS=-Xmx.*--batch_size 4 --accum_iter 2 \\(the same effective batch 8\\)"), ours);
    }
}
