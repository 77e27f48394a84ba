package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bucket sizes (pure) and, on a GPU, reuse without cuMemAlloc in steady state, reuse of a released block
 * without a collection, the error on use after release, and the out-of-memory message.
 */
class CudaAllocatorTest {
    @Test
    void bucketsRoundUpWithBoundedWaste() {
        assertEquals(512, CudaAllocator.bucket(1));
        assertEquals(1024, CudaAllocator.bucket(513));
        assertEquals(1 << 20, CudaAllocator.bucket(1 << 20));
        assertEquals((1 << 20) + (1 << 17), CudaAllocator.bucket((1 << 20) + 1));
        for (long b = 1; b < 1L << 34; b = b * 3 + 7) {
            long k = CudaAllocator.bucket(b);
            assertTrue(k >= b && (b < 4096 || k <= b * 1.125 + 1), b + " -> " + k);
        }
    }

    @Test
    void steadyStateReusesBlocks() {
        Backend gpu = GpuTestSupport.gpu();
        CudaBackend cuda = (CudaBackend) gpu;
        Runnable step = () -> {
            Tensor x = Tensor.full(1, DType.F32, gpu, 64, 197, 768);
            Tensor y = x.mul(x).add(x).sum(2);
            assertEquals(64 * 197, y.numel());
        };
        step.run();
        cuda.allocator.collect();
        long before = cuda.deviceAllocations();
        for (int i = 0; i < 3; i++) {
            step.run();
            cuda.allocator.collect();
        }
        assertEquals(before, cuda.deviceAllocations(), "no cuMemAlloc after warm-up: " + cuda.allocatorStats());
    }

    @Test
    void releasedBlockIsReusedAtOnce() {
        Backend gpu = GpuTestSupport.gpu();
        CudaBackend cuda = (CudaBackend) gpu;
        cuda.allocator.collect();  // dead blocks of other tests go to the free lists now, not between the two lines below
        Tensor a = Tensor.full(3, DType.F32, gpu, 1000, 1001);
        Object block = ((CudaStorage) a.storage()).ptr();
        a.release();
        a.release();  // a second release does nothing
        Tensor b = Tensor.full(5, DType.F32, gpu, 1001, 1000);
        assertSame(block, ((CudaStorage) b.storage()).ptr(), "the released block, reused at once: " + cuda.allocatorStats());
        assertEquals(5, b.max(false).item(), "values written into the reused block");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.add(a));
        assertTrue(e.getMessage().contains("released device storage of 1001000 x F32"), e.getMessage());
    }

    @Test
    void outOfMemoryNamesTheSizes() {
        CudaBackend cuda = (CudaBackend) GpuTestSupport.gpu();
        CudaException e = assertThrows(CudaException.class, () -> cuda.allocator.allocate(new Object(), 1L << 46));
        assertTrue(e.getMessage().contains("out of GPU memory allocating 70368744177664 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("live"), e.getMessage());
    }
}
