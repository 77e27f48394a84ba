package dev.semaim.dist.nccl;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.semaim.cuda.PythonSitePackages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * NCCL's C API ({@code nccl.h}, NCCL 2.x) through JNA. The library is {@code libnccl.so.2}, looked for in this order:
 * {@code -Dsemaim.nccl.library}, the library path ({@code LD_LIBRARY_PATH}, ldconfig), {@code $CUDA_HOME/lib64} and
 * {@code /usr/local/cuda/lib64}, then the {@code nvidia/nccl/lib} folder of the {@code nvidia-nccl-cu12} wheel that
 * PyTorch installs (in {@code $VIRTUAL_ENV}, the user's and the system's Python site folders).
 */
final class Nccl {
    static final int FLOAT32 = 7; // ncclFloat32
    static final int SUM = 0; // ncclSum
    static final int UNIQUE_ID_BYTES = 128; // NCCL_UNIQUE_ID_BYTES

    private final NativeLibrary lib;
    final String file;

    private Nccl(NativeLibrary lib) {
        this.lib = lib;
        this.file = lib.getFile() == null ? "libnccl.so.2" : lib.getFile().toString();
    }

    /** ncclUniqueId, passed by value to ncclCommInitRank. */
    @Structure.FieldOrder("internal")
    public static class UniqueId extends Structure implements Structure.ByValue {
        public byte[] internal = new byte[UNIQUE_ID_BYTES];
    }

    static Nccl load() {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            try {
                return new Nccl(NativeLibrary.getInstance(candidate));
            } catch (UnsatisfiedLinkError e) {
                tried.add(candidate);
            }
        }
        throw new IllegalStateException("NCCL (libnccl.so.2) is not installed: tried " + String.join(", ", tried)
                + "; install NCCL (e.g. pip install nvidia-nccl-cu12, or NVIDIA's libnccl2 package) or set -Dsemaim.nccl.library=/path/to/libnccl.so.2");
    }

    private static List<String> candidates() {
        Set<String> c = new LinkedHashSet<>();
        String override = System.getProperty("semaim.nccl.library");
        if (override != null) {
            return List.of(override);
        }
        c.add("libnccl.so.2");
        for (String home : new String[] {System.getenv("CUDA_HOME"), System.getenv("CUDA_PATH"), "/usr/local/cuda"}) {
            if (home != null) c.add(Path.of(home, "lib64", "libnccl.so.2").toString());
        }
        for (Path site : PythonSitePackages.ofThisProcess()) { // PyTorch's nvidia-nccl wheels (CUDA 12 and 13 layouts)
            for (String lib : new String[] {"nvidia/nccl/lib", "nvidia/cu13/lib"}) {
                Path so = site.resolve(lib).resolve("libnccl.so.2");
                if (Files.isRegularFile(so)) c.add(so.toString());
            }
        }
        return new ArrayList<>(c);
    }

    private int call(String function, Object... args) {
        Function f = lib.getFunction(function);
        return f.invokeInt(args);
    }

    void check(int rc, String what) {
        if (rc != 0) {
            Function f = lib.getFunction("ncclGetErrorString");
            throw new IllegalStateException(what + " failed: " + f.invokeString(new Object[] {rc}, false) + " (NCCL " + rc + ")");
        }
    }

    /** E.g. 22105 for NCCL 2.21.5. */
    int version() {
        IntByReference v = new IntByReference();
        check(call("ncclGetVersion", v), "ncclGetVersion");
        return v.getValue();
    }

    UniqueId uniqueId() {
        UniqueId id = new UniqueId();
        check(call("ncclGetUniqueId", id.getPointer()), "ncclGetUniqueId");
        id.read();
        return id;
    }

    Pointer initRank(int size, UniqueId id, int rank) {
        PointerByReference comm = new PointerByReference();
        id.write();
        check(call("ncclCommInitRank", comm, size, id, rank), "ncclCommInitRank(rank " + rank + " of " + size + ")");
        return comm.getValue();
    }

    void allReduceSum(long buffer, long count, Pointer comm, long stream) {
        check(call("ncclAllReduce", new Pointer(buffer), new Pointer(buffer), count, FLOAT32, SUM, comm, new Pointer(stream)),
                "ncclAllReduce(" + count + " floats)");
    }

    void broadcast(long buffer, long count, int root, Pointer comm, long stream) {
        check(call("ncclBroadcast", new Pointer(buffer), new Pointer(buffer), count, FLOAT32, root, comm, new Pointer(stream)),
                "ncclBroadcast(" + count + " floats from rank " + root + ")");
    }

    void allGather(long send, long recv, long count, Pointer comm, long stream) {
        check(call("ncclAllGather", new Pointer(send), new Pointer(recv), count, FLOAT32, comm, new Pointer(stream)),
                "ncclAllGather(" + count + " floats)");
    }

    /** The communicator's asynchronous error (a failed peer shows here), 0 when none. */
    int asyncError(Pointer comm) {
        IntByReference e = new IntByReference();
        check(call("ncclCommGetAsyncError", comm, e), "ncclCommGetAsyncError");
        return e.getValue();
    }

    String errorString(int rc) {
        return lib.getFunction("ncclGetErrorString").invokeString(new Object[] {rc}, false);
    }

    void destroy(Pointer comm) {
        check(call("ncclCommDestroy", comm), "ncclCommDestroy");
    }

    void abort(Pointer comm) {
        call("ncclCommAbort", comm);
    }
}
