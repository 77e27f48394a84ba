package dev.semaim.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed PTX resources are what nvcc makes of the committed .cu sources (the command of
 * scripts/gpu/compile-ptx.sh). Skipped where nvcc is not on the PATH or is another release than the
 * one that wrote the PTX (its header names it), since other releases emit different PTX.
 */
class PtxUpToDateTest {
    /** The module folder: the working directory under Maven, cuda/ from the repository root. */
    private static final Path MODULE = Files.isDirectory(Path.of("src/main/cuda")) ? Path.of(".") : Path.of("cuda");
    private static final Path SRC = MODULE.resolve("src/main/cuda"), RES = MODULE.resolve("src/main/resources/dev/semaim/cuda");

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new AssertionError(String.join(" ", cmd) + " failed: " + err);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String release(String text) {
        for (String line : text.split("\n")) if (line.contains("Cuda compilation tools")) return line.replaceAll("^[/ ]*", "").trim();
        return "unknown";
    }

    @Test
    void committedPtxMatchesAFreshCompile() throws Exception {
        assumeTrue(Files.isDirectory(SRC), "skipped: the CUDA sources are not here (" + SRC.toAbsolutePath() + ")");
        String version;
        try {
            version = run(Path.of("."), "nvcc", "--version");
        } catch (IOException e) {
            assumeTrue(false, "skipped: nvcc is not on the PATH");
            return;
        }
        for (String m : Kernels.MODULES) {
            String committed = Files.readString(RES.resolve(m + ".ptx"));
            assumeTrue(release(version).equals(release(committed)),
                    "skipped: nvcc here is '" + release(version) + "', the PTX was written by '" + release(committed) + "'");
            String fresh = run(SRC, "nvcc", "--ptx", "-arch=compute_80", "-O3", m + ".cu", "-o", "-");
            assertEquals(committed, fresh, m + ".ptx is stale: run scripts/gpu/compile-ptx.sh and commit the result");
        }
    }
}
