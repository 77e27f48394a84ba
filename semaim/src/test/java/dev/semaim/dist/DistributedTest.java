package dev.semaim.dist;

import dev.semaim.tensor.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link Distributed#selectDevice}: each process of a data-parallel run opens the GPU of its local rank. */
class DistributedTest {
    private final String saved = System.getProperty(Backends.GPU_DEVICE_PROPERTY);

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty(Backends.GPU_DEVICE_PROPERTY);
        else System.setProperty(Backends.GPU_DEVICE_PROPERTY, saved);
    }

    @Test
    void aRunOfSeveralProcessesTakesTheLocalRanksGpuUnlessTheUserNamedOne() {
        System.clearProperty(Backends.GPU_DEVICE_PROPERTY);
        Distributed.selectDevice(Launch.SINGLE);
        assertNull(System.getProperty(Backends.GPU_DEVICE_PROPERTY), "one process keeps the default device");
        Distributed.selectDevice(new Launch(5, 8, 1, Launch.Launcher.SLURM, null));
        assertEquals("1", System.getProperty(Backends.GPU_DEVICE_PROPERTY));
        System.setProperty(Backends.GPU_DEVICE_PROPERTY, "3");
        Distributed.selectDevice(new Launch(2, 4, 2, Launch.Launcher.OPEN_MPI, null));
        assertEquals("3", System.getProperty(Backends.GPU_DEVICE_PROPERTY), "-Dsemaim.cuda.device wins");
    }
}
