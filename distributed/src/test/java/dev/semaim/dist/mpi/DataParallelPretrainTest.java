package dev.semaim.dist.mpi;

import dev.semaim.cli.Main;
import dev.semaim.run.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpirun -np 2 semaim pretrain}: two processes of batch 8 train the same weights as one process of batch 16,
 * a resumed two-process run continues exactly, and a killed rank ends the run with a message instead of a hang.
 * The order is the raster one: SemAIM's attention-centre orders break ties with noise drawn per process, so with them
 * the runs agree in distribution only, as PyTorch's do.
 */
class DataParallelPretrainTest {
    @TempDir
    Path dir;

    /** A tiny model on the embedded data, constant lr (the schedule does not depend on --epochs), 2 steps an epoch. */
    private static List<String> flags(int batch, int epochs, int stepsPerEpoch, Path out) {
        return new ArrayList<>(List.of("pretrain", "--model", "aim_tiny", "--embed_dim", "32", "--depth", "2", "--num_heads", "2",
                "--query_depth", "2", "--input_size", "16", "--patch_size", "4", "--in_chans", "1", "--norm_pix_loss",
                "--permutation_type", "raster", "--lr", "2e-3", "--min_lr", "2e-3", "--warmup_epochs", "0",
                "--epochs", String.valueOf(epochs), "--max_steps_per_epoch", String.valueOf(stepsPerEpoch), "--save_every_epochs", "1",
                "--num_workers", "0", "--data_path", "embedded", "--print_every", "1", "--batch_size", String.valueOf(batch),
                "--output_dir", out.toString()));
    }

    @Test
    void twoProcessesOfBatch8TrainLikeOneOfBatch16AndResumeExactly() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        Path one = dir.resolve("one"), two = dir.resolve("two");
        // the reference: one process, batch 16, two epochs
        Mpirun.runInProcess(flags(16, 2, 2, one));

        assertEquals(0, mpirun.run("first", flags(8, 1, 2, two)), mpirun.output("first"));
        String first = mpirun.output("first");
        assertTrue(first.contains("rank 0 of 2 (local rank 0), started by Open MPI's mpirun; collectives on mpi"), first);
        assertTrue(first.contains("effective batch size: 16"), first);
        assertEquals(1, count(first, "done: 1 epochs"), "rank 0 alone reports: " + first);
        SameWeights.assertSameWeights(one.resolve("checkpoint-0001.safetensors"), two.resolve("checkpoint-0001.safetensors"));

        // the same command with --epochs 2 resumes both ranks from checkpoint-latest and continues as the one process did
        assertEquals(0, mpirun.run("resumed", flags(8, 2, 2, two)), mpirun.output("resumed"));
        assertTrue(mpirun.output("resumed").contains("resumed from " + two.resolve(Checkpoints.LATEST) + " at epoch 1, batch 0"), mpirun.output("resumed"));
        SameWeights.assertSameWeights(one.resolve("checkpoint-0002.safetensors"), two.resolve("checkpoint-0002.safetensors"));
        // rank 0 alone wrote: one log line per epoch, one event file per run
        assertEquals(2, Files.readAllLines(two.resolve("log.txt")).size());
        try (var files = Files.list(two)) {
            assertEquals(2, files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents")).count());
        }
    }

    @Test
    void ranksThatDisagreeOnAFlagStopWithAMessage() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        // a wrapper gives each rank its own --seed and --time_limit_minutes (not recorded in checkpoints, but the ranks
        // read rank 0's clock at every step only when they all have a limit)
        Path script = dir.resolve("rank.sh");
        Files.writeString(script, "#!/bin/sh\nexec \"$@\" --seed \"$OMPI_COMM_WORLD_RANK\" --time_limit_minutes \"$OMPI_COMM_WORLD_RANK\"\n");
        assertTrue(script.toFile().setExecutable(true));
        Process p = mpirun.start("disagree", 2, script, Main.class.getName(), flags(8, 1, 2, dir.resolve("out")));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mpirun did not end in 120 s: " + mpirun.output("disagree"));
        int rc = p.exitValue();
        String out = mpirun.output("disagree");
        assertTrue(rc != 0, out);
        assertTrue(out.contains("the processes of the run disagree with rank 0 on --seed (rank 1), --time_limit_minutes (rank 1); rank 0 has "
                + "--seed 0, --time_limit_minutes 0.0"), out);
    }

    /**
     * --time_limit_minutes with two processes: rank 0's clock decides for both (broadcast at each step), so both stop at
     * the same step with the same weights (each by its own clock, one would stop while the other waits for it in the
     * next all-reduce).
     */
    @Test
    void aTimeLimitStopsEveryProcessAtTheSameStep() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        List<String> args = flags(8, 1000, 2, dir.resolve("out"));
        args.remove(0); // the command word: TimeLimitedPretrainMain is pretrain
        args.addAll(List.of("--time_limit_minutes", "0.1"));
        Process p = mpirun.start("timelimit", 2, null, TimeLimitedPretrainMain.class.getName(), args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "mpirun did not end in 120 s: " + mpirun.output("timelimit"));
        String out = mpirun.output("timelimit");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("time limit reached "), out);
        String stop0 = Files.readString(dir.resolve("out").resolve("stop-rank-0.txt"));
        Matcher rank0 = Pattern.compile("time limit reached true, next epoch \\d+, (\\d+) optimizer steps, weights \\p{XDigit}+").matcher(stop0);
        assertTrue(rank0.matches(), stop0 + "\n" + out);
        assertTrue(Integer.parseInt(rank0.group(1)) > 0, stop0);
        assertEquals(stop0, Files.readString(dir.resolve("out").resolve("stop-rank-1.txt")), "rank 1 stops where rank 0 does, with its weights");
        System.out.println("both ranks: " + stop0);
    }

    @Test
    void aKilledRankEndsTheRunWithAMessageWithin60Seconds() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        Process p = mpirun.start("killed", 2, null, Main.class.getName(), flags(8, 1, 100000, dir.resolve("out")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!mpirun.read("killed.out").contains("[1/") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(p.isAlive(), "the run ended before a rank could be killed: " + mpirun.output("killed"));
        Optional<ProcessHandle> rank = p.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("java")).findFirst();
        assertTrue(rank.isPresent(), "no rank process under mpirun");
        rank.get().destroyForcibly(); // SIGKILL
        long killed = System.nanoTime();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the other rank did not stop within 60 s of the kill: " + mpirun.output("killed"));
        double seconds = (System.nanoTime() - killed) / 1e9;
        String out = mpirun.output("killed");
        assertTrue(p.exitValue() != 0, out);
        assertTrue(out.contains("exited on signal 9") || out.contains("non-zero status"), out);
        assertFalse(p.toHandle().descendants().anyMatch(ProcessHandle::isAlive), "a rank outlived mpirun");
        System.out.printf("the run ended %.1f s after a rank was killed%n", seconds);
    }

    /** -Dsemaim.dist.engine=mpi: one process through the engine and the gradient buckets (MPI as a singleton). */
    @Test
    void oneProcessCanBeForcedThroughTheEngine() throws Exception {
        Mpirun.require();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dsemaim.dist.engine=mpi", "-cp", cp, Main.class.getName()));
        cmd.addAll(flags(16, 1, 2, dir.resolve("forced")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("forced.out").toFile());
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the forced run did not end in 120 s");
        String out = Files.readString(dir.resolve("forced.out"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("rank 0 of 1 (local rank 0), started by one process; collectives on mpi"), out);
        assertTrue(out.contains("done: 1 epochs, 2 optimizer steps"), out);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

}
