package dev.semaim.cuda;

import dev.semaim.tensor.Tensor;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The raw CUDA handles of the backend, for libraries bound outside JCuda (NCCL through JNA in the distributed
 * module): the one stream every kernel is queued on, and a tensor's device address. Work queued on {@link #stream(CudaBackend)}
 * is ordered with the backend's kernels.
 */
public final class CudaHandles {
    private CudaHandles() {
    }

    /** The backend's stream ({@code CUstream}, which is also a {@code cudaStream_t}). */
    public static long stream(CudaBackend backend) {
        return new Raw(backend.driver.stream).value();
    }

    /** The device address of {@code t}'s first element; {@code t} must be a tensor of the CUDA backend. */
    public static long address(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("not a CUDA tensor: " + t);
        }
        return new RawPointer(s.ptr()).value() + (long) t.offset() * t.dtype().bytes;
    }

    /** JCuda keeps the native value protected: a subclass reads it. */
    private static final class Raw extends NativePointerObject {
        Raw(NativePointerObject handle) {
            super(handle);
        }

        long value() {
            return getNativePointer();
        }
    }

    /** A device pointer's value with its byte offset. */
    private static final class RawPointer extends Pointer {
        RawPointer(Pointer p) {
            super(p);
        }

        long value() {
            return getNativePointer() + getByteOffset();
        }
    }
}
