package dev.semaim.tensor;

import dev.semaim.tensor.cpu.CpuThreads;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Choosing a backend by name, with the reason {@code --device auto} reports (this module has no plug-ins). */
class BackendsTest {
    @Test
    void autoWithoutPlugInsChoosesTheCpuAndSaysWhy() {
        Backends.Choice c = Backends.choose("auto");
        assertSame(Backends.cpu(), c.backend());
        assertEquals("no GPU backend is on the class path", c.reason());
        assertEquals("cpu (" + CpuThreads.threads() + " threads, Vector API kernels): no GPU backend is on the class path", c.toString());
    }

    @Test
    void aNamedBackendThatIsMissingIsAnErrorNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.byName("cuda"));
        assertEquals("--device cuda is not available (no such backend on the class path)", e.getMessage());
        assertSame(Backends.cpu(), Backends.byName("cpu"));
    }
}
