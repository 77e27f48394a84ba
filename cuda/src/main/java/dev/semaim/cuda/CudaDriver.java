package dev.semaim.cuda;

import dev.semaim.tensor.Backends;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;

/**
 * The process's one CUDA device: driver initialisation, the device's primary context (made current on
 * every thread that calls in) and the one stream all kernels and device copies are queued on.
 * Loading this class loads the JCuda natives and libcuda, so only the CUDA backend touches it.
 */
final class CudaDriver {
    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUstream stream = new CUstream();
    final String deviceName;
    final long totalMemory;
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);

    private CudaDriver() {
        JCudaDriver.setExceptionsEnabled(false);
        check(JCudaDriver.cuInit(0), "cuInit");
        int[] count = new int[1];
        check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] == 0) throw new CudaException("the CUDA driver reports no GPU");
        int ordinal = deviceOrdinal() % count[0];
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        bind();
        check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        deviceName = new String(name, 0, len, StandardCharsets.US_ASCII);
        int[] major = new int[1], minor = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                "cuDeviceGetAttribute(compute capability major)");
        check(JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                "cuDeviceGetAttribute(compute capability minor)");
        String tooOld = unsupported(deviceName, major[0], minor[0]);
        if (tooOld != null) throw new CudaException(tooOld);
        long[] total = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        totalMemory = total[0];
    }

    /** The compute capability the committed PTX targets (scripts/gpu/compile-ptx.sh: -arch=compute_80). */
    static final int MIN_MAJOR = 8;

    /**
     * Why a GPU of compute capability major.minor cannot run the kernels, naming it and the requirement, or null when
     * it can: the PTX targets compute_80, which the driver cannot JIT-compile for an older GPU.
     */
    static String unsupported(String deviceName, int major, int minor) {
        if (major >= MIN_MAJOR) return null;
        return "the GPU '" + deviceName + "' has compute capability " + major + "." + minor + "; the kernels of this build are PTX for "
                + "compute capability " + MIN_MAJOR + ".0 and newer (Ampere: A100, RTX 30xx, and later); rebuild the PTX with "
                + "scripts/gpu/compile-ptx.sh for an older -arch (untested), or run on the CPU (--device cpu)";
    }

    /**
     * The device this process uses: -Dsemaim.cuda.device (a data-parallel run sets it to the local rank), else 0;
     * taken modulo the visible devices, so a launcher that shows each process only its own GPU works too.
     */
    static int deviceOrdinal() {
        return Math.max(0, Integer.getInteger(Backends.GPU_DEVICE_PROPERTY, 0));
    }

    private static final class Holder {
        static final CudaDriver INSTANCE = new CudaDriver();
    }

    static CudaDriver get() {
        CudaDriver d = Holder.INSTANCE;
        d.bind();
        return d;
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    void bind() {
        if (!bound.get()) {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            bound.set(true);
        }
    }

    void synchronize(String after) {
        check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize (after " + after + ")");
    }

    static void check(int rc, String what) {
        if (rc != CUresult.CUDA_SUCCESS) throw new CudaException(what + " failed: " + CUresult.stringFor(rc));
    }
}
