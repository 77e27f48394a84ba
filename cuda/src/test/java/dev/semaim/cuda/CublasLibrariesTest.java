package dev.semaim.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finding libcublas without CUDA: search order, version preference, the pair rule, the message when absent. */
class CublasLibrariesTest {
    @TempDir Path tmp;

    private Path folder(String name, int... majors) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (int v : majors) {
            Files.createFile(d.resolve("libcublas.so." + v));
            Files.createFile(d.resolve("libcublasLt.so." + v));
        }
        return d;
    }

    @Test
    void theFirstPlaceHoldingAPairWinsAndInItTheNewerMajor() throws IOException {
        Path empty = folder("empty"), both = folder("both", 12, 13), old = folder("old", 12);
        Path cudaHome = tmp.resolve("cuda");
        Files.createDirectories(cudaHome.resolve("lib64"));
        Files.createFile(cudaHome.resolve("lib64/libcublas.so.13"));
        Files.createFile(cudaHome.resolve("lib64/libcublasLt.so.13"));
        // LD_LIBRARY_PATH before CUDA_HOME: the user's explicit path wins over a newer library elsewhere
        var places = CublasLibraries.Places.of(null, empty.toString(), old + ":" + both, cudaHome.toString(), List.of());
        CublasLibraries.Found f = CublasLibraries.find(places);
        assertEquals(old, f.folder());
        assertEquals(12, f.major());
        assertEquals(old.resolve("libcublasLt.so.12"), f.cublasLt());
        // in one folder, .so.13 before .so.12
        f = CublasLibraries.find(CublasLibraries.Places.of(null, null, both.toString(), null, List.of()));
        assertEquals(13, f.major());
        assertEquals(both.resolve("libcublas.so.13"), f.cublas());
        // -Dsemaim.cublas.path comes first; CUDA_HOME's lib64 is searched
        f = CublasLibraries.find(CublasLibraries.Places.of(old.toString(), null, both.toString(), null, List.of()));
        assertEquals(old, f.folder());
        f = CublasLibraries.find(CublasLibraries.Places.of(null, null, empty.toString(), cudaHome.toString(), List.of()));
        assertEquals(cudaHome.resolve("lib64"), f.folder());
    }

    @Test
    void pyTorchsWheelFoldersAreSearchedLast() throws IOException {
        Path site = tmp.resolve("site-packages");
        Path cu12 = Files.createDirectories(site.resolve("nvidia/cublas/lib"));      // nvidia-cublas-cu12's layout
        Files.createFile(cu12.resolve("libcublas.so.12"));
        Files.createFile(cu12.resolve("libcublasLt.so.12"));
        var cu12Only = CublasLibraries.Places.of(null, null, null, null, List.of(site));
        assertEquals(cu12, CublasLibraries.find(cu12Only).folder());
        Path wheel = Files.createDirectories(site.resolve("nvidia/cu13/lib"));        // CUDA 13's "nvidia-cublas": nvidia/cu13/lib
        Files.createFile(wheel.resolve("libcublas.so.13"));
        Files.createFile(wheel.resolve("libcublasLt.so.13"));
        var places = CublasLibraries.Places.of(null, null, folder("only12", 12).toString(), null, List.of(site));
        assertEquals(12, CublasLibraries.find(places).major(), "an earlier place wins");
        places = CublasLibraries.Places.of(null, null, tmp.resolve("nothing").toString(), null, List.of(site));
        assertEquals(wheel, CublasLibraries.find(places).folder());
    }

    @Test
    void aLibraryWithoutItsLtOrOfAnotherVersionIsNotAPair() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("half"));
        Files.createFile(d.resolve("libcublas.so.13"));
        Files.createFile(d.resolve("libcublasLt.so.12"));
        Files.createFile(d.resolve("libcublas.so.11"));
        Files.createFile(d.resolve("libcublasLt.so.11"));
        assertNull(CublasLibraries.find(CublasLibraries.Places.of(null, null, d.toString(), null, List.of())));
    }

    @Test
    void theMessageNamesEveryPlaceLookedInWithWhy() {
        var places = CublasLibraries.Places.of("/opt/x", "/jlp", "/a:/b", "/usr/local/cuda", List.of(Path.of("/venv/site-packages")));
        assertNull(CublasLibraries.find(places));
        assertEquals("no libcublas.so.13 or .so.12 (with libcublasLt beside it) in /opt/x (-Dsemaim.cublas.path), /jlp (java.library.path), "
                + "/a (LD_LIBRARY_PATH), /b (LD_LIBRARY_PATH), /usr/local/cuda/lib64 (CUDA_HOME), /usr/local/cuda/lib (CUDA_HOME), "
                + "/usr/local/cuda/targets/x86_64-linux/lib (CUDA_HOME), /venv/site-packages/nvidia/cu13/lib (PyTorch's CUDA 13 nvidia wheels), "
                + "/venv/site-packages/nvidia/cublas/lib (PyTorch's nvidia-cublas-cu12 wheel)",
                CublasLibraries.notFound(places));
        assertTrue(CublasLibraries.notFound(CublasLibraries.Places.of(null, null, null, null, List.of())).contains("none given"));
    }

    @Test
    void sitePackagesComeFromPythonPathAndTheVirtualEnvironment() throws IOException {
        Path venv = tmp.resolve("venv");
        Path site = Files.createDirectories(venv.resolve("lib/python3.11/site-packages"));
        List<Path> found = PythonSitePackages.of("/pp1:/pp2", venv.toString(), null, null);
        assertEquals(List.of(Path.of("/pp1"), Path.of("/pp2"), site), found.subList(0, 3));
    }

    /** Where this machine has cuBLAS (a GPU host, or CUDA_HOME pointing at a toolkit), it loads and tells its version without a GPU. */
    @Test
    void aFoundLibraryLoadsAndTellsItsVersion() {
        CublasLibraries.Found f = CublasLibraries.find(CublasLibraries.Places.fromSystem());
        assumeTrue(f != null, () -> "skipped: " + CublasLibraries.notFound(CublasLibraries.Places.fromSystem()));
        String v = Cublas.version(Cublas.load(f));
        assertTrue(v.startsWith(f.major() + "."), v + " from " + f.cublas());
    }
}
