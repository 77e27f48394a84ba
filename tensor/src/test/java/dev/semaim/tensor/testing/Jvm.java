package dev.semaim.tensor.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a fresh JVM with the test class path, for properties read once at class
 * initialisation ({@code semaim.threads}, {@code semaim.reference}), for a JVM without the Vector API module, and
 * for programs the tests compile themselves (the README's library example).
 */
public final class Jvm {
    private Jvm() {}

    /** The child's output (stdout and stderr); fails with its output when it exits non-zero or takes over 60 s. */
    public static String run(Class<?> main, String... systemProperties) {
        return run(true, null, main.getName(), systemProperties);
    }

    /** As {@link #run}, but the child starts without {@code --add-modules jdk.incubator.vector}, as a library user's JVM might. */
    public static String runWithoutVectorApi(Class<?> main, String... systemProperties) {
        return run(false, null, main.getName(), systemProperties);
    }

    /**
     * Runs {@code mainClass}, found in {@code extraClassPath} (e.g. classes compiled by the test) or the test class
     * path, with or without the Vector API module.
     */
    public static String run(boolean vectorApi, Path extraClassPath, String mainClass, String... systemProperties) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (extraClassPath != null) cp = extraClassPath + File.pathSeparator + cp;
        List<String> cmd = new ArrayList<>(List.of(java));
        if (vectorApi) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of("-cp", cp));
        for (String p : systemProperties) cmd.add("-D" + p);
        cmd.add(mainClass);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(mainClass + " did not finish in 60 s");
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new AssertionError(mainClass + " exited " + p.exitValue() + ":\n" + text);
            // the JVM's notice about the incubator module is not the child's output
            return text.replace("WARNING: Using incubator modules: jdk.incubator.vector", "").trim();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
