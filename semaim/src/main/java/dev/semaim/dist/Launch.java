package dev.semaim.dist;

import java.util.Map;

/**
 * Who this process is in a multi-process run, read from the launcher's environment before any native code loads
 * (the engine then checks that MPI or the rendezvous agrees):
 * <ul>
 *   <li>Open MPI's {@code mpirun} (and {@code --dist_on_itp}): {@code OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK};</li>
 *   <li>a PMI launcher (MPICH's or Intel MPI's {@code mpiexec}): {@code PMI_RANK/PMI_SIZE}, {@code MPI_LOCALRANKID};</li>
 *   <li>Slurm's {@code srun}: {@code SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID} (within a job step, {@code SLURM_STEP_ID});</li>
 *   <li>torchrun / {@code torch.distributed.launch}: {@code RANK/WORLD_SIZE/LOCAL_RANK} and the rendezvous
 *       {@code MASTER_ADDR:MASTER_PORT} (MASTER_PORT + 1 under torchrun itself, whose agent holds MASTER_PORT; or
 *       {@code --dist_url tcp://HOST:PORT}).</li>
 * </ul>
 * Without any of them the run is one process ({@link #SINGLE}). The official flags come on top: {@code --world_size}
 * must agree with the launcher when it is set above 1, {@code --local_rank} overrides the local rank.
 *
 * @param rank       0 .. size-1
 * @param size       processes of the run
 * @param localRank  this process's index on its node (its GPU)
 * @param launcher   what started the processes
 * @param rendezvous HOST:PORT where rank 0 hands out NCCL's unique id (torchrun launches), else null
 */
public record Launch(int rank, int size, int localRank, Launcher launcher, String rendezvous) {
    /** What started the processes; the MPI-started ones get their collectives (or NCCL's bootstrap) from MPI. */
    public enum Launcher {
        NONE("one process"), OPEN_MPI("Open MPI's mpirun"), PMI("a PMI launcher (MPICH, Intel MPI)"), SLURM("Slurm's srun"),
        TORCHRUN("torchrun's environment");

        public final String description;

        Launcher(String description) {
            this.description = description;
        }

        /** Whether the processes run inside an MPI job (MPI_Init finds its peers). */
        public boolean mpi() {
            return this == OPEN_MPI || this == PMI || this == SLURM;
        }
    }

    /** A run of this process alone. */
    public static final Launch SINGLE = new Launch(0, 1, 0, Launcher.NONE, null);

    /**
     * Reads the launch from {@code env} and the official flags.
     *
     * @param worldSize --world_size (1 = take the launcher's)
     * @param localRank --local_rank (-1 = take the launcher's)
     * @param distUrl   --dist_url: env:// or tcp://HOST:PORT
     * @param distOnItp --dist_on_itp: the OMPI_* variables must be there
     * @throws IllegalArgumentException naming the flag or variable at fault
     */
    public static Launch detect(Map<String, String> env, int worldSize, int localRank, String distUrl, boolean distOnItp) {
        String url = distUrl == null ? "env://" : distUrl;
        if (!url.equals("env://") && !url.startsWith("tcp://")) {
            throw new IllegalArgumentException("--dist_url " + url + ": expected env:// or tcp://HOST:PORT");
        }
        Launch l;
        if (env.containsKey("OMPI_COMM_WORLD_SIZE")) {
            l = fromEnv(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", Launcher.OPEN_MPI, null);
        } else if (distOnItp) {
            throw new IllegalArgumentException("--dist_on_itp: OMPI_COMM_WORLD_SIZE is not in the environment (start the processes with Open MPI's mpirun)");
        } else if (env.containsKey("PMI_SIZE")) {
            l = fromEnv(env, "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", Launcher.PMI, null);
        } else if (env.containsKey("SLURM_STEP_ID") && env.containsKey("SLURM_NTASKS") && env.containsKey("SLURM_PROCID")) {
            l = fromEnv(env, "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", Launcher.SLURM, null);
        } else if (env.containsKey("WORLD_SIZE") && env.containsKey("RANK")) {
            // torchrun's agent holds MASTER_PORT for its own store (TORCHELASTIC_RUN_ID is set): the next port is ours
            String at = url.startsWith("tcp://") ? url.substring("tcp://".length())
                    : env.containsKey("MASTER_ADDR") && env.containsKey("MASTER_PORT")
                    ? env.get("MASTER_ADDR") + ":" + (number(env, "MASTER_PORT", 0) + (env.containsKey("TORCHELASTIC_RUN_ID") ? 1 : 0)) : null;
            l = fromEnv(env, "RANK", "WORLD_SIZE", "LOCAL_RANK", Launcher.TORCHRUN, at);
            if (l.size > 1 && at == null) {
                throw new IllegalArgumentException("RANK and WORLD_SIZE are set but MASTER_ADDR/MASTER_PORT are not (nor --dist_url tcp://HOST:PORT): the processes cannot meet");
            }
        } else {
            l = SINGLE;
        }
        if (worldSize > 1 && worldSize != l.size) {
            throw new IllegalArgumentException(l.launcher == Launcher.NONE
                    ? "--world_size " + worldSize + " but this process was not started by mpirun, srun or torchrun (none of OMPI_COMM_WORLD_SIZE, PMI_SIZE, SLURM_NTASKS, WORLD_SIZE is set); "
                        + "start the processes with e.g. mpirun -np " + worldSize + " bin/semaim ..."
                    : "--world_size " + worldSize + " but " + l.launcher.description + " started " + l.size + " processes");
        }
        return localRank >= 0 ? new Launch(l.rank, l.size, localRank, l.launcher, l.rendezvous) : l;
    }

    private static Launch fromEnv(Map<String, String> env, String rankVar, String sizeVar, String localVar, Launcher launcher, String at) {
        int size = number(env, sizeVar, 1);
        int rank = number(env, rankVar, 0);
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException(rankVar + "=" + rank + " and " + sizeVar + "=" + size + " do not describe a rank of the run");
        }
        return new Launch(rank, size, env.containsKey(localVar) ? number(env, localVar, 0) : 0, launcher, at);
    }

    private static int number(Map<String, String> env, String var, int absent) {
        String v = env.get(var);
        if (v == null) return absent;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(var + "=" + v + " is not a whole number");
        }
    }

    /** E.g. "rank 1 of 2 (local rank 1), started by Open MPI's mpirun". */
    public String describe() {
        return "rank " + rank + " of " + size + " (local rank " + localRank + "), started by " + launcher.description;
    }
}
