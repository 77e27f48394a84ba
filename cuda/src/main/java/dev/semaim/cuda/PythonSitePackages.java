package dev.semaim.cuda;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where PyTorch's pip wheels put NVIDIA's libraries: the site-packages folders of the Python installs a host may have.
 * The lent CUDA 13 GPU machines carry libcublas and libnccl only there ({@code nvidia/cu13/lib}, {@code nvidia/cublas/lib},
 * {@code nvidia/nccl/lib}); cuBLAS ({@link CublasLibraries}) and the NCCL engine search them.
 */
public final class PythonSitePackages {
    private PythonSitePackages() {}

    /** This process's: from PYTHONPATH, VIRTUAL_ENV, CONDA_PREFIX and the home folder, in the order of {@link #of}. */
    public static List<Path> ofThisProcess() {
        return of(System.getenv("PYTHONPATH"), System.getenv("VIRTUAL_ENV"), System.getenv("CONDA_PREFIX"), System.getProperty("user.home"));
    }

    /** The non-blank entries of a PATH-style list (null: none). */
    static List<String> split(String pathList) {
        List<String> out = new ArrayList<>();
        if (pathList == null) return out;
        for (String p : pathList.split(File.pathSeparator)) if (!p.isBlank()) out.add(p);
        return out;
    }

    /**
     * The site-packages folders a PyTorch install may use: PYTHONPATH entries, then python3.* under VIRTUAL_ENV,
     * CONDA_PREFIX, ~/.local, /usr/local, /opt/conda and /usr (site-packages and dist-packages).
     */
    static List<Path> of(String pythonPath, String virtualEnv, String condaPrefix, String home) {
        List<Path> out = new ArrayList<>();
        for (String p : split(pythonPath)) out.add(Path.of(p));
        List<Path> prefixes = new ArrayList<>();
        if (virtualEnv != null) prefixes.add(Path.of(virtualEnv));
        if (condaPrefix != null) prefixes.add(Path.of(condaPrefix));
        if (home != null) prefixes.add(Path.of(home, ".local"));
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/opt/conda"));
        prefixes.add(Path.of("/usr"));
        for (Path prefix : prefixes) {
            File[] pythons = prefix.resolve("lib").toFile().listFiles((d, name) -> name.startsWith("python3"));
            if (pythons == null) continue;
            Arrays.sort(pythons);
            for (File py : pythons)
                for (String kind : new String[] {"site-packages", "dist-packages"}) {
                    Path site = py.toPath().resolve(kind);
                    if (Files.isDirectory(site)) out.add(site);
                }
        }
        return out;
    }
}
