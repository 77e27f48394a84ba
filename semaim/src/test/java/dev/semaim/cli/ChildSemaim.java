package dev.semaim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code semaim <args>} in child JVMs with the test class path; each child's stdout and stderr go to NAME.out and NAME.err in a folder. */
final class ChildSemaim {
    private final Path dir;

    ChildSemaim(Path dir) {
        this.dir = dir;
    }

    Process start(String name, List<String> args) throws IOException {
        return start(name, List.of(), args);
    }

    /** As {@link #start(String, List)}, with {@code jvmOptions} (e.g. -Djava.io.tmpdir=...) before the main class. */
    Process start(String name, List<String> jvmOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmOptions);
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    /** A file of the folder (e.g. "first.err"), or "" when absent. */
    String read(String file) throws IOException {
        Path p = dir.resolve(file);
        return Files.exists(p) ? Files.readString(p) : "";
    }
}
