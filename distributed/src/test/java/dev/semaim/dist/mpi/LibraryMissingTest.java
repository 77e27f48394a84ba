package dev.semaim.dist.mpi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A libmpi that is missing, or that is not Open MPI, is one message naming what was tried and the knob to set. */
class LibraryMissingTest {
    @AfterEach
    void clear() {
        System.clearProperty("semaim.mpi.library");
    }

    @Test
    void aMissingLibmpiNamesWhatWasTriedAndHowToInstallIt() {
        System.setProperty("semaim.mpi.library", "/nonexistent/libmpi.so.40");
        String m = assertThrows(IllegalStateException.class, OpenMpi::load).getMessage();
        assertTrue(m.startsWith("Open MPI's libmpi is not installed (tried /nonexistent/libmpi.so.40: "), m);
        assertTrue(m.contains("apt-get install openmpi-bin") && m.contains("-Dsemaim.mpi.library"), m);
    }

    @Test
    void aLibraryThatIsNotOpenMpiIsRefusedNamingTheAbi() {
        System.setProperty("semaim.mpi.library", "libc.so.6"); // loads, but has no ompi_mpi_comm_world
        String m = assertThrows(IllegalStateException.class, OpenMpi::load).getMessage();
        assertTrue(m.contains("is not Open MPI (no symbol ompi_mpi_comm_world)") && m.contains("MPICH"), m);
    }
}
