package dev.semaim.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where cuBLAS lives on this machine: the pair libcublasLt.so.N and libcublas.so.N (N = 13, else 12) in one
 * folder. Places are searched in this order, the first folder holding a pair wins, and in a folder the newer
 * major wins:
 * <ol>
 *   <li>{@code -Dsemaim.cublas.path} (a folder), when set;</li>
 *   <li>the folders of {@code java.library.path} and {@code LD_LIBRARY_PATH};</li>
 *   <li>{@code CUDA_HOME} (else {@code CUDA_PATH}): lib64, lib, targets/x86_64-linux/lib;</li>
 *   <li>PyTorch's wheels under each site-packages folder (those of {@code PYTHONPATH}, {@code VIRTUAL_ENV},
 *       {@code CONDA_PREFIX}, ~/.local, /usr/local, /opt/conda and /usr, python3.*): nvidia/cu13/lib (the CUDA 13
 *       wheel "nvidia-cublas" groups its libraries there), then nvidia/cublas/lib ("nvidia-cublas-cu12"). Where the
 *       lent CUDA 13 hosts keep their only libcublas.so.13.</li>
 * </ol>
 * A user's explicit path comes before the newest version anywhere: a CUDA 13 wheel must not override the
 * CUDA 12 toolkit a CUDA 12 driver needs. Pure over its {@link Places}, so the search is tested without CUDA.
 */
final class CublasLibraries {
    /** The majors this binding speaks, newest first: their C API (cublasGemmEx and friends) is the same. */
    static final int[] MAJORS = {13, 12};

    private CublasLibraries() {}

    /** The folders to search, in order, each with the reason it is searched (for the message when none holds cuBLAS). */
    record Places(Map<Path, String> folders) {
        /** This process's places: system properties, environment, home folder. */
        static Places fromSystem() {
            return of(System.getProperty("semaim.cublas.path"), System.getProperty("java.library.path"), System.getenv("LD_LIBRARY_PATH"),
                    System.getenv("CUDA_HOME") != null ? System.getenv("CUDA_HOME") : System.getenv("CUDA_PATH"),
                    PythonSitePackages.ofThisProcess());
        }

        /** The places from explicit values (any may be null): the search order of the class comment. */
        static Places of(String override, String javaLibraryPath, String ldLibraryPath, String cudaHome, List<Path> sitePackages) {
            Map<Path, String> f = new LinkedHashMap<>();
            if (override != null && !override.isBlank()) f.put(Path.of(override), "-Dsemaim.cublas.path");
            for (String dir : PythonSitePackages.split(javaLibraryPath)) f.putIfAbsent(Path.of(dir), "java.library.path");
            for (String dir : PythonSitePackages.split(ldLibraryPath)) f.putIfAbsent(Path.of(dir), "LD_LIBRARY_PATH");
            if (cudaHome != null && !cudaHome.isBlank())
                for (String sub : new String[] {"lib64", "lib", "targets/x86_64-linux/lib"}) f.putIfAbsent(Path.of(cudaHome, sub), "CUDA_HOME");
            for (Path site : sitePackages) {
                f.putIfAbsent(site.resolve("nvidia/cu13/lib"), "PyTorch's CUDA 13 nvidia wheels");
                f.putIfAbsent(site.resolve("nvidia/cublas/lib"), "PyTorch's nvidia-cublas-cu12 wheel");
            }
            return new Places(f);
        }
    }

    /** A pair found: the folder, its major version and the two files (cublasLt first: libcublas needs it loaded). */
    record Found(Path folder, int major, Path cublasLt, Path cublas) {}

    /** The pair to load, or null when no place holds one. */
    static Found find(Places places, Predicate<Path> exists) {
        for (Path dir : places.folders().keySet())
            for (int major : MAJORS) {
                Path lt = dir.resolve("libcublasLt.so." + major), blas = dir.resolve("libcublas.so." + major);
                if (exists.test(lt) && exists.test(blas)) return new Found(dir, major, lt, blas);
            }
        return null;
    }

    static Found find(Places places) {
        return find(places, Files::isRegularFile);
    }

    /** One line: what was looked for and every folder looked in, with why, in order. */
    static String notFound(Places places) {
        StringBuilder s = new StringBuilder("no libcublas.so.13 or .so.12 (with libcublasLt beside it) in");
        if (places.folders().isEmpty()) s.append(" any folder (none given: set -Dsemaim.cublas.path, LD_LIBRARY_PATH or CUDA_HOME)");
        String sep = " ";
        for (Map.Entry<Path, String> e : places.folders().entrySet()) {
            s.append(sep).append(e.getKey()).append(" (").append(e.getValue()).append(')');
            sep = ", ";
        }
        return s.toString();
    }
}
