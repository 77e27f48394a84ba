package dev.semaim.dist.nccl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * Hands rank 0's NCCL unique id to the other ranks over TCP, for launches without MPI (torchrun's environment,
 * {@code --dist_url tcp://HOST:PORT}): rank 0 listens on HOST:PORT and answers each of the other size-1 ranks, which
 * connect (retrying until rank 0 is up) and say who they are. Only this bootstrap uses the socket; NCCL does the rest.
 */
final class TcpRendezvous {
    private static final int MAGIC = 0x53454D31; // "SEM1"

    private TcpRendezvous() {
    }

    /** Rank 0: serves {@code id} to every other rank; returns when all have it. */
    static void serve(String hostPort, byte[] id, int size, Duration timeout) {
        InetSocketAddress at = address(hostPort);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(at.getPort()));
            server.setSoTimeout((int) timeout.toMillis());
            boolean[] served = new boolean[size];
            for (int n = 1; n < size; n++) {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    int magic = in.readInt(), rank = in.readInt(), theirSize = in.readInt();
                    if (magic != MAGIC || theirSize != size || rank <= 0 || rank >= size || served[rank]) {
                        throw new IllegalStateException("rendezvous at " + hostPort + ": a process says it is rank " + rank + " of " + theirSize
                                + " (this run has " + size + " processes); every process must get the same launch");
                    }
                    served[rank] = true;
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.write(id);
                    out.flush();
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new IllegalStateException("rendezvous at " + hostPort + ": not every rank connected within " + timeout.toSeconds() + " s (--dist_timeout)");
        } catch (IOException e) {
            throw new IllegalStateException("rendezvous: rank 0 cannot listen on port " + at.getPort() + ": " + e.getMessage()
                    + " (choose a free port with --dist_url tcp://HOST:PORT)", e);
        }
    }

    /** Rank r &gt; 0: the id from rank 0. */
    static byte[] fetch(String hostPort, int rank, int size, int idBytes, Duration timeout) {
        InetSocketAddress at = address(hostPort);
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout((int) timeout.toMillis());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(MAGIC);
                out.writeInt(rank);
                out.writeInt(size);
                out.flush();
                byte[] id = new DataInputStream(s.getInputStream()).readNBytes(idBytes);
                if (id.length != idBytes) throw new IOException("rank 0 closed the connection after " + id.length + " bytes");
                return id;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("rendezvous: rank " + rank + " could not reach rank 0 at " + hostPort + " within "
                + timeout.toSeconds() + " s (--dist_timeout): " + (last == null ? "interrupted" : last.getMessage()));
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("rendezvous address " + hostPort + ": expected HOST:PORT");
        try {
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rendezvous address " + hostPort + ": the port is not a number");
        }
    }
}
