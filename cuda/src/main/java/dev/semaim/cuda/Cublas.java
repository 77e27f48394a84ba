package dev.semaim.cuda;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.Map;

/**
 * cuBLAS through its stable C API, bound with JNA (not JCublas: JCublas 12.6 links libcublas.so.12 by name, and the
 * lent CUDA 13 hosts carry only libcublas.so.13, inside PyTorch's wheels; see cuda/README.md). The library is found
 * by {@link CublasLibraries} and loaded by absolute path, libcublasLt first. One handle, bound to the backend's
 * context (current on the creating thread) and stream ({@code cublasSetStream}), so cuBLAS calls queue in order
 * with our kernels. Every product goes through {@link #gemm}: cublasGemmStridedBatchedEx for all types.
 */
final class Cublas {
    /** The C functions used (cublas_api.h; the _v2 names are the exported symbols). */
    interface Api extends Library {
        int cublasCreate_v2(PointerByReference handle);

        int cublasSetStream_v2(Pointer handle, Pointer stream);

        int cublasGetProperty(int type, IntByReference value);

        int cublasSetWorkspace_v2(Pointer handle, Pointer workspace, long workspaceSizeInBytes);

        int cublasGemmStridedBatchedEx(Pointer handle, int transa, int transb, int m, int n, int k, Pointer alpha,
                                       Pointer a, int aType, int lda, long strideA, Pointer b, int bType, int ldb, long strideB,
                                       Pointer beta, Pointer c, int cType, int ldc, long strideC, int batchCount,
                                       int computeType, int algo);
    }

    /** cudaDataType_t (library_types.h) of each engine dtype, by name: BF16 and F16 map once the engine has them. */
    static final Map<String, Integer> DATA_TYPE = Map.of("F32", 0, "F64", 1, "F16", 2, "BF16", 14);
    /** cublasComputeType_t. */
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70;
    static final int GEMM_DEFAULT = -1;
    /** libraryPropertyType_t. */
    private static final int MAJOR_VERSION = 0, MINOR_VERSION = 1, PATCH_LEVEL = 2;
    /** The workspace cuBLAS gets from our allocator: 32 MiB, PyTorch's default on Hopper (CUBLAS_WORKSPACE_CONFIG :4096:8). */
    static final long WORKSPACE_BYTES = 32L << 20;

    /** The scalars alpha = 1, beta = 0 in host memory, as float (32F compute) and as double (64F). */
    private static final Memory ONE_F = scalar(1f), ZERO_F = scalar(0f), ONE_D = scalar(1d), ZERO_D = scalar(0d);

    private final Api api;
    private final Pointer handle;
    final String version;
    final String path;

    private Cublas(Api api, Pointer handle, String version, String path) {
        this.api = api;
        this.handle = handle;
        this.version = version;
        this.path = path;
    }

    /** Loads the libraries of {@code found} (not yet a handle): the version check works without a GPU. */
    static Api load(CublasLibraries.Found found) {
        NativeLibrary.getInstance(found.cublasLt().toString()); // its soname then satisfies libcublas's dependency
        return Native.load(found.cublas().toString(), Api.class);
    }

    /** "13.0.2": the loaded library's own version. */
    static String version(Api api) {
        IntByReference v = new IntByReference();
        int[] parts = new int[3];
        int[] types = {MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL};
        for (int i = 0; i < 3; i++) {
            CublasStatus.check(api.cublasGetProperty(types[i], v), "cublasGetProperty(" + types[i] + ")");
            parts[i] = v.getValue();
        }
        return parts[0] + "." + parts[1] + "." + parts[2];
    }

    /**
     * cuBLAS on the driver's context and stream, or null when it is not found (the reason in {@code whyNot[0]});
     * a library that is found but fails to start throws {@link CudaException} naming the call and status.
     */
    static Cublas open(CudaDriver driver, CublasLibraries.Places places, String[] whyNot) {
        CublasLibraries.Found found = CublasLibraries.find(places);
        if (found == null) {
            whyNot[0] = CublasLibraries.notFound(places);
            return null;
        }
        Api api;
        try {
            api = load(found);
        } catch (UnsatisfiedLinkError e) {
            whyNot[0] = found.cublas() + " could not be loaded: " + e.getMessage().split("\n")[0];
            return null;
        }
        driver.bind();
        return start(api, found.cublas().toString(), NativeHandles.address(driver.stream));
    }

    /**
     * A handle of the loaded library on the context current on this thread, its work queued on {@code stream} (a
     * CUstream's address); throws {@link CudaException} naming the call and status when cuBLAS refuses.
     */
    static Cublas start(Api api, String path, long stream) {
        PointerByReference h = new PointerByReference();
        CublasStatus.check(api.cublasCreate_v2(h), "cublasCreate (" + path + ")");
        Pointer handle = h.getValue();
        CublasStatus.check(api.cublasSetStream_v2(handle, new Pointer(stream)), "cublasSetStream");
        return new Cublas(api, handle, version(api), path);
    }

    /**
     * Hands cuBLAS its workspace (device memory our allocator owns, at least {@link #WORKSPACE_BYTES}), so it never
     * allocates behind the caching allocator's back, where a cache holding the free memory would make it fail.
     */
    synchronized void setWorkspace(long address, long bytes) {
        CublasStatus.check(api.cublasSetWorkspace_v2(handle, new Pointer(address), bytes), "cublasSetWorkspace(" + bytes + " bytes)");
    }

    /**
     * Runs the planned calls of out = a·b for operands of the named dtype, given the device addresses of our a's, b's
     * and out's storages (their bases; the calls carry element offsets). As {@link GemmPlan} maps them, cuBLAS's A is
     * our b and its B our a. float32 computes in FP32, or on TF32 tensor cores when {@code tf32}; float64 in FP64;
     * bf16 and fp16 operands accumulate in FP32 (tensor cores), as PyTorch does.
     */
    synchronized void gemm(String dtype, int elementBytes, boolean tf32, java.util.List<GemmPlan.Call> calls, long a, long b, long out) {
        Integer type = DATA_TYPE.get(dtype);
        if (type == null) throw new IllegalArgumentException("cuBLAS: no GEMM for dtype " + dtype);
        boolean f64 = dtype.equals("F64");
        int compute = f64 ? COMPUTE_64F : dtype.equals("F32") && tf32 ? COMPUTE_32F_FAST_TF32 : COMPUTE_32F;
        Pointer one = f64 ? ONE_D : ONE_F, zero = f64 ? ZERO_D : ZERO_F;
        for (GemmPlan.Call x : calls) {
            int rc = api.cublasGemmStridedBatchedEx(handle, x.transA(), x.transB(), x.m(), x.n(), x.k(), one,
                    new Pointer(b + (long) x.offsetA() * elementBytes), type, x.lda(), x.strideA(),      // cuBLAS's A: our b
                    new Pointer(a + (long) x.offsetB() * elementBytes), type, x.ldb(), x.strideB(), zero, // cuBLAS's B: our a
                    new Pointer(out + (long) x.offsetC() * elementBytes), type, x.ldc(), x.strideC(), x.batch(), compute, GEMM_DEFAULT);
            CublasStatus.check(rc, "cublasGemmStridedBatchedEx(" + dtype + (compute == COMPUTE_32F_FAST_TF32 ? " TF32" : "") + ", " + x + ")");
        }
    }

    private static Memory scalar(float v) {
        Memory m = new Memory(4);
        m.setFloat(0, v);
        return m;
    }

    private static Memory scalar(double v) {
        Memory m = new Memory(8);
        m.setDouble(0, v);
        return m;
    }
}
