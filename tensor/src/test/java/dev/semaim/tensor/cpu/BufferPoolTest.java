package dev.semaim.tensor.cpu;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BufferPoolTest {
    private static final int BIG = BufferPool.MIN_FLOATS + 7;

    private static float[] array(Tensor t) {
        return ((CpuStorage) t.storage()).f;
    }

    @Test
    void releasedBufferServesTheNextAllocationOfItsLength() {
        Tensor a = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG);
        float[] buffer = array(a);
        a.release();
        Tensor b = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG);
        assertSame(buffer, array(b), "a released buffer is reused for the same length");
        assertTrue(b.storage().serial() > a.storage().serial(), "a new storage gets a new serial");
        b.release();
        Tensor other = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG + 1);
        assertNotSame(buffer, array(other), "never for another length");
    }

    @Test
    void freeBuffersNeverCauseAnOutOfMemoryError() throws Exception {
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(launcher, "-Xmx64m", "-XX:+UseParallelGC", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), BufferPoolHeapProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "the probe JVM failed:\n" + out);
        assertTrue(out.contains("ok 5"), "the allocations that need the pool's memory succeed:\n" + out);
    }

    @Test
    void aSecondReleaseOfOneStorageIsIgnored() {
        Tensor a = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG);
        a.release();
        a.reshape(BIG).release(); // a view of the same storage
        Tensor b = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG), c = Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG);
        assertNotSame(array(b), array(c), "one release hands the buffer out once");
    }

    @Test
    void smallBuffersAndCallersArraysAreNotPooled() {
        Tensor small = Tensor.empty(DType.F32, CpuBackend.INSTANCE, 8);
        float[] smallBuffer = array(small);
        small.release();
        assertNotSame(smallBuffer, array(Tensor.empty(DType.F32, CpuBackend.INSTANCE, 8)));
        float[] mine = new float[BIG];
        Tensor wrapped = new Tensor(new CpuStorage(mine), new int[] {BIG}, new int[] {1}, 0);
        wrapped.release();
        assertNotSame(mine, array(Tensor.empty(DType.F32, CpuBackend.INSTANCE, BIG)), "a wrapped array stays the caller's");
        assertEquals(0f, mine[0], "and is not poisoned");
    }

    @Test
    void poisonModeFillsAllocationsAndReleasedBuffersWithNaN() {
        assumeTrue(BufferPool.POISON, "runs with -Dsemaim.pool.poison=true (the test suite's setting)");
        Tensor a = Tensor.empty(DType.F32, CpuBackend.INSTANCE, 5);
        assertTrue(Float.isNaN(array(a)[4]), "an allocation reads as NaN until written");
        Tensor b = Tensor.full(1, DType.F32, CpuBackend.INSTANCE, BIG);
        float[] buffer = array(b);
        b.release();
        assertTrue(Float.isNaN(buffer[0]) && Float.isNaN(buffer[BIG - 1]), "a released buffer reads as NaN");
    }
}
