package dev.semaim.run;

import dev.semaim.settings.Device;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.cpu.CpuThreads;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Issue 19 item 6: {@code --device auto} says in one line which backend it chose and why; a named device says nothing. */
class OnDeviceTest {
    @Test
    void autoNotesTheChoiceAndTheReason() throws IOException {
        List<String> notes = new ArrayList<>();
        String ran = OnDevice.run(Device.AUTO, notes::add, backend -> {
            assertSame(backend, Backends.defaultBackend(), "the chosen backend is the default while the work runs");
            return backend.name();
        });
        assertEquals("cpu", ran);
        // semaim's test class path has no cuda module: the CPU, for that reason
        assertEquals(List.of("--device auto chose cpu (" + CpuThreads.threads() + " threads, Vector API kernels): "
                + "no GPU backend is on the class path"), notes);
    }

    @Test
    void aNamedDeviceRunsWithoutANote() throws IOException {
        List<String> notes = new ArrayList<>();
        assertEquals("cpu", OnDevice.run(Device.CPU, notes::add, backend -> backend.name()));
        assertEquals(List.of(), notes);
    }
}
