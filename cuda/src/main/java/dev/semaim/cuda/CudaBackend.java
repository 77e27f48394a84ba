package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.FlashAttentionReference;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Storage;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * The GPU backend: tensors in device memory ({@link CudaStorage}, caching allocator), every primitive a
 * kernel from cuda/src/main/cuda (PTX loaded by {@link Kernels}), all queued on one stream. Uploads and
 * downloads are synchronous (they read and write pageable Java arrays); everything else is asynchronous,
 * so an error inside a kernel, such as an index out of range, is reported at the next download or
 * {@link #synchronize()}. One instance per process ({@link #get()}), since tensors compare backends by identity.
 */
public final class CudaBackend implements Backend {
    private static volatile CudaBackend instance;

    final CudaDriver driver;
    final CudaAllocator allocator;
    final Kernels kernels;
    private final CUdeviceptr indexError;
    private volatile boolean tf32 = Boolean.getBoolean("semaim.cuda.tf32");
    /** cuBLAS, or null when it is missing, failed to start or is turned off (-Dsemaim.cuda.cublas=false). */
    private final Cublas cublas;
    /** cuBLAS's workspace, held for the process (null without cuBLAS). */
    private final CudaStorage cublasWorkspace;
    /** Whether products go to cuBLAS (when it is there): {@link #setCublas}, for A/B runs against our kernels. */
    private volatile boolean useCublas = true;
    /** One line on which GEMM serves the products and why: cuBLAS's version and path, or why our kernels. */
    private final String gemmNote;
    /** Host waits on the stream (uploads, downloads, synchronize) and their time, for the profile report. */
    private long syncs, syncNanos;

    private CudaBackend() {
        driver = CudaDriver.get();
        allocator = new CudaAllocator(driver);
        kernels = new Kernels(driver);
        indexError = kernels.global("index", "g_index_error");
        String[] why = new String[1];
        cublas = openCublas(driver, why);
        cublasWorkspace = cublas == null ? null : new CudaStorage(this, allocator, DType.F32, (int) (Cublas.WORKSPACE_BYTES / 4));
        if (cublas != null) cublas.setWorkspace(NativeHandles.address(cublasWorkspace.ptr()), Cublas.WORKSPACE_BYTES);
        gemmNote = cublas != null ? "cuBLAS " + cublas.version + " (" + cublas.path + ")" : why[0] + "; our own GEMM kernels serve every product";
        if (cublas == null && !why[0].startsWith("cuBLAS turned off")) System.err.println("cuda: " + gemmNote); // the one-line note
    }

    /** cuBLAS unless turned off, missing or failing to start; why not in why[0] (a sentence starting "cuBLAS"). */
    private static Cublas openCublas(CudaDriver driver, String[] why) {
        if (!Boolean.parseBoolean(System.getProperty("semaim.cuda.cublas", "true"))) {
            why[0] = "cuBLAS turned off (-Dsemaim.cuda.cublas=false)";
            return null;
        }
        try {
            Cublas c = Cublas.open(driver, CublasLibraries.Places.fromSystem(), why);
            if (c == null) why[0] = "cuBLAS not used: " + why[0];
            return c;
        } catch (CudaException | LinkageError | IllegalStateException e) {
            why[0] = "cuBLAS failed to start: " + e.getMessage();
            return null;
        }
    }

    /** The backend of the process's GPU (0, or -Dsemaim.cuda.device); throws {@link CudaException} when CUDA cannot start. */
    public static CudaBackend get() {
        CudaBackend b = instance;
        if (b == null) {
            synchronized (CudaBackend.class) {
                if (instance == null) instance = new CudaBackend();
                b = instance;
            }
        }
        return b;
    }

    /** The GPU's name, e.g. "NVIDIA H100 80GB HBM3". */
    public String deviceName() {
        return driver.deviceName;
    }

    /** Allocator counters (live, cached, cuMemAlloc calls, reuses). */
    public String allocatorStats() {
        return allocator.stats();
    }

    /** Number of cuMemAlloc calls so far (steady-state training should stop adding to it). */
    public long deviceAllocations() {
        return allocator.deviceAllocations();
    }

    /**
     * Whether float32 matrix products use TF32 tensor cores (10-bit mantissa operands, float accumulation),
     * like PyTorch's allow_tf32; off by default, or as -Dsemaim.cuda.tf32 says.
     */
    @Override public boolean setTf32(boolean on) {
        tf32 = on;
        return true;
    }

    public boolean tf32() {
        return tf32;
    }

    /**
     * Whether matrix products use cuBLAS (when it was found; the default) or our own GEMM kernels, the reference
     * (-Dsemaim.cuda.cublas=false turns cuBLAS off for the whole process).
     */
    public void setCublas(boolean on) {
        useCublas = on;
    }

    /** True when products go to cuBLAS now. */
    public boolean cublas() {
        return cublas != null && useCublas;
    }

    /** Which GEMM serves the products: "cuBLAS 13.0.2 (path)", or why our kernels do. */
    public String gemm() {
        return gemmNote;
    }

    @Override public String name() { return "cuda"; }

    @Override public Storage allocate(DType dtype, int size) {
        return new CudaStorage(this, allocator, dtype, size);
    }

    @Override public void release(Storage storage) {
        ((CudaStorage) storage).release();
    }

    private static int dt(Tensor t) {
        return OpCodes.DTYPE.of(t.dtype());
    }

    // ------------------------------------------------------------------ transfers

    @Override public Storage upload(Object host) {
        DType dtype;
        int n;
        Pointer src;
        if (host instanceof float[]) { dtype = DType.F32; n = ((float[]) host).length; src = Pointer.to((float[]) host); }
        else if (host instanceof double[]) { dtype = DType.F64; n = ((double[]) host).length; src = Pointer.to((double[]) host); }
        else if (host instanceof int[]) { dtype = DType.I32; n = ((int[]) host).length; src = Pointer.to((int[]) host); }
        else if (host instanceof long[]) { dtype = DType.I64; n = ((long[]) host).length; src = Pointer.to((long[]) host); }
        else throw new IllegalArgumentException("upload: not a float[], double[], int[] or long[]: " + (host == null ? "null" : host.getClass().getSimpleName()));
        CudaStorage s = new CudaStorage(this, allocator, dtype, n);
        if (n > 0) {
            // a reused block may still be read by queued kernels: let the stream drain first
            sync("upload");
            CudaDriver.check(JCudaDriver.cuMemcpyHtoD(s.ptr(), src, (long) n * dtype.bytes), "cuMemcpyHtoD(" + n + " x " + dtype + ")");
        }
        return s;
    }

    @Override public void download(Tensor src, Object host) {
        DType want = host instanceof float[] ? DType.F32 : host instanceof double[] ? DType.F64 : host instanceof int[] ? DType.I32
                : host instanceof long[] ? DType.I64 : host instanceof short[] && src.dtype().isHalf() ? src.dtype() : null;
        if (want == null) throw new IllegalArgumentException("download: not a float[], double[], int[], long[] (or short[] for BF16/F16) for " + src);
        int n = src.numel();
        if (java.lang.reflect.Array.getLength(host) != n)
            throw new IllegalArgumentException("download: host array of " + java.lang.reflect.Array.getLength(host) + " for " + src);
        if (n == 0) return;
        Tensor c = src.dtype() == want && src.isContiguous() ? src : Tensor.empty(want, this, src.shape());
        if (c != src) copy(src, c);
        sync("download");
        Pointer dst = want == DType.F32 ? Pointer.to((float[]) host) : want == DType.F64 ? Pointer.to((double[]) host)
                : want == DType.I32 ? Pointer.to((int[]) host) : want == DType.I64 ? Pointer.to((long[]) host) : Pointer.to((short[]) host);
        CUdeviceptr from = ((CudaStorage) c.storage()).ptr().withByteOffset((long) c.offset() * want.bytes);
        CudaDriver.check(JCudaDriver.cuMemcpyDtoH(dst, from, (long) n * want.bytes), "cuMemcpyDtoH(" + src + ")");
    }

    /** Waits for the queued work; under -Dsemaim.cuda.profile=true also prints the kernel times since the last call. */
    @Override public void synchronize() {
        sync("synchronize");
        if (kernels.profile != null) {
            System.out.printf("profile: %d host waits on the stream (uploads, downloads, synchronize), %.1f ms waiting%n", syncs, syncNanos / 1e6);
            syncs = 0;
            syncNanos = 0;
            kernels.profile.report(driver.stream);
        }
    }

    /** Drains the stream, naming the last kernel on failure, and raises a recorded index error. */
    private void sync(String what) {
        long t0 = System.nanoTime();
        driver.synchronize(what + "; last kernel queued: " + kernels.lastLaunch());
        syncs++;
        syncNanos += System.nanoTime() - t0;
        long[] err = new long[4];
        CudaDriver.check(JCudaDriver.cuMemcpyDtoH(Pointer.to(err), indexError, 32), "reading the index error flag");
        if (err[0] != 0) {
            CudaDriver.check(JCudaDriver.cuMemsetD8(indexError, (byte) 0, 32), "clearing the index error flag");
            throw new IndexOutOfBoundsException(OpCodes.INDEX.constant((int) err[1]).label + ": index " + err[2]
                    + " out of range for axis of size " + err[3]
                    + " (found on the GPU, reported at the next synchronisation: " + what + ")");
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Override public void copy(Tensor src, Tensor dst) {
        int n = dst.numel();
        if (n == 0) return;
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            long bytes = (long) n * src.dtype().bytes;
            CUdeviceptr s = ((CudaStorage) src.storage()).ptr().withByteOffset((long) src.offset() * src.dtype().bytes);
            CUdeviceptr d = ((CudaStorage) dst.storage()).ptr().withByteOffset((long) dst.offset() * dst.dtype().bytes);
            CudaDriver.check(JCudaDriver.cuMemcpyDtoDAsync(d, s, bytes, driver.stream), "cuMemcpyDtoDAsync(" + bytes + " bytes)");
            return;
        }
        int[][] d = TensorDesc.coalesced("copy", src, dst);
        kernels.launch1d("elementwise", "copy_k", n, d[0], src, dt(src), d[1], dst, dt(dst), (long) n);
    }

    @Override public void fill(Tensor dst, double value) {
        int[][] d = TensorDesc.coalesced("fill", dst);
        kernels.launch1d("elementwise", "fill_k", dst.numel(), d[0], dst, dt(dst), value, (long) dst.numel());
    }

    @Override public void unary(UnaryOp op, Tensor x, Tensor out, double lo, double hi) {
        int[][] d = TensorDesc.coalesced("unary " + op, x, out);
        String k = x.dtype() == DType.F32 && out.dtype() == DType.F32 ? "unary_f" : "unary_d";
        kernels.launch1d("elementwise", k, out.numel(), OpCodes.UNARY.of(op), d[0], x, dt(x), d[1], out, dt(out), lo, hi, (long) out.numel());
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int[][] d = TensorDesc.coalesced("binary " + op, a, b, out);
        String k = a.dtype() == DType.F32 && b.dtype() == DType.F32 && out.dtype() == DType.F32 ? "binary_f" : "binary_d";
        kernels.launch1d("elementwise", k, out.numel(), OpCodes.BINARY.of(op), d[0], a, dt(a), d[1], b, dt(b), d[2], out, dt(out),
                (long) out.numel());
    }

    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        int[][] d = TensorDesc.coalesced("where", cond, a, b, out);
        kernels.launch1d("elementwise", "where_k", out.numel(), d[0], cond, dt(cond), d[1], a, dt(a), d[2], b, dt(b), d[3], out, dt(out),
                (long) out.numel());
    }

    // ------------------------------------------------------------------ reductions

    @Override public void reduce(ReduceOp op, Tensor x, Tensor outExpanded) {
        int r = x.rank();
        int[] shape = x.shape(), xs = x.strides(), os = outExpanded.strides();
        int nk = 0, nr = 0;
        for (int a = 0; a < r; a++) if (os[a] == 0 && shape[a] > 1) nr++; else nk++;
        if (nr == 0) {
            copy(x, outExpanded);
            return;
        }
        int[] ks = new int[nk], kxs = new int[nk], kos = new int[nk], rs = new int[nr], rxs = new int[nr];
        for (int a = 0, i = 0, j = 0; a < r; a++) {
            if (os[a] == 0 && shape[a] > 1) { rs[j] = shape[a]; rxs[j++] = xs[a]; }
            else { ks[i] = shape[a]; kxs[i] = xs[a]; kos[i++] = os[a]; }
        }
        int[][] kept = TensorDesc.coalesced(ks, new int[][] {kxs, kos}, new int[] {x.offset(), outExpanded.offset()}, "reduce " + Shape.str(shape));
        int[] red = TensorDesc.coalesced(rs, new int[][] {rxs}, new int[] {0}, "reduce " + Shape.str(shape))[0];
        long outer = Shape.numel(ks), rn = Shape.numel(rs);
        if (outer == 0) return;
        int redInner = red[2 + TensorDesc.MAX_RANK + red[0] - 1];
        int keptInner = kept[0][0] == 0 ? 0 : kept[0][2 + TensorDesc.MAX_RANK + kept[0][0] - 1];
        boolean columns = redInner != 1 && keptInner == 1 && outer >= 32;
        reduceLaunch(columns, OpCodes.REDUCE.of(op), kept[0], red, x, dt(x), kept[1], outExpanded, outer, rn);
    }

    /**
     * reduce_rows_k (a block per output: suits a contiguous reduced run) or reduce_cols_k (32 outputs a block:
     * suits kept axes innermost). When the outputs alone cannot fill the GPU, the reduced elements are cut into
     * chunks reduced in parallel into a (chunks, outer) double scratch, which a second launch sums.
     */
    private void reduceLaunch(boolean columns, int op, int[] kept, int[] red, Tensor x, int dtx, int[] dout, Tensor out, long outer, long rn) {
        String k = columns ? "reduce_cols_k" : "reduce_rows_k";
        int gx = (int) (columns ? (outer + 31) / 32 : Math.min(outer, 1 << 20)), by = columns ? 8 : 1;
        long[] c = chunking(rn, gx, columns ? 64 : 8192);
        long chunks = c[0], perChunk = c[1];
        if (chunks == 1) {
            kernels.launch("reduce", k, gx, 1, 1, columns ? 32 : threadsFor(rn), by, 1, op, kept, red, x, dtx, dout, out, dt(out), outer, rn, rn);
            return;
        }
        Tensor partial = Tensor.empty(DType.F64, this, (int) (chunks * outer));
        int[] flat = TensorDesc.pack(new int[] {(int) (chunks * outer)}, new int[] {1}, 0, "reduce scratch");
        kernels.launch("reduce", k, gx, (int) chunks, 1, columns ? 32 : threadsFor(perChunk), by, 1, op, kept, red, x, dtx, flat, partial,
                OpCodes.DTYPE.of(DType.F64), outer, rn, perChunk);
        int[] pk = TensorDesc.pack(new int[] {(int) outer}, new int[] {1}, 0, "reduce scratch");
        int[] pr = TensorDesc.pack(new int[] {(int) chunks}, new int[] {(int) outer}, 0, "reduce scratch");
        kernels.launch("reduce", k, gx, 1, 1, columns ? 32 : threadsFor(chunks), by, 1, op, pk, pr, partial, OpCodes.DTYPE.of(DType.F64), dout, out,
                dt(out), outer, chunks, chunks);
    }

    /**
     * {chunks, elements per chunk} for n reduced elements when blocksAcross blocks already cover the outputs:
     * about 1024 blocks in all, each chunk at least minPerChunk long (one chunk when the outputs suffice).
     */
    static long[] chunking(long n, long blocksAcross, long minPerChunk) {
        long chunks = Math.max(1, Math.min((n + minPerChunk - 1) / minPerChunk, 1024 / Math.max(1, blocksAcross)));
        long per = (n + chunks - 1) / chunks;
        return new long[] {(n + per - 1) / per, per};
    }

    /** Block size for a block-per-row kernel over n elements: a power of two in [32, 256]. */
    private static int threadsFor(long n) {
        int t = 32;
        while (t < 256 && t < n) t <<= 1;
        return t;
    }

    @Override public void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        int[] rowShape = TensorDesc.drop(x.shape(), axis);
        int[][] d = TensorDesc.coalesced(rowShape, new int[][] {TensorDesc.drop(x.strides(), axis), out.strides()},
                new int[] {x.offset(), out.offset()}, "argReduce");
        long rows = out.numel();
        if (rows == 0 || x.size(axis) == 0) return;
        kernels.launch1d("reduce", "arg_reduce_k", rows, max ? 1 : 0, d[0], x, dt(x), x.stride(axis), x.size(axis), d[1], out, rows);
    }

    /**
     * float32: one block per row selects on the device (topk.cu), so only the (rows, k) results ever leave it;
     * other dtypes: the host reference.
     */
    @Override public void topk(Tensor x, int k, boolean largest, Tensor values, Tensor indices) {
        if (x.dtype() != DType.F32) {
            Backend.super.topk(x, k, largest, values, indices);
            return;
        }
        int n = x.size(-1), rows = x.numel() / n;
        Tensor rowsOfX = x.isContiguous() ? x : x.contiguous();
        Tensor scratch = Tensor.empty(DType.I64, this, rows, k); // the k winners of each row as 64-bit candidates
        kernels.launch("topk", "topk_f", Math.min(rows, 1 << 16), 1, 1, 256, 1, 1,
                Kernels.at(rowsOfX), n, k, largest ? 1 : 0, (long) rows, Kernels.at(scratch), Kernels.at(values), Kernels.at(indices));
    }

    // ------------------------------------------------------------------ matmul

    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype() || !out.dtype().floating)
            throw new IllegalArgumentException("matmul on cuda: operands must share a floating dtype, got " + a + ", " + b + ", " + out);
        if (out.dtype().isHalf() && !cublas()) {
            halfMatmul(a, b, out);
            return;
        }
        product(a, b, out, tf32);
    }

    /**
     * out = a · b: through cuBLAS where it is loaded (every floating dtype; F32 on TF32 tensor cores when
     * {@code tensorCores}), else our kernels for F32 (TF32 likewise) or F64 operands.
     */
    private void product(Tensor a, Tensor b, Tensor out, boolean tensorCores) {
        int r = out.rank(), m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] batch = java.util.Arrays.copyOf(out.shape(), r - 2);
        int[][] bd = TensorDesc.coalesced(batch, new int[][] {java.util.Arrays.copyOf(a.strides(), r - 2),
                java.util.Arrays.copyOf(b.strides(), r - 2), java.util.Arrays.copyOf(out.strides(), r - 2)},
                new int[] {a.offset(), b.offset(), out.offset()}, "matmul batch");
        long nb = Shape.numel(batch);
        if (nb == 0 || m == 0 || n == 0) return;
        if (k == 0) {
            fill(out, 0);
            return;
        }
        if (nb > 1 && foldBatchIntoRows(a, b, out, batch, m, k, n, tensorCores)) return;
        if (cublas()) {
            cublasMatmul(a, b, out, tensorCores);
            return;
        }
        if (nb > 65535) throw new IllegalArgumentException("matmul on cuda: " + nb + " batch matrices exceed the grid limit 65535 (" + out + ")");
        String fn = out.dtype() == DType.F64 ? "gemm_d" : tensorCores ? "gemm_tf32" : "gemm_f";
        int gx = (n + 127) / 128, gy = (m + 127) / 128;
        int splits = nb == 1 ? splitsFor(gx * gy, k) : 1;
        if (splits == 1) {
            kernels.launch("gemm", fn, gx, gy, (int) nb, 256, 1, 1, m, n, k, bd[0], a, a.stride(-2), a.stride(-1), bd[1], b, b.stride(-2),
                    b.stride(-1), bd[2], out, out.stride(-2), out.stride(-1), 0, k);
            return;
        }
        // split-K: each K chunk's partial product into a (splits, M, N) scratch, then their sum into out
        int chunk = ((k + splits - 1) / splits + 15) / 16 * 16;
        splits = (k + chunk - 1) / chunk;
        Tensor partial = Tensor.empty(out.dtype(), this, splits, m, n);
        int[] pd = TensorDesc.pack(new int[] {splits}, new int[] {m * n}, 0, "matmul split-K scratch");
        kernels.launch("gemm", fn, gx, gy, splits, 256, 1, 1, m, n, k, bd[0], a, a.stride(-2), a.stride(-1), bd[1], b, b.stride(-2),
                b.stride(-1), pd, partial, n, 1, 1, chunk);
        Tensor o2 = out;
        while (o2.rank() > 2) o2 = o2.select(0, 0);  // batch axes are all of size 1: a view, never a copy
        reduce(ReduceOp.SUM, partial, o2.unsqueeze(0).expand(splits, m, n));
    }

    /**
     * The product through cuBLAS ({@link GemmPlan}): an input whose last two axes have no unit stride is copied
     * contiguous first, and an output without one is computed into a contiguous scratch and copied back.
     */
    private void cublasMatmul(Tensor a, Tensor b, Tensor out, boolean tensorCores) {
        Tensor ac = GemmPlan.inputFits(a) ? a : a.contiguous();
        Tensor bc = GemmPlan.inputFits(b) ? b : b.contiguous();
        Tensor oc = GemmPlan.outputFits(out) ? out : Tensor.empty(out.dtype(), this, out.shape());
        java.util.List<GemmPlan.Call> calls = GemmPlan.plan(ac, bc, oc);
        kernels.library("cublasGemmStridedBatchedEx", "cublasGemmStridedBatchedEx " + Shape.str(ac.shape()) + " x " + Shape.str(bc.shape()),
                () -> cublas.gemm(out.dtype().name(), out.dtype().bytes, tensorCores, calls, address(ac), address(bc), address(oc)));
        java.lang.ref.Reference.reachabilityFence(ac);
        java.lang.ref.Reference.reachabilityFence(bc);
        if (oc != out) copy(oc, out);
    }

    /** The device address of a tensor's storage (element 0, the tensor's offset not added). */
    private static long address(Tensor t) {
        return NativeHandles.address(((CudaStorage) t.storage()).ptr());
    }

    /**
     * A BF16 or F16 product as the CPU reference computes it: exact products of the 16-bit operands accumulated in
     * float32, rounded once on store. The operands widen to float32 copies and the product runs on the TF32 kernel,
     * which is exact for them (TF32 keeps 10 fraction bits, as many as float16 has and more than bfloat16's 7). A
     * stand-in with two float32 copies where cuBLAS, which takes 16-bit operands directly, is missing.
     */
    private void halfMatmul(Tensor a, Tensor b, Tensor out) {
        Tensor out32 = Tensor.empty(DType.F32, this, out.shape());
        product(a.to(DType.F32), b.to(DType.F32), out32, true);
        copy(out32, out);
    }

    /**
     * x (..., M, K) · W (K, N) with W broadcast over the batch (a linear layer) is one (batch·M, K) · (K, N)
     * product when x's and out's batch axes merge with their row axis: one GEMM of tall tiles instead of
     * many of M rows (M = 197 tokens fills 2 tiles of 128 at 77%). False when the layout does not allow it.
     */
    private boolean foldBatchIntoRows(Tensor a, Tensor b, Tensor out, int[] batch, int m, int k, int n, boolean tensorCores) {
        int r = batch.length;
        for (int i = 0; i < r; i++) if (b.stride(i) != 0 && batch[i] > 1) return false;
        int[] rows = java.util.Arrays.copyOf(batch, r + 1);
        rows[r] = m;
        int[] as = java.util.Arrays.copyOf(a.strides(), r + 1), os = java.util.Arrays.copyOf(out.strides(), r + 1);
        int[][] d = TensorDesc.coalesced(rows, new int[][] {as, os}, new int[] {a.offset(), out.offset()}, "matmul rows");
        if (d[0][0] != 1) return false;
        int all = Shape.numel(rows), sa = d[0][2 + TensorDesc.MAX_RANK], so = d[1][2 + TensorDesc.MAX_RANK];
        Tensor b2 = b;
        while (b2.rank() > 2) b2 = b2.select(0, 0);
        product(new Tensor(a.storage(), new int[] {all, k}, new int[] {sa, a.stride(-1)}, a.offset()), b2,
                new Tensor(out.storage(), new int[] {all, n}, new int[] {so, out.stride(-1)}, out.offset()), tensorCores);
        return true;
    }

    /**
     * K chunks for one product with {@code tiles} 128x128 output tiles: enough blocks for about two per
     * SM of a large GPU (264), each chunk at least 512 deep; 1 (no split) when the tiles already fill it.
     */
    static int splitsFor(int tiles, int k) {
        if (tiles >= 264 || k < 1024) return 1;
        return Math.max(1, Math.min((264 + tiles - 1) / tiles, k / 512));
    }

    // ------------------------------------------------------------------ softmax, layerNorm

    /** Descs over the rows of equal-shaped tensors (the axis removed), merged where all allow. */
    private static int[][] rows(int axis, String what, Tensor... ts) {
        int[][] st = new int[ts.length][];
        int[] off = new int[ts.length];
        for (int t = 0; t < ts.length; t++) {
            st[t] = TensorDesc.drop(ts[t].strides(), axis);
            off[t] = ts[t].offset();
        }
        return TensorDesc.coalesced(TensorDesc.drop(ts[0].shape(), axis), st, off, what);
    }

    @Override public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        int n = x.size(axis);
        long rowsN = x.numel() / Math.max(1, n);
        if (rowsN == 0 || n == 0) return;
        int[][] d = rows(axis, "softmax", x, out);
        String fn = x.dtype() == DType.F32 && out.dtype() == DType.F32 ? "softmax_f" : "softmax_d";
        kernels.launch("softmax", fn, (int) Math.min(rowsN, 1 << 20), 1, 1, threadsFor(n), 1, 1,
                d[0], x, dt(x), x.stride(axis), d[1], out, dt(out), out.stride(axis), n, log ? 1 : 0, rowsN);
    }

    @Override public void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        int n = y.size(axis);
        long rowsN = y.numel() / Math.max(1, n);
        if (rowsN == 0 || n == 0) return;
        int[][] d = rows(axis, "softmaxBackward", y, dy, dx);
        String fn = y.dtype() == DType.F32 && dy.dtype() == DType.F32 && dx.dtype() == DType.F32 ? "softmax_backward_f" : "softmax_backward_d";
        kernels.launch("softmax", fn, (int) Math.min(rowsN, 1 << 20), 1, 1, threadsFor(n), 1, 1,
                d[0], y, dt(y), y.stride(axis), d[1], dy, dt(dy), dy.stride(axis), d[2], dx, dt(dx), dx.stride(axis), n, log ? 1 : 0, rowsN);
    }

    /** t in x's dtype (a converted copy when it differs); null stays null. */
    private static Tensor as(Tensor t, DType dtype) {
        return t == null ? null : t.to(dtype);
    }

    @Override public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int last = x.rank() - 1, d = x.size(last);
        long rowsN = mean.numel();
        if (rowsN == 0) return;
        DType t = x.dtype();
        requireDtype("layerNorm", t, out, mean, rstd);
        Tensor wc = as(w, t), bc = as(b, t);
        int[][] rx = rows(last, "layerNorm", x, out);
        int[][] ms = statistics(x, mean, rstd);
        kernels.launch("layernorm", "layer_norm_k", (int) Math.min(rowsN, 1 << 20), 1, 1, threadsFor(d), 1, 1,
                rx[0], x, x.stride(last), rx[1], out, out.stride(last), Kernels.at(wc), wc == null ? 0 : wc.stride(0),
                Kernels.at(bc), bc == null ? 0 : bc.stride(0), ms[0], mean, ms[1], rstd, OpCodes.DTYPE.of(t), eps, d, rowsN);
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dx, Tensor dw, Tensor db) {
        int last = x.rank() - 1, d = x.size(last);
        long rowsN = mean.numel();
        if (rowsN == 0) return;
        DType t = x.dtype();
        requireDtype("layerNormBackward", t, dy, mean, rstd, dx);
        Tensor wc = as(w, t);
        int[][] rx = rows(last, "layerNormBackward", dy, x, dx);
        int[][] ms = statistics(x, mean, rstd);
        kernels.launch("layernorm", "layer_norm_backward_k", (int) Math.min(rowsN, 1 << 20), 1, 1, threadsFor(d), 1, 1,
                rx[0], dy, dy.stride(last), rx[1], x, x.stride(last), Kernels.at(wc), wc == null ? 0 : wc.stride(0), ms[0], mean, ms[1], rstd,
                rx[2], dx, dx.stride(last), OpCodes.DTYPE.of(t), d, rowsN);
        if (dw == null && db == null) return;
        int colBlocks = (d + 31) / 32;
        long[] c = chunking(rowsN, colBlocks, 64);
        long chunks = c[0], perChunk = c[1];
        Tensor partial = Tensor.empty(DType.F64, this, (int) chunks, 2, d);
        kernels.launch("layernorm", "layer_norm_wb_partial_k", colBlocks, (int) chunks, 1, 32, 8, 1,
                rx[0], dy, dy.stride(last), rx[1], x, x.stride(last), ms[0], mean, ms[1], rstd, OpCodes.DTYPE.of(t), d, rowsN, perChunk, partial);
        Tensor sums = Tensor.empty(DType.F64, this, 1, 2, d);
        reduce(ReduceOp.SUM, partial, sums.expand((int) chunks, 2, d));
        if (dw != null) binary(BinaryOp.ADD, dw, sums.select(0, 0).select(0, 0), dw);
        if (db != null) binary(BinaryOp.ADD, db, sums.select(0, 0).select(0, 1), db);
    }

    /** Descs of mean and rstd over x's rows (x's shape without the last axis). */
    private static int[][] statistics(Tensor x, Tensor mean, Tensor rstd) {
        int[] rowShape = TensorDesc.drop(x.shape(), x.rank() - 1);
        return TensorDesc.coalesced("layerNorm statistics", asRows(mean, rowShape), asRows(rstd, rowShape));
    }

    private static Tensor asRows(Tensor s, int[] rowShape) {
        if (java.util.Arrays.equals(s.shape(), rowShape)) return s;
        if (s.numel() != Shape.numel(rowShape) || !s.isContiguous())
            throw new IllegalArgumentException("layerNorm on cuda: statistics " + s + " do not match rows " + Shape.str(rowShape));
        return s.reshape(rowShape);
    }

    private static void requireDtype(String op, DType t, Tensor... ts) {
        for (Tensor u : ts)
            if (u.dtype() != t) throw new IllegalArgumentException(op + " on cuda: " + u + " is not " + t + " like x");
    }

    // ------------------------------------------------------------------ indexing

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype() != DType.I32 && index.dtype() != DType.I64)
            throw new IllegalArgumentException(op + ": index must be I32 or I64, got " + index);
    }

    @Override public void indexSelect(Tensor x, int axis, Tensor index, Tensor out) {
        requireIndex("indexSelect", index);
        requireDtype("indexSelect", x.dtype(), out);
        kernels.launch1d("index", "index_select_k", out.numel(), TensorDesc.of(out, "indexSelect out"), out, TensorDesc.of(x, "indexSelect x"), x,
                dt(x), axis, x.size(axis), index, dt(index), index.stride(0), index.offset(), (long) out.numel());
    }

    /** out (BF16 or F16) += what {@code add} adds into a float32 copy of it: the device has no 16-bit atomics here. */
    private void viaFloat32(Tensor out, java.util.function.Consumer<Tensor> add) {
        Tensor o32 = out.to(DType.F32);
        add.accept(o32);
        copy(o32, out);
    }

    @Override public void indexAdd(Tensor out, int axis, Tensor index, Tensor src) {
        if (out.dtype().isHalf()) {
            viaFloat32(out, o32 -> indexAdd(o32, axis, index, src));
            return;
        }
        requireIndex("indexAdd", index);
        Tensor s = as(src, out.dtype());
        kernels.launch1d("index", "index_add_k", s.numel(), TensorDesc.of(s, "indexAdd src"), s, TensorDesc.of(out, "indexAdd out"), out,
                dt(out), axis, out.size(axis), index, dt(index), index.stride(0), index.offset(), (long) s.numel());
    }

    @Override public void gather(Tensor x, int axis, Tensor index, Tensor out) {
        requireIndex("gather", index);
        requireDtype("gather", x.dtype(), out);
        kernels.launch1d("index", "gather_k", index.numel(), TensorDesc.of(index, "gather index"), index, dt(index), TensorDesc.of(x, "gather x"), x,
                TensorDesc.of(out, "gather out"), out, dt(out), axis, x.size(axis), (long) index.numel());
    }

    @Override public void scatterAdd(Tensor out, int axis, Tensor index, Tensor src) {
        if (out.dtype().isHalf()) {
            viaFloat32(out, o32 -> scatterAdd(o32, axis, index, src));
            return;
        }
        requireIndex("scatterAdd", index);
        Tensor s = as(src, out.dtype());
        kernels.launch1d("index", "scatter_add_k", index.numel(), TensorDesc.of(index, "scatterAdd index"), index, dt(index),
                TensorDesc.of(s, "scatterAdd src"), s, TensorDesc.of(out, "scatterAdd out"), out, dt(out), axis, out.size(axis), (long) index.numel());
    }

    // ------------------------------------------------------------------ fused attention (attention.cu)

    /**
     * The kernel suffix for these operands ("f_hd64": float32, head width 64), or null when attention.cu has no
     * instantiation for them (other head widths or dtypes, mixed dtypes, an lse not float64 for float64 operands and
     * float32 otherwise): the reference then serves, through host copies. bf16 and fp16 are matched by the dtype's
     * name, so they take their kernels once the engine has those dtypes.
     */
    static String flashKernel(Tensor lse, int hd, Tensor... xs) {
        DType t = xs[0].dtype();
        for (Tensor x : xs) if (x.dtype() != t) return null;
        if (lse.dtype() != (t == DType.F64 ? DType.F64 : DType.F32) || !lse.isContiguous()) return null;
        switch (t.name()) {
            case "F32": return hd == 16 || hd == 32 || hd == 64 ? "f_hd" + hd : null;
            case "F64": return hd == 16 ? "d_hd16" : null;
            case "BF16": return hd == 64 ? "b_hd64" : null;
            case "F16": return hd == 64 ? "h_hd64" : null;
            default: return null;
        }
    }

    /** Rows a block of attention.cu streams (its Tile&lt;C, HD&gt;::ROWS, C the compute type): 64, or 32 when two tiles would pass 32 KB. */
    static int flashRows(DType t, int hd) {
        int computeBytes = t == DType.F64 ? 8 : 4;
        return 2 * 64 * hd * computeBytes <= 32768 ? 64 : 32;
    }

    /** The softmax scale in the kernels' compute type: double for float64 operands, float otherwise. */
    private static Object flashScale(DType t, double scale) {
        return t == DType.F64 ? (Object) scale : (Object) (float) scale;
    }

    private static int[] view3(Tensor x) {
        return new int[] {x.stride(0), x.stride(1), x.stride(2)};
    }

    /** The mask's kernel arguments: priority pointer (moved to the GPU if elsewhere), its dtype code and (B, L) strides, masked, strict. */
    private Object[] maskArgs(OrderMask mask) {
        if (mask == null) return new Object[] {null, 0, 0, 0, 0, 0};
        Tensor p = mask.priority().backend() == this ? mask.priority() : mask.priority().to(this);
        return new Object[] {Kernels.at(p), dt(p), p.stride(0), p.stride(1), 1, mask.strict() ? 1 : 0};
    }

    private static Object[] args(Object[]... parts) {
        java.util.List<Object> all = new java.util.ArrayList<>();
        for (Object[] p : parts) all.addAll(java.util.Arrays.asList(p));
        return all.toArray();
    }

    @Override public void flashAttention(Tensor q, Tensor k, Tensor v, int heads, double scale, OrderMask mask, Tensor out, Tensor lse) {
        FlashAttentionReference.check(q, k, heads, mask);
        int b = q.size(0), tq = q.size(1), tk = k.size(1), hd = q.size(2) / heads;
        String fn = flashKernel(lse, hd, q, k, v, out);
        if (fn == null || b * tq * tk == 0) {
            Backend.super.flashAttention(q, k, v, heads, scale, mask, out, lse);
            return;
        }
        int rows = flashRows(q.dtype(), hd);
        Object sc = flashScale(q.dtype(), scale);
        kernels.launch("attention", "flash_forward_" + fn, (tq + rows - 1) / rows, heads, b, rows, 1, 1, args(
                new Object[] {Kernels.at(q), view3(q), Kernels.at(k), view3(k), Kernels.at(v), view3(v), Kernels.at(out), view3(out), Kernels.at(lse)},
                maskArgs(mask), new Object[] {heads, tq, tk, sc}));
    }

    @Override public void flashAttentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, int heads, double scale,
                                                 OrderMask mask, Tensor dq, Tensor dk, Tensor dv) {
        FlashAttentionReference.check(q, k, heads, mask);
        int b = q.size(0), tq = q.size(1), tk = k.size(1), hd = q.size(2) / heads;
        String fn = flashKernel(lse, hd, dOut, q, k, v, out, dq, dk, dv);
        if (fn == null || b * tq * tk == 0) {
            Backend.super.flashAttentionBackward(dOut, q, k, v, out, lse, heads, scale, mask, dq, dk, dv);
            return;
        }
        int rows = flashRows(q.dtype(), hd);
        Object sc = flashScale(q.dtype(), scale);
        Tensor delta = Tensor.empty(lse.dtype(), this, b, heads, tq);             // Δ_i = Σ dOut_i·out_i, pass 1 for pass 2
        Object[] tail = args(maskArgs(mask), new Object[] {heads, tq, tk, sc});
        kernels.launch("attention", "flash_backward_dq_" + fn, (tq + rows - 1) / rows, heads, b, rows, 1, 1, args(
                new Object[] {Kernels.at(dOut), view3(dOut), Kernels.at(q), view3(q), Kernels.at(k), view3(k), Kernels.at(v), view3(v),
                        Kernels.at(out), view3(out), Kernels.at(lse), delta, Kernels.at(dq), view3(dq)}, tail));
        kernels.launch("attention", "flash_backward_dkdv_" + fn, (tk + rows - 1) / rows, heads, b, rows, 1, 1, args(
                new Object[] {Kernels.at(dOut), view3(dOut), Kernels.at(q), view3(q), Kernels.at(k), view3(k), Kernels.at(v), view3(v),
                        Kernels.at(lse), delta, Kernels.at(dk), view3(dk), Kernels.at(dv), view3(dv)}, tail));
    }

    // ------------------------------------------------------------------ the rest

    @Override public void depthwiseConv2d(Tensor x, Tensor w, int padding, Tensor out) {
        requireDtype("depthwiseConv2d", out.dtype(), x, w);
        kernels.launch1d("conv", "depthwise_conv2d_k", out.numel(), TensorDesc.of(x, "depthwiseConv2d x"), x, TensorDesc.of(w, "depthwiseConv2d w"), w,
                TensorDesc.of(out, "depthwiseConv2d out"), out, dt(out), padding, (long) out.numel());
    }

    @Override public void random(Tensor out, RandomKind kind, long seed, long counter, double a, double b) {
        int[][] d = TensorDesc.coalesced("random", out);
        kernels.launch1d("random", "random_k", out.numel(), d[0], out, dt(out), OpCodes.RANDOM.of(kind), seed, counter, a, b, (long) out.numel());
    }

    @Override public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                double weightDecay, double bc1, double bc2) {
        requireDtype("adamw", p.dtype(), g, m, v);
        int[][] d = TensorDesc.coalesced("adamw", p, g, m, v);
        kernels.launch1d("adamw", "adamw_k", p.numel(), d[0], p, d[1], g, d[2], m, d[3], v, dt(p),
                lr, beta1, beta2, eps, weightDecay, bc1, bc2, (long) p.numel());
    }

    @Override public String describe() {
        return "cuda (" + driver.deviceName + "; GEMM: " + (cublas() ? "cuBLAS " + cublas.version : "own kernels") + ")";
    }

    @Override public String toString() {
        return "cuda (" + driver.deviceName + (tf32 ? ", TF32 matmul" : "") + "; GEMM: " + (cublas() ? gemmNote : "own kernels")
                + "; allocator " + allocator.stats() + ")";
    }
}
