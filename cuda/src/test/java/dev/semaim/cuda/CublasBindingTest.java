package dev.semaim.cuda;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.semaim.cuda.GpuTestSupport.CPU;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The JNA binding's loading, start-up and error paths and its argument marshalling, without a GPU: against a stand-in
 * libcublas.so.13 (fake_cublas.c, compiled here with the C compiler, which the test needs) that depends on a
 * libcublasLt.so.13 found nowhere on the loader's path, so loading works only because the binding loads Lt first. Their
 * sonames are their own (libfakecublas*), so a real pair loaded later in the same JVM is not mistaken for them.
 */
class CublasBindingTest {
    @TempDir Path dir;

    /** The stand-in's own controls. */
    interface Fake extends Library {
        void fake_set_create_status(int status);

        void fake_last_args(long[] dst);
    }

    private static void run(Path in, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
    }

    /** Builds the pair into dir, or skips when no C compiler is on the PATH. */
    private CublasLibraries.Found fakeCublas() throws Exception {
        try {
            run(dir, "cc", "--version");
        } catch (IOException e) {
            assumeTrue(false, "skipped: no C compiler (cc) on the PATH to build the stand-in libcublas");
        }
        try (InputStream src = CublasBindingTest.class.getResourceAsStream("fake_cublas.c")) {
            Files.write(dir.resolve("fake_cublas.c"), src.readAllBytes());
        }
        Files.writeString(dir.resolve("lt.c"), "int fake_lt_marker;\n");
        // sonames of their own: a process that later loads the real pair must not find these under the real sonames
        run(dir, "cc", "-shared", "-fPIC", "-Wl,-soname,libfakecublasLt.so.13", "-o", "libcublasLt.so.13", "lt.c");
        run(dir, "cc", "-shared", "-fPIC", "-Wl,-soname,libfakecublas.so.13", "-o", "libcublas.so.13", "fake_cublas.c", "-L.", "-l:libcublasLt.so.13");
        return CublasLibraries.find(CublasLibraries.Places.of(null, null, dir.toString(), null, List.of()));
    }

    @Test
    void loadsLtFirstStartsOnTheStreamAndMarshalsEveryGemmArgument() throws Exception {
        CublasLibraries.Found found = fakeCublas();
        Cublas.Api api = Cublas.load(found);
        assertEquals("13.0.2", Cublas.version(api));
        Fake fake = Native.load(found.cublas().toString(), Fake.class);
        String path = found.cublas().toString();

        fake.fake_set_create_status(1);
        CudaException e = assertThrows(CudaException.class, () -> Cublas.start(api, path, 77));
        assertEquals("cublasCreate (" + path + ") failed: " + CublasStatus.describe(1), e.getMessage());

        fake.fake_set_create_status(0);
        Cublas cublas = Cublas.start(api, path, 0x5150L);
        long[] args = new long[32];
        fake.fake_last_args(args);
        assertEquals(0x4a4e41L, args[0], "the handle cublasCreate gave");
        assertEquals(0x5150L, args[1], "the backend's stream");
        assertEquals("13.0.2", cublas.version);
        cublas.setWorkspace(0x7000_0000_0000L, Cublas.WORKSPACE_BYTES);
        fake.fake_last_args(args);
        assertEquals(List.of(0x4a4e41L, 0x7000_0000_0000L, 32L << 20), List.of(args[0], args[1], args[2]), "handle, workspace, its size");

        // x (3, 4) · Wᵀ with W (5, 4): cuBLAS's A is Wᵀ's storage with CUBLAS_OP_T, its B is x, C is out
        Tensor x = Tensor.empty(DType.F32, CPU, 3, 4), w = Tensor.empty(DType.F32, CPU, 5, 4).transpose(0, 1);
        List<GemmPlan.Call> calls = GemmPlan.plan(x, w, Tensor.empty(DType.F32, CPU, 3, 5));
        for (boolean tf32 : new boolean[] {false, true}) {
            cublas.gemm("F32", 4, tf32, calls, 0x1000, 0x2000, 0x3000);
            fake.fake_last_args(args);
            long[] want = {0x4a4e41, GemmPlan.OP_T, GemmPlan.OP_N, 5, 3, 4, 1000, 0x2000, 0, 4, 0, 0x1000, 0, 4, 0, 0, 0x3000, 0, 5, 0, 1,
                    tf32 ? Cublas.COMPUTE_32F_FAST_TF32 : Cublas.COMPUTE_32F, Cublas.GEMM_DEFAULT};
            assertArrayEquals(want, Arrays.copyOf(args, want.length), "handle, ops, m n k, alpha·1000, A type lda strideA, B ..., beta·1000, C ..., "
                    + "batch, compute type, algo (tf32 " + tf32 + ")");
        }
        // element offsets become byte offsets of the pointers: cuBLAS's A (our b at 0x2000) offsetA, its B (our a) offsetB
        GemmPlan.Call offset = new GemmPlan.Call(0, 0, 2, 2, 2, 3, 2, 0, 5, 2, 0, 7, 2, 0, 1);
        cublas.gemm("F32", 4, false, List.of(offset), 0x1000, 0x2000, 0x3000);
        fake.fake_last_args(args);
        assertEquals(List.of(0x2000L + 12, 0x1000L + 20, 0x3000L + 28), List.of(args[7], args[11], args[16]));

        GemmPlan.Call bad = new GemmPlan.Call(0, 0, 5, 3, 4, 0, 2, 0, 0, 4, 0, 0, 5, 0, 1); // lda 2 < m 5
        CudaException refused = assertThrows(CudaException.class, () -> cublas.gemm("F32", 4, false, List.of(bad), 1, 2, 3));
        assertEquals("cublasGemmStridedBatchedEx(F32, " + bad + ") failed: " + CublasStatus.describe(7), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cublas.gemm("I64", 8, false, calls, 1, 2, 3));
    }

    @Test
    void aLibraryThatCannotLoadIsNamedWithTheReason() throws Exception {
        Files.writeString(dir.resolve("libcublasLt.so.13"), "not an ELF file");
        Files.writeString(dir.resolve("libcublas.so.13"), "not an ELF file");
        CublasLibraries.Found found = CublasLibraries.find(CublasLibraries.Places.of(null, null, dir.toString(), null, List.of()));
        assertThrows(UnsatisfiedLinkError.class, () -> Cublas.load(found));
    }
}
