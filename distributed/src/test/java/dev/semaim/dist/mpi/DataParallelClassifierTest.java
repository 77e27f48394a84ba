package dev.semaim.dist.mpi;

import dev.semaim.run.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mpirun -np 2 semaim finetune|linprobe}: two processes of batch 8 fine-tune the weights of one process of batch
 * 16 (no mixup, RandAugment, random erasing or drop path: their draws per batch differ between a batch of 16 and two of
 * 8; crops and flips are drawn per image and agree), rank 0 alone writes, and the held-out accuracy is one process's
 * with rank 0 evaluating alone and with {@code --dist_eval} (each process its half of 40 held-out images, the linear
 * probe's BatchNorm1d running statistics taken from rank 0).
 */
class DataParallelClassifierTest {
    @TempDir
    Path dir;

    private static List<String> flags(String protocol, int batch, Path out) {
        return flags(protocol, batch, 1, out);
    }

    private static List<String> flags(String protocol, int batch, int epochs, Path out) {
        return new ArrayList<>(List.of(protocol, "--model", "vit_tiny_patch4", "--embed_dim", "32", "--depth", "1", "--num_heads", "2",
                "--input_size", "28", "--in_chans", "1", "--nb_classes", "10", "--data_path", "embedded", "--max_train_images", "64",
                "--max_eval_images", "40", "--epochs", String.valueOf(epochs), "--warmup_epochs", "0", "--max_steps_per_epoch", "3", "--num_workers", "0",
                "--print_every", "1", "--batch_size", String.valueOf(batch), "--output_dir", out.toString()));
    }

    /** A constant lr (the schedule does not depend on --epochs, so a run of 1 epoch resumed to 2 is one of 2). */
    private static List<String> finetuneFlags(int batch, int epochs, Path out) {
        List<String> f = flags("finetune", batch, epochs, out);
        f.addAll(List.of("--lr", "1e-3", "--min_lr", "1e-3", "--save_every_epochs", "1","--mixup", "0", "--cutmix", "0", "--aa", "none", "--reprob", "0", "--smoothing", "0", "--drop_path", "0"));
        return f;
    }

    private static String runTwo(Mpirun mpirun, String name, List<String> args) throws Exception {
        assertEquals(0, mpirun.run(name, args), mpirun.output(name));
        String out = mpirun.output(name);
        assertTrue(out.contains("rank 0 of 2 (local rank 0), started by Open MPI's mpirun; collectives on mpi"), out);
        assertTrue(out.contains("effective batch 16"), out);
        assertEquals(1, out.split("done: ", -1).length - 1, "rank 0 alone reports: " + out);
        return out;
    }

    @Test
    void twoProcessesOfBatch8FinetuneLikeOneOfBatch16AndResumeExactly() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        Path one = dir.resolve("one"), two = dir.resolve("two");
        Mpirun.runInProcess(finetuneFlags(16, 2, one));
        runTwo(mpirun, "finetune", finetuneFlags(8, 1, two)); // without --dist_eval: rank 0 evaluates all 40 images alone
        SameWeights.assertSameWeights(one.resolve("checkpoint-0001.safetensors"), two.resolve("checkpoint-0001.safetensors"));
        // the same command with --epochs 2: both processes resume from checkpoint-latest and continue as the one did
        String resumed = runTwo(mpirun, "resumed", finetuneFlags(8, 2, two));
        assertTrue(resumed.contains("resumed from " + two.resolve(Checkpoints.LATEST) + " at epoch 1"), resumed);
        SameWeights.assertSameWeights(one.resolve("checkpoint-0002.safetensors"), two.resolve("checkpoint-0002.safetensors"));
        for (String k : List.of("\"top1\"", "\"top5\"", "\"eval_images\"")) {
            assertEquals(value(one.resolve("results.json"), k), value(two.resolve("results.json"), k), k);
        }
        assertEquals(2, Files.readAllLines(two.resolve("log.txt")).size()); // rank 0 alone wrote, one line an epoch
    }

    @Test
    void distEvalSplitsTheHeldOutSplitAndGivesOneProcesssAccuracy() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Mpirun.require();
        Path two = dir.resolve("two");
        List<String> args = flags("linprobe", 8, two);
        args.add("--dist_eval");
        runTwo(mpirun, "linprobe", args);
        // one process evaluates rank 0's checkpoint (its running statistics) on all 40 held-out images
        Path again = dir.resolve("again");
        Files.createDirectories(again);
        List<String> eval = flags("linprobe", 8, again);
        eval.addAll(List.of("--eval", "--resume", two.resolve("checkpoint-0001.safetensors").toString()));
        Mpirun.runInProcess(eval);
        Path evaluated = again.resolve("results-eval.json"), trained = two.resolve("results.json"); // --eval writes its own file
        for (String k : List.of("\"top1\"", "\"top5\"", "\"eval_images\"")) {
            assertEquals(value(evaluated, k), value(trained, k), k);
        }
        assertEquals(Double.parseDouble(value(evaluated, "\"loss\"")), Double.parseDouble(value(trained, "\"loss\"")), 1e-5);
    }

    /** A number of a results file, as text. */
    private static String value(Path results, String key) throws Exception {
        String json = Files.readString(results);
        int at = json.indexOf(key);
        assertTrue(at >= 0, key + " missing in " + json);
        int end = json.indexOf(',', at);
        return json.substring(at + key.length(), end < 0 ? json.indexOf('}', at) : end).replace(":", "").trim();
    }
}
