package dev.semaim.dist.mpi;

import dev.semaim.cli.Main;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpirun -np N java -cp <test class path> MAIN ARGS} for the multi-process tests, each run's stdout and stderr in
 * NAME.out and NAME.err of a folder. Skips the calling test (with the reason) where Open MPI's mpirun is not installed;
 * .ci/run installs it. As root (CI) Open MPI needs OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM); --oversubscribe lets two ranks run
 * on a machine with fewer cores.
 */
final class Mpirun {
    private final Path dir;

    Mpirun(Path dir) {
        this.dir = dir;
    }

    /** The path of mpirun, or the test is skipped. */
    static String require() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, "mpirun");
            if (Files.isExecutable(p)) return p.toString();
        }
        Assumptions.abort("mpirun is not installed (apt-get install openmpi-bin): the multi-process tests are skipped");
        return null;
    }

    /** Starts the run; {@code wrapper} (may be null) is a script each rank runs with the java command as its arguments. */
    Process start(String name, int processes, Path wrapper, String mainClass, List<String> args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(require(), "--oversubscribe", "-np", String.valueOf(processes)));
        if (wrapper != null) cmd.add(wrapper.toString());
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        Map<String, String> env = pb.environment();
        env.put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        env.put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        env.put("OMPI_MCA_btl", "self,vader,tcp"); // no search for InfiniBand hardware in containers
        return pb.start();
    }

    /** Runs {@code semaim ARGS} on two processes and waits for it (at most 120 s); returns mpirun's exit status. */
    int run(String name, List<String> args) throws IOException, InterruptedException {
        Process p = start(name, 2, null, Main.class.getName(), args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mpirun did not end in 120 s: " + output(name));
        return p.exitValue();
    }

    /** Runs {@code semaim ARGS} in this JVM as one process, which must succeed; returns what it printed. */
    static String runInProcess(List<String> args) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(args.toArray(String[]::new), print, print), "single-process run failed: " + log);
        return log.toString(StandardCharsets.UTF_8);
    }

    /** A run's stdout and stderr together, for failure messages. */
    String output(String name) throws IOException {
        return read(name + ".out") + read(name + ".err");
    }

    String read(String file) throws IOException {
        Path p = dir.resolve(file);
        return Files.exists(p) ? Files.readString(p) : "";
    }
}
