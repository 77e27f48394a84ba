package dev.semaim.cuda;

import dev.semaim.tensor.Tensor;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The PTX modules (resources dev/semaim/cuda/*.ptx, compiled from cuda/src/main/cuda by
 * scripts/gpu/compile-ptx.sh) and kernel launches. Launch arguments are given as Java values: a
 * {@link Tensor} passes its storage's base pointer (null tensor: null pointer; the tensor stays
 * reachable until the launch is queued), {@link #at} a pointer to a tensor's first element, int[] a Desc (or any struct of ints), Integer/Long/Float/Double the matching scalar.
 * With -Dsemaim.cuda.sync=true every launch is followed by a synchronisation, so an asynchronous fault
 * is reported against the kernel that caused it; with -Dsemaim.cuda.profile=true launches are timed
 * ({@link KernelProfile}, reported at each {@link CudaBackend#synchronize()}).
 */
final class Kernels {
    static final String[] MODULES = {"elementwise", "reduce", "gemm", "softmax", "layernorm", "index", "conv", "random", "adamw", "attention", "topk"};
    private static final boolean SYNC_EACH = Boolean.getBoolean("semaim.cuda.sync");
    /** Non-null under -Dsemaim.cuda.profile=true. */
    final KernelProfile profile = Boolean.getBoolean("semaim.cuda.profile") ? new KernelProfile() : null;

    private final CudaDriver driver;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private String lastLaunch = "none";

    Kernels(CudaDriver driver) {
        this.driver = driver;
        for (String m : MODULES) {
            CUmodule mod = new CUmodule();
            CudaDriver.check(JCudaDriver.cuModuleLoadData(mod, ptx(m)), "cuModuleLoadData(" + m + ".ptx)");
            modules.put(m, mod);
        }
    }

    /** The PTX text of a module, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx(String module) {
        try (InputStream in = Kernels.class.getResourceAsStream(module + ".ptx")) {
            if (in == null) throw new IllegalStateException("cuda: PTX resource dev/semaim/cuda/" + module + ".ptx is missing from the class path");
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: reading " + module + ".ptx", e);
        }
    }

    synchronized CUfunction function(String module, String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            CudaDriver.check(JCudaDriver.cuModuleGetFunction(f, modules.get(module), n), "cuModuleGetFunction(" + module + "." + n + ")");
            return f;
        });
    }

    /** The device address of a module's {@code __device__} variable. */
    CUdeviceptr global(String module, String name) {
        CUdeviceptr p = new CUdeviceptr();
        CudaDriver.check(JCudaDriver.cuModuleGetGlobal(p, new long[1], modules.get(module), name), "cuModuleGetGlobal(" + name + ")");
        return p;
    }

    /** Grid-stride launches: 256 threads a block, enough blocks to cover n (capped; kernels loop). */
    void launch1d(String module, String name, long n, Object... args) {
        if (n == 0) return;
        int blocks = (int) Math.min((n + 255) / 256, 1 << 16);
        launch(module, name, blocks, 1, 1, 256, 1, 1, args);
    }

    void launch(String module, String name, int gx, int gy, int gz, int bx, int by, int bz, Object... args) {
        if ((long) gx * gy * gz == 0) return;
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) params[i] = param(args[i]);
        String shape = name + "<<<(" + gx + "," + gy + "," + gz + "), (" + bx + "," + by + "," + bz + ")>>>";
        driver.bind();
        if (profile != null) profile.before(name, driver.stream);
        int rc = JCudaDriver.cuLaunchKernel(function(module, name), gx, gy, gz, bx, by, bz, 0, driver.stream, Pointer.to(params), null);
        CudaDriver.check(rc, "launching " + shape);
        if (profile != null) profile.after(driver.stream);
        lastLaunch = shape;
        if (SYNC_EACH) driver.synchronize(shape);
        java.lang.ref.Reference.reachabilityFence(args);
    }

    /** A kernel argument: pointer to a tensor's first element (its offset folded in); null gives a null pointer. */
    static final class At {
        final Tensor t;

        private At(Tensor t) {
            this.t = t;
        }
    }

    static At at(Tensor t) {
        return new At(t);
    }

    /**
     * Queues a library call (cuBLAS) on the stream like a launch: timed under the profile, named as the last
     * work queued for errors that surface later, synchronised after under -Dsemaim.cuda.sync=true.
     */
    void library(String name, String shape, Runnable call) {
        driver.bind();
        if (profile != null) profile.before(name, driver.stream);
        call.run();
        if (profile != null) profile.after(driver.stream);
        lastLaunch = shape;
        if (SYNC_EACH) driver.synchronize(shape);
    }

    /** The last kernel queued, for errors that surface at a later synchronisation. */
    String lastLaunch() {
        return lastLaunch;
    }

    private static Pointer param(Object a) {
        if (a == null) return Pointer.to(new CUdeviceptr());
        if (a instanceof At) {
            Tensor t = ((At) a).t;
            return Pointer.to(t == null ? new CUdeviceptr() : ((CudaStorage) t.storage()).ptr().withByteOffset((long) t.offset() * t.dtype().bytes));
        }
        if (a instanceof Tensor) return Pointer.to(((CudaStorage) ((Tensor) a).storage()).ptr());
        if (a instanceof int[]) return Pointer.to((int[]) a);
        if (a instanceof Integer) return Pointer.to(new int[] {(Integer) a});
        if (a instanceof Long) return Pointer.to(new long[] {(Long) a});
        if (a instanceof Double) return Pointer.to(new double[] {(Double) a});
        if (a instanceof Float) return Pointer.to(new float[] {(Float) a});
        if (a instanceof CUdeviceptr) return Pointer.to((CUdeviceptr) a);
        throw new IllegalArgumentException("cuda: unsupported kernel argument " + a.getClass().getName());
    }
}
