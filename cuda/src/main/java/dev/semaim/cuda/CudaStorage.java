package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/** Device memory: a block from the caching allocator holding {@code size} elements of a dtype. */
final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final DType dtype;
    private final int size;
    /** Null for an empty storage. */
    private final CudaAllocator.Block block;
    private final long serial = Storage.nextSerial();

    CudaStorage(CudaBackend backend, CudaAllocator allocator, DType dtype, int size) {
        this.backend = backend;
        this.dtype = dtype;
        this.size = size;
        this.block = size == 0 ? null : allocator.allocate(this, (long) size * dtype.bytes);
    }

    /** Base pointer (element 0); a null pointer for an empty storage. */
    CUdeviceptr ptr() {
        return block == null ? new CUdeviceptr() : block.ptr;
    }

    @Override public DType dtype() { return dtype; }

    @Override public int size() { return size; }

    @Override public Backend backend() { return backend; }

    @Override public long serial() { return serial; }
}
