package dev.semaim.cli;

import dev.semaim.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code finetune --eval} / {@code linprobe --eval}: the record of what was evaluated goes to results-eval.json, so an
 * evaluation in a training run's folder leaves that run's results.json as it was (it used to overwrite it with
 * "epochs_trained": 0, "checkpoint": null); scoring the random initialisation says so.
 */
class EvalOnlyTest {
    @TempDir
    Path dir;

    private static final String[] TINY = {"--model", "vit_tiny_patch4", "--input_size", "16", "--in_chans", "1", "--embed_dim", "32",
            "--depth", "2", "--num_heads", "2", "--data_path", "embedded", "--nb_classes", "10", "--num_workers", "0", "--batch_size", "16",
            "--epochs", "1", "--warmup_epochs", "0", "--max_steps_per_epoch", "2", "--max_train_images", "64", "--max_eval_images", "32"};

    private static MainTest.Run run(String command, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(Arrays.asList(TINY));
        args.addAll(List.of("--output_dir", out.toString()));
        args.addAll(Arrays.asList(more));
        MainTest.Run r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path file) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(file));
    }

    @Test
    void anEvaluationInATrainingRunsFolderKeepsItsResultsAndRecordsTheCheckpoint() throws Exception {
        Path out = dir.resolve("probe");
        run("linprobe", out);
        String trained = Files.readString(out.resolve("results.json"));
        assertEquals(1, ((Number) json(out.resolve("results.json")).get("epochs_trained")).intValue(), trained);

        MainTest.Run eval = run("linprobe", out, "--eval");
        assertEquals(trained, Files.readString(out.resolve("results.json")), "the training run's record is left as it was");
        Map<String, Object> e = json(out.resolve("results-eval.json"));
        Path checkpoint = out.resolve("checkpoint-latest.safetensors");
        assertEquals(checkpoint.toString(), e.get("checkpoint"));
        assertEquals(true, e.get("eval_only"));
        assertEquals(1, ((Number) e.get("epochs_trained")).intValue(), "the evaluated checkpoint's epochs");
        assertEquals(json(out.resolve("results.json")).get("top1"), e.get("top1"), "the same weights on the same held-out images");
        assertTrue(eval.out().contains("done: linear probe evaluation of " + checkpoint + ": held-out top-1 ")
                && eval.out().contains(out.resolve("results-eval.json").toString()), eval.out());
    }

    @Test
    void anEvaluationWithoutWeightsSaysItScoresTheRandomInitialisation() throws Exception {
        Path out = dir.resolve("random");
        MainTest.Run eval = run("finetune", out, "--eval");
        assertTrue(eval.out().contains("--eval without --finetune or a checkpoint to resume: evaluating the random initialisation")
                && eval.out().contains("done: fine-tuning evaluation of the random initialisation: held-out top-1 "), eval.out());
        assertFalse(eval.out().contains("training from the random initialisation"), eval.out());
        assertNull(json(out.resolve("results-eval.json")).get("checkpoint"));
        assertFalse(Files.exists(out.resolve("results.json")));
    }
}
