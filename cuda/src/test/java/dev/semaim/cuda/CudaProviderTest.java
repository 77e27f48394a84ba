package dev.semaim.cuda;

import dev.semaim.tensor.BackendProvider;
import dev.semaim.tensor.Backends;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/** The provider is found through ServiceLoader and, without a GPU, explains itself instead of throwing. */
class CudaProviderTest {
    @Test
    void registeredAsCudaAndAnswersWithoutThrowing() {
        BackendProvider found = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) if (p.name().equals("cuda")) found = p;
        assertNotNull(found, "META-INF/services registers the cuda provider");
        String why = found.unavailableReason();
        if (why == null) {
            assertEquals("cuda", Backends.byName("cuda").name());
            assertSame(Backends.byName("cuda"), Backends.byName("cuda"), "one backend instance per process");
            Backends.Choice auto = Backends.choose("auto");
            assertEquals("cuda (" + CudaBackend.get().deviceName() + "): the first plug-in backend that is available", auto.toString());
        } else {
            assertFalse(why.isBlank());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("cuda"));
            assertTrue(e.getMessage().contains(why), e.getMessage());
            Backends.Choice auto = Backends.choose("auto");
            assertEquals("cpu", auto.backend().name(), "auto falls back to the CPU");
            assertEquals("no plug-in backend is available (cuda: " + why + ")", auto.reason(), "and says why");
        }
    }

    @Test
    void aGpuOlderThanThePtxTargetIsNamedWithTheRequirement() {
        assertEquals(null, CudaDriver.unsupported("NVIDIA A100-SXM4-80GB", 8, 0));
        assertEquals(null, CudaDriver.unsupported("NVIDIA H200", 9, 0));
        String m = CudaDriver.unsupported("Tesla V100-SXM2-16GB", 7, 0);
        assertTrue(m.startsWith("the GPU 'Tesla V100-SXM2-16GB' has compute capability 7.0; the kernels of this build are PTX for "
                + "compute capability 8.0 and newer"), m);
        assertTrue(m.contains("--device cpu"), m);
    }
}
