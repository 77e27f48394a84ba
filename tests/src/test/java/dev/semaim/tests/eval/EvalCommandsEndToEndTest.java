package dev.semaim.tests.eval;

import dev.semaim.cli.Main;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation commands as a user runs them, on a tiny model (16x16x1, patch 4, width 32, depth 2) pre-trained for
 * two steps on the embedded Fashion-MNIST slice, with a few hundred images: k-NN (with feature reuse), fine-tuning and
 * linear probing (each resumed for one more epoch), held-out evaluation, results.json, and convert round trips.
 */
class EvalCommandsEndToEndTest {
    @TempDir
    static Path dir;
    static Path pretrained;

    private static final String[] ARCH = {"--model", "vit_tiny_patch4", "--input_size", "16", "--in_chans", "1", "--embed_dim", "32",
            "--depth", "2", "--num_heads", "2", "--data_path", "embedded", "--nb_classes", "10", "--num_workers", "1"};

    /** Runs a command line; returns {exit status, stdout, stderr}. */
    private static Object[] exec(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Object[] {status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static String ok(String... args) {
        Object[] r = exec(args);
        assertEquals(0, r[0], "semaim " + String.join(" ", args) + " failed:\n" + r[1] + r[2]);
        return (String) r[1];
    }

    private static String[] with(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command));
        a.addAll(Arrays.asList(ARCH));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void pretrain() {
        Path out = dir.resolve("pretrain");
        ok("pretrain", "--data_path", "embedded", "--output_dir", out.toString(), "--model", "aim_tiny", "--input_size", "16",
                "--patch_size", "4", "--in_chans", "1", "--embed_dim", "32", "--depth", "2", "--num_heads", "2", "--query_depth", "2",
                "--batch_size", "8", "--epochs", "1", "--warmup_epochs", "0", "--max_steps_per_epoch", "2", "--norm_pix_loss",
                "--num_workers", "1", "--save_every_epochs", "1");
        pretrained = out.resolve("checkpoint-0001.safetensors");
        assertTrue(Files.isRegularFile(pretrained));
    }

    private static String results(Path out) throws Exception {
        return Files.readString(out.resolve("results.json"));
    }

    @Test
    void knnReportsEveryKOnTheHeldOutSplitAndReusesFeatures() throws Exception {
        Path out = dir.resolve("knn");
        String[] args = with("knn", "--finetune", pretrained.toString(), "--max_train_images", "200", "--max_eval_images", "100",
                "--output_dir", out.toString());
        String first = ok(args);
        // issue 17: a short summary instead of every key (the old line listed them all: 5 KB for a checkpoint of another width)
        assertTrue(first.contains("loaded pre-trained weights from " + pretrained + ": missing 2 (fc_norm.* (2)) (fresh, as the protocol "
                + "re-creates them)"), first);
        for (int k : new int[] {10, 20, 30}) {
            assertTrue(first.contains(k + "-NN classifier result: Top1: "), first);
        }
        String json = results(out);
        assertTrue(json.contains("\"protocol\": \"knn\"") && json.contains("\"knn20_top1\": ") && json.contains("\"eval_images\": 100")
                && json.contains("embedded Fashion-MNIST test slice"), json);
        String second = ok(args);
        assertTrue(second.contains("reusing the train features") && second.contains("reusing the val features"), second);
        assertEquals(3 * 2, Files.readAllLines(out.resolve("log.txt")).size());
    }

    /** The result lines of a k-NN run ("10-NN classifier result: Top1: ..., Top5: ..."), in order. */
    private static List<String> knnResults(String output) {
        return output.lines().filter(l -> l.contains("-NN classifier result")).map(l -> l.substring(l.indexOf(l.trim()))).toList();
    }

    /**
     * Issue 23: --dump_features writes main_knn.py's four dumps (as safetensors, rows normalised); --load_features votes
     * with them, without data or a model, and gives the same accuracies to the last digit; a missing file is named.
     */
    @Test
    void knnDumpsFeaturesAndVotesAgainFromTheDump() throws Exception {
        Path dump = dir.resolve("knn-dump"), out = dir.resolve("knn-dumping"), again = dir.resolve("knn-loaded");
        String first = ok(with("knn", "--finetune", pretrained.toString(), "--max_train_images", "120", "--max_eval_images", "50",
                "--output_dir", out.toString(), "--nb_knn", "30,1,10", "--dump_features", dump.toString()));
        for (String name : new String[] {"trainfeat", "testfeat", "trainlabels", "testlabels"}) {
            assertTrue(Files.isRegularFile(dump.resolve(name + ".safetensors")), name + " in " + first);
        }
        Tensor trainfeat = Safetensors.read(dump.resolve("trainfeat.safetensors")).get("trainfeat");
        assertArrayEquals(new int[] {120, 32}, trainfeat.shape());
        float[] norms = trainfeat.norm(true, 1).toFloatArray();
        for (float n : norms) assertEquals(1.0, n, 1e-5, "dumped rows are L2-normalised");
        assertArrayEquals(new int[] {50}, Safetensors.read(dump.resolve("testlabels.safetensors")).get("testlabels").shape());

        String second = ok("knn", "--load_features", dump.toString(), "--output_dir", again.toString(), "--nb_knn", "30,1,10");
        assertTrue(second.contains("features of 120 training and 50 held-out images (width 32, 10 classes) from " + dump), second);
        assertEquals(3, knnResults(first).size(), first);
        assertEquals(knnResults(first), knnResults(second));
        assertTrue(results(again).contains("features loaded from " + dump), results(again));

        // rows that are not unit length (a dump written without normalising) are normalised, with a note
        Safetensors.write(dump.resolve("trainfeat.safetensors"), Map.of("features", trainfeat.mul(3)), null);
        String scaled = ok("knn", "--load_features", dump.toString(), "--output_dir", dir.resolve("knn-scaled").toString());
        assertTrue(scaled.contains("--load_features: the training rows are not L2-normalised (a row of norm ") && scaled.contains("normalising them"), scaled);

        Files.delete(dump.resolve("testlabels.safetensors"));
        Object[] r = exec("knn", "--load_features", dump.toString(), "--output_dir", again.toString());
        assertEquals(2, r[0], r[1] + "" + r[2]);
        assertTrue(((String) r[2]).contains("--load_features: " + dump.resolve("testlabels.safetensors") + " is missing"), (String) r[2]);
    }

    /**
     * Issue 17 item 2: k-NN given a checkpoint of another width kept random weights for every mismatched tensor, exited 0
     * and wrote results.json naming the checkpoint. Now one line naming both architectures, before the data is read.
     */
    @Test
    void knnRefusesACheckpointOfAnotherWidth() {
        Path out = dir.resolve("knn-wide");
        String[] args = with("knn", "--finetune", pretrained.toString(), "--output_dir", out.toString());
        args[Arrays.asList(args).indexOf("--embed_dim") + 1] = "64";
        Object[] r = exec(args);
        assertEquals(2, r[0], r[1] + "" + r[2]);
        assertEquals("semaim knn: --finetune " + pretrained + " holds a ViT patch 4, 1 channel(s), width 32, depth 2, heads 2 (its "
                + "metadata 'config') but --model vit_tiny_patch4 asks for a ViT patch 4, 1 channel(s), width 64, depth 2, heads 2: pass "
                + "the architecture it was trained with (--model, --patch_size, --in_chans, --embed_dim, --depth, --num_heads)\n",
                ((String) r[2]).replace(System.lineSeparator(), "\n"));
        assertTrue(!Files.exists(out.resolve("results.json")), "no result for a network that is not the checkpoint's");
    }

    /**
     * Issue 17 item 3: a checkpoint with a NaN in cls_token gave k-NN top-1 at chance (7.5%), exit 0, no warning. Now the
     * load refuses it; a user who insists (--allow_non_finite) gets the non-finite features as an error, not a score.
     */
    @Test
    void knnRefusesNonFiniteWeightsAndFeatures() throws Exception {
        Safetensors.File f = Safetensors.read(pretrained);
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>(f.tensors());
        float[] cls = tensors.get("cls_token").toFloatArray();
        cls[0] = Float.NaN;
        tensors.put("cls_token", Tensor.of(cls, 1, 1, 32));
        Path nan = dir.resolve("nan.safetensors");
        Safetensors.write(nan, tensors, f.metadata());
        Path out = dir.resolve("knn-nan");
        Object[] r = exec(with("knn", "--finetune", nan.toString(), "--max_train_images", "16", "--max_eval_images", "8",
                "--output_dir", out.toString(), "--cls_token"));
        assertEquals(2, r[0], r[1] + "" + r[2]);
        assertTrue(((String) r[2]).contains("--finetune " + nan + ": non-finite weights: cls_token has 1 of 32 values NaN or infinite; "
                + "pass --allow_non_finite to load them anyway"), (String) r[2]);
        r = exec(with("knn", "--finetune", nan.toString(), "--max_train_images", "16", "--max_eval_images", "8",
                "--output_dir", out.toString(), "--cls_token", "--allow_non_finite"));
        assertEquals(1, r[0], r[1] + "" + r[2]);
        assertTrue(((String) r[2]).contains("train split: the features of images 0..") && ((String) r[2]).contains("non-finite values"),
                (String) r[2]);
        assertTrue(!Files.exists(out.resolve("results.json")), "no result for NaN features");
    }

    @Test
    void finetuneTrainsEvaluatesOnHeldOutAndResumes() throws Exception {
        Path out = dir.resolve("finetune");
        String[] args = with("finetune", "--finetune", pretrained.toString(), "--batch_size", "8", "--epochs", "1", "--warmup_epochs", "0.5",
                "--max_steps_per_epoch", "3", "--max_train_images", "200", "--max_eval_images", "50", "--output_dir", out.toString(),
                "--print_every", "1");
        String first = ok(args);
        assertTrue(first.contains("ignored") && first.contains("query_blocks.*") && first.contains("norm.*"), first);
        assertTrue(first.contains("mixup/cutmix + soft-target CE") && first.contains("actual lr: 1.56e-05"), first);
        assertTrue(first.contains("epoch 0: held-out top-1"), first);
        assertTrue(results(out).contains("\"protocol\": \"finetune\"") && results(out).contains("\"eval_images\": 50"), results(out));
        String[] more = args.clone();
        more[Arrays.asList(more).indexOf("--epochs") + 1] = "2";
        String second = ok(more);
        assertTrue(second.contains("resumed from " + out.resolve("checkpoint-latest.safetensors") + " at epoch 1"), second);
        assertTrue(second.contains("Epoch: [1/2]") && !second.contains("Epoch: [0/2]"), second);
        assertEquals(2, Files.readAllLines(out.resolve("log.txt")).size());
        assertTrue(Files.isRegularFile(out.resolve("checkpoint-0002.safetensors")));

        // a pre-training checkpoint is not a fine-tuning one to resume
        Object[] bad = exec(with("finetune", "--resume", pretrained.toString(), "--output_dir", dir.resolve("bad").toString()));
        assertEquals(2, bad[0], bad[1] + "" + bad[2]);
        assertTrue(((String) bad[2]).contains("is a pretrain checkpoint, not a finetune one"), (String) bad[2]);
    }

    @Test
    void linearProbeTrainsOnlyTheHeadAndSavesReferenceKeys() throws Exception {
        Path out = dir.resolve("linprobe");
        String[] args = with("linprobe", "--finetune", pretrained.toString(), "--batch_size", "16", "--epochs", "1", "--warmup_epochs", "0",
                "--max_train_images", "160", "--max_eval_images", "50", "--output_dir", out.toString());
        String first = ok(args);
        assertTrue(first.contains("cls-token feature; head BatchNorm1d + Linear(32, 10)") && first.contains("SGD momentum 0.9"), first);
        Map<String, Tensor> ck = Safetensors.read(out.resolve("checkpoint-0001.safetensors")).tensors();
        assertTrue(ck.containsKey("head.0.running_mean") && ck.containsKey("head.1.weight") && ck.containsKey("norm.weight")
                && ck.containsKey("blocks.1.attn.qkv.weight"), ck.keySet().toString());
        assertEquals(10, ck.get("head.0.num_batches_tracked").item(), "160 images / batch 16");
        // the backbone stayed frozen
        Map<String, Tensor> pre = Safetensors.read(pretrained).tensors();
        assertArrayEquals(pre.get("blocks.0.attn.qkv.weight").toFloatArray(), ck.get("blocks.0.attn.qkv.weight").toFloatArray());
        String trained = results(out);
        String eval = ok(with("linprobe", "--eval", "--output_dir", out.toString(), "--max_eval_images", "50", "--batch_size", "16",
                "--epochs", "1", "--warmup_epochs", "0"));
        // the evaluation's record goes beside the training run's, which stays as it was
        String evaluated = Files.readString(out.resolve("results-eval.json"));
        assertTrue(eval.contains("resumed from") && results(out).equals(trained) && evaluated.contains("\"epochs_trained\": 1")
                && evaluated.contains("\"checkpoint\": \"" + out.resolve("checkpoint-latest.safetensors")), eval + evaluated);
    }

    /**
     * Issue 18: the official spellings run, not only parse: linear probing with --experiment writes and resumes the
     * official file names (main_linprobe.py's {@code <model>.<experiment>.linear}); k-NN with main_knn.py's flags.
     */
    @Test
    void officialFileNamesAndKnnSpellingsRun() throws Exception {
        Path out = dir.resolve("official");
        String[] args = with("linprobe", "--finetune", pretrained.toString(), "--batch_size", "16", "--epochs", "1", "--warmup_epochs", "0",
                "--max_train_images", "64", "--max_eval_images", "32", "--output_dir", out.toString(), "--log_dir", out.resolve("tb").toString(),
                "--experiment", "exp0", "--pin_mem");
        Object[] first = exec(args);
        assertEquals(0, first[0], first[1] + "" + first[2]);
        assertTrue(((String) first[2]).contains("note: --pin_mem has no effect here: "), (String) first[2]);
        String stem = "vit_tiny_patch4.exp0";
        assertTrue(((String) first[1]).contains(out.resolve(stem + ".results.json").toString()), (String) first[1]);
        for (String f : List.of(".linear.safetensors", ".0001.safetensors", ".log.txt", ".results.json")) {
            assertTrue(Files.isRegularFile(out.resolve(stem + f)), stem + f);
        }
        try (var events = Files.list(out.resolve("tb").resolve(stem))) {
            assertEquals(1, events.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).count());
        }
        String[] more = args.clone();
        more[Arrays.asList(more).indexOf("--epochs") + 1] = "2";
        String second = ok(more);
        assertTrue(second.contains("resumed from " + out.resolve(stem + ".linear.safetensors") + " at epoch 1"), second);
        assertEquals(2, Files.readAllLines(out.resolve(stem + ".log.txt")).size());

        String knn = ok(with("knn", "--pretrained_weights", pretrained.toString(), "--checkpoint_key", "state_dict",
                "--batch_size_per_gpu", "64", "--nb_knn", "5", "10", "--max_train_images", "64", "--max_eval_images", "32",
                "--output_dir", dir.resolve("official-knn").toString()));
        assertTrue(knn.contains("5-NN classifier result") && knn.contains("10-NN classifier result") && !knn.contains("20-NN"), knn);
    }

    @Test
    void convertRoundTripsThroughPth() throws Exception {
        Path pth = dir.resolve("ck.pth"), back = dir.resolve("back.safetensors");
        String wrote = ok("convert", pretrained.toString(), pth.toString(), "--under", "model");
        // a pre-training checkpoint gives the model's weights alone, what load_state_dict(strict=True) wants
        assertTrue(wrote.contains("under 'model'") && wrote.matches("(?s).*; left out \\d+ optimizer\\.\\*\\s*"), wrote);
        ok("convert", pth.toString(), back.toString());
        Map<String, Tensor> a = new java.util.LinkedHashMap<>(Safetensors.read(pretrained).tensors()), b = Safetensors.read(back).tensors();
        a.keySet().removeIf(k -> k.startsWith("optimizer."));
        assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), 0, k);
        }
        Object[] bad = exec("convert", pretrained.toString(), dir.resolve("x.bin").toString(), "extra");
        assertEquals(2, bad[0]);
        Object[] odd = exec("convert", dir.resolve("missing.ckpt").toString(), pth.toString());
        assertEquals(2, odd[0]);
        assertTrue(((String) odd[2]).contains("does not exist"), (String) odd[2]);
    }
}
