package dev.semaim.dist.nccl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A libnccl that cannot be found is one message naming where it looked and how to install or point to it. */
class NcclMissingTest {
    @AfterEach
    void clear() {
        System.clearProperty("semaim.nccl.library");
    }

    @Test
    void aMissingLibncclNamesWhereItLookedAndTheKnob() {
        System.setProperty("semaim.nccl.library", "/nonexistent/libnccl.so.2");
        String m = assertThrows(IllegalStateException.class, Nccl::load).getMessage();
        assertTrue(m.startsWith("NCCL (libnccl.so.2) is not installed: tried /nonexistent/libnccl.so.2;"), m);
        assertTrue(m.contains("-Dsemaim.nccl.library"), m);
    }
}
