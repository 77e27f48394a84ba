package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory: a block from the caching allocator holding {@code size} elements of a dtype, until released
 * ({@link CudaBackend#release}) or unreachable. A released storage refuses its pointer, so a use after release
 * fails loudly instead of reading a block that another tensor may already own.
 */
final class CudaStorage implements Storage {
    private final CudaBackend backend;
    private final DType dtype;
    private final int size;
    /** Null for an empty storage. */
    private final CudaAllocator.Tracked hold;
    private final CudaAllocator allocator;
    private boolean released;
    private final long serial = Storage.nextSerial();

    CudaStorage(CudaBackend backend, CudaAllocator allocator, DType dtype, int size) {
        this.backend = backend;
        this.dtype = dtype;
        this.size = size;
        this.allocator = allocator;
        this.hold = size == 0 ? null : allocator.allocate(this, (long) size * dtype.bytes);
    }

    /** Base pointer (element 0); a null pointer for an empty storage. */
    CUdeviceptr ptr() {
        if (released) throw new IllegalStateException("a released device storage of " + size + " x " + dtype + " was used again");
        return hold == null ? new CUdeviceptr() : hold.block.ptr;
    }

    /** Gives the block back to the allocator's cache now (once; a second release does nothing). */
    void release() {
        released = true;
        if (hold != null) allocator.release(hold);
    }

    @Override public DType dtype() { return dtype; }

    @Override public int size() { return size; }

    @Override public Backend backend() { return backend; }

    @Override public long serial() { return serial; }
}
