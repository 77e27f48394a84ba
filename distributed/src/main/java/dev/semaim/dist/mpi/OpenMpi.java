package dev.semaim.dist.mpi;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Open MPI's C API through JNA. Open MPI's handles are the addresses of its predefined objects ({@code MPI_COMM_WORLD}
 * is {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} {@code &ompi_mpi_float}, {@code MPI_SUM} {@code &ompi_mpi_op_sum}),
 * which are looked up as global symbols; {@code MPI_IN_PLACE} is {@code (void *) 1}. MPICH and its derivatives (Intel
 * MPI, MVAPICH, Cray MPI) use integer handles instead and are not supported: a libmpi without these symbols is refused
 * with a message.
 *
 * <p>The library is opened with RTLD_GLOBAL, since Open MPI's plug-ins (its MCA components) resolve their symbols
 * against it. Every call of this class must come from the one thread that initialised MPI (MPI_THREAD_FUNNELED);
 * {@link MpiCommunicator} guarantees that.
 */
final class OpenMpi {
    /** MPI_THREAD_FUNNELED in Open MPI's mpi.h. */
    private static final int THREAD_FUNNELED = 1;
    private static final int RTLD_NOW = 2, RTLD_GLOBAL = 0x100;
    /** Candidates in order: Debian's libopenmpi3 runtime name, then the development symlink. */
    private static final List<String> NAMES = List.of("libmpi.so.40", "mpi");

    private final NativeLibrary lib;
    final Pointer commWorld, mpiFloat, opSum;
    private static final Pointer IN_PLACE = new Pointer(1);

    private OpenMpi(NativeLibrary lib) {
        this.lib = lib;
        this.commWorld = symbol("ompi_mpi_comm_world");
        this.mpiFloat = symbol("ompi_mpi_float");
        this.opSum = symbol("ompi_mpi_op_sum");
    }

    /** Opens libmpi; the message says what was tried when none loads or the one found is not Open MPI. */
    static OpenMpi load() {
        List<String> errors = new ArrayList<>();
        String override = System.getProperty("semaim.mpi.library");
        for (String name : override != null ? List.of(override) : NAMES) {
            NativeLibrary lib;
            try {
                lib = NativeLibrary.getInstance(name, Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
            } catch (UnsatisfiedLinkError e) {
                errors.add(name + ": " + firstLine(e.getMessage()));
                continue;
            }
            try {
                return new OpenMpi(lib);
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException(lib.getFile() + " is not Open MPI (no symbol ompi_mpi_comm_world): only Open MPI's ABI is "
                        + "supported (MPICH, Intel MPI and MVAPICH use integer handles); set -Dsemaim.mpi.library=/path/to/Open MPI's libmpi.so", e);
            }
        }
        throw new IllegalStateException("Open MPI's libmpi is not installed (tried " + String.join("; ", errors)
                + "); install it, e.g. apt-get install openmpi-bin, or set -Dsemaim.mpi.library=/path/to/libmpi.so");
    }

    private static String firstLine(String s) {
        return s == null ? "not found" : s.lines().findFirst().orElse(s);
    }

    private Pointer symbol(String name) {
        return lib.getGlobalVariableAddress(name);
    }

    private int call(String function, Object... args) {
        Function f = lib.getFunction(function);
        return f.invokeInt(args);
    }

    /** Fails with MPI's own error text unless {@code rc} is MPI_SUCCESS. */
    private void check(int rc, String what) {
        if (rc != 0) {
            byte[] text = new byte[512];
            IntByReference len = new IntByReference();
            String reason = call("MPI_Error_string", rc, text, len) == 0 ? new String(text, 0, len.getValue(), StandardCharsets.US_ASCII) : "error " + rc;
            throw new IllegalStateException(what + " failed: " + reason);
        }
    }

    /** MPI_Init_thread(FUNNELED) unless already initialised; errors on MPI_COMM_WORLD are returned, not fatal. */
    void init() {
        IntByReference flag = new IntByReference();
        check(call("MPI_Initialized", flag), "MPI_Initialized");
        if (flag.getValue() == 0) {
            IntByReference provided = new IntByReference();
            check(call("MPI_Init_thread", null, null, THREAD_FUNNELED, provided), "MPI_Init_thread");
        }
        check(call("MPI_Comm_set_errhandler", commWorld, symbol("ompi_mpi_errors_return")), "MPI_Comm_set_errhandler");
    }

    int rank() {
        IntByReference r = new IntByReference();
        check(call("MPI_Comm_rank", commWorld, r), "MPI_Comm_rank");
        return r.getValue();
    }

    int size() {
        IntByReference r = new IntByReference();
        check(call("MPI_Comm_size", commWorld, r), "MPI_Comm_size");
        return r.getValue();
    }

    /** The library's own description, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ...". */
    String version() {
        byte[] text = new byte[8192];
        IntByReference len = new IntByReference();
        check(call("MPI_Get_library_version", text, len), "MPI_Get_library_version");
        return new String(text, 0, Math.max(0, len.getValue()), StandardCharsets.US_ASCII).lines().findFirst().orElse("").trim();
    }

    /** Sums {@code count} floats at {@code buf} over MPI_COMM_WORLD, in place. */
    void allReduceSum(Pointer buf, int count) {
        check(call("MPI_Allreduce", IN_PLACE, buf, count, mpiFloat, opSum, commWorld), "MPI_Allreduce(" + count + " floats)");
    }

    void broadcast(Pointer buf, int count, int root) {
        check(call("MPI_Bcast", buf, count, mpiFloat, root, commWorld), "MPI_Bcast(" + count + " floats from rank " + root + ")");
    }

    /** {@code count} floats from every rank into {@code recv} (size x count floats), by rank. */
    void allGather(Pointer send, Memory recv, int count) {
        check(call("MPI_Allgather", send, count, mpiFloat, recv, count, mpiFloat, commWorld), "MPI_Allgather(" + count + " floats)");
    }

    void barrier() {
        check(call("MPI_Barrier", commWorld), "MPI_Barrier");
    }

    void finalizeMpi() {
        check(call("MPI_Finalize"), "MPI_Finalize");
    }
}
