package dev.semaim.train;

import dev.semaim.data.TrainingData;
import dev.semaim.io.TorchCheckpoint;
import dev.semaim.model.OrderType;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.NonFiniteLossException;
import dev.semaim.run.TfEventsReader;
import dev.semaim.settings.Precision;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainerTest {
    @TempDir
    Path dir;

    /** Tiny-run options of one epoch of {@code steps} steps, without warm-up. */
    private PretrainOptions oneEpoch(int steps) {
        PretrainOptions o = TinyRun.options(dir);
        o.epochs = 1;
        o.warmupEpochs = 0;
        o.maxStepsPerEpoch = steps;
        return o;
    }

    @Test
    void lossFallsOverAFewDozenSteps() throws Exception {
        PretrainOptions o = oneEpoch(40);
        List<Double> l = TinyRun.run(o, -1).losses;
        double first = l.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = l.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.9 * first, "loss did not fall: first five " + l.subList(0, 5) + ", last five " + l.subList(35, 40));
    }

    /**
     * Resume after a kill continues exactly. Bitwise in a JVM with the reference kernels: the Vector API fast
     * kernels' lane reductions (reduceLanes) add in a different order before and after C2 compiles them, so with
     * them two runs in one JVM can differ in the last bits; in-process the losses must agree to 1e-5 relative.
     */
    @Test
    void resumedRunGivesTheSameLossesAsAnUninterruptedOne() throws Exception {
        List<List<Double>> r = TinyRun.resumeExperiment(dir);
        List<Double> reference = r.get(0), resumed = r.get(1);
        assertEquals(8, reference.size());
        assertEquals(2, resumed.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(reference.get(6 + i), resumed.get(i), 1e-5 * reference.get(6 + i),
                    "losses after resume differ from the uninterrupted run " + reference + ": " + resumed);
        }
        // the line of the epoch cut at batch 2 averages all its 4 batches, as the uninterrupted run's (it averaged 2)
        Map<String, Object> full = TinyRun.epochLines(dir.resolve("full")).get(1), killed = TinyRun.epochLines(dir.resolve("killed")).get(1);
        assertEquals((double) full.get("train_loss"), (double) killed.get("train_loss"), 1e-5 * (double) full.get("train_loss"));
        assertEquals(full.get("train_lr"), killed.get("train_lr"));
        assertEquals(full.get("optimizer_steps"), killed.get("optimizer_steps"));
    }

    @Test
    void resumedRunIsBitwiseIdenticalWithReferenceKernels() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-Dsemaim.reference=true",
                "-cp", System.getProperty("java.class.path"), TinyRun.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void explicitResumeFromANumberedCheckpoint() throws Exception {
        PretrainOptions o = TinyRun.options(dir.resolve("a"));
        o.saveEveryEpochs = 1;
        List<Double> reference = TinyRun.run(o, -1).losses;
        PretrainOptions again = TinyRun.options(dir.resolve("b"));
        again.resume = o.outputDir.resolve(Checkpoints.numbered(1));
        assertEquals(reference.subList(4, 8), TinyRun.run(again, -1).losses);
    }

    @Test
    void checkpointHoldsReferenceKeysOptimizerStateAndRunState() throws Exception {
        PretrainOptions o = oneEpoch(2);
        TinyRun r = TinyRun.run(o, -1);
        Safetensors.File f = Safetensors.read(dir.resolve(Checkpoints.LATEST));
        List<String> keys = List.copyOf(f.tensors().keySet());
        assertEquals(List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"), keys.subList(0, 4));
        assertTrue(keys.containsAll(List.of("blocks.1.attn.qkv.weight", "query_blocks.1.attn.q.weight", "norm.weight",
                "prediction_head.fc2.bias", "optimizer.cls_token.exp_avg", "optimizer.cls_token.step")), keys.toString());
        assertEquals(Arrays.toString(new int[] {4 * 4 * 1, 4 * 32}), Arrays.toString(f.get("prediction_head.fc2.weight").shape())); // (P*P*C, 4D)
        assertEquals("1", f.metadata().get("epoch"));
        assertEquals("0", f.metadata().get("batch"));
        assertEquals("2", f.metadata().get("optimizer_steps"));
        assertTrue(Files.isRegularFile(dir.resolve(Checkpoints.numbered(1))), "numbered checkpoint at the end");
        String log = Files.readString(dir.resolve("log.txt"));
        assertTrue(log.startsWith("{\"train_loss\": ") && log.contains("\"epoch\": 0") && log.contains("\"images_per_s\": "), log);
        assertTrue(r.output().contains("effective batch size: 16") && r.output().contains("actual lr: 2.00e-03"), r.output());
    }

    /**
     * --amp fp16: the loss scale is logged (log.txt and TensorBoard, tag fp16_scaler) and saved in the checkpoint as the
     * official loss_scaler state, and a resumed run continues with the saved scale (here one edited to 1024).
     */
    @Test
    void fp16RunLogsSavesAndRestoresItsLossScale() throws Exception {
        PretrainOptions o = oneEpoch(2);
        o.amp = Precision.FP16;
        TinyRun r = TinyRun.run(o, -1);
        assertTrue(r.output().contains("precision: fp16 autocast, float32 master weights, loss scale 65536"), r.output());
        Path latest = dir.resolve(Checkpoints.LATEST);
        Safetensors.File f = Safetensors.read(latest);
        assertEquals("{\"scale\": 65536.0, \"growth_factor\": 2.0, \"backoff_factor\": 0.5, \"growth_interval\": 2000, "
                + "\"_growth_tracker\": 2}", f.metadata().get(Checkpoints.LOSS_SCALER));
        assertEquals(DType.F32, f.get("blocks.0.attn.qkv.weight").dtype(), "float32 master weights");
        assertTrue(Files.readString(dir.resolve("log.txt")).contains("\"fp16_scaler\": 65536.0"));
        List<TfEventsReader.Scalar> scalars = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path e : files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).toList())
                for (TfEventsReader.Event ev : TfEventsReader.read(e)) scalars.addAll(ev.scalars());
        }
        assertTrue(scalars.contains(new TfEventsReader.Scalar("fp16_scaler", 65536f)), scalars.toString());

        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put(Checkpoints.LOSS_SCALER, "{\"scale\": 1024.0, \"growth_factor\": 2.0, \"backoff_factor\": 0.5, \"growth_interval\": 2000, "
                + "\"_growth_tracker\": 7}");
        Safetensors.write(latest, f.tensors(), meta);
        o.epochs = 2;
        r = TinyRun.run(o, -1);
        assertTrue(r.output().contains("loss scale 1024"), r.output());
        assertTrue(Safetensors.read(latest).metadata().get(Checkpoints.LOSS_SCALER).contains("\"_growth_tracker\": 9"));

        meta.put(Checkpoints.LOSS_SCALER, "{\"scale\": \"big\"}");
        Safetensors.write(latest, Safetensors.read(latest).tensors(), meta);
        o.epochs = 3;
        String e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1)).getMessage();
        assertTrue(e.startsWith("checkpoint " + latest + ": 'loss_scaler' {\"scale\": \"big\"} is not a loss scaler state"), e);
    }

    /**
     * --init starts from a PyTorch checkpoint in the official layout ({'state_dict': {'module.' + key: ...}}): with an
     * lr of 1e-30 the one step leaves every weight where the file put it, so the run's checkpoint holds the file's weights.
     */
    @Test
    void initStartsFromAnOfficialStylePytorchCheckpoint() throws Exception {
        PretrainOptions a = TinyRun.options(dir.resolve("a"));
        a.epochs = 1;
        a.maxStepsPerEpoch = 2;
        TinyRun.run(a, -1);
        Map<String, Tensor> trained = Checkpoints.load(a.outputDir.resolve(Checkpoints.LATEST)).model();
        Map<String, Tensor> ddp = new LinkedHashMap<>();
        trained.forEach((k, v) -> ddp.put("module." + k, v));
        Path pth = dir.resolve("official.pth");
        TorchCheckpoint.write(pth, ddp, "state_dict");
        PretrainOptions b = TinyRun.options(dir.resolve("b"));
        b.epochs = 1;
        b.maxStepsPerEpoch = 1;
        b.lr = 1e-30;
        b.seed = 7; // another random init: only --init can make the weights equal
        b.init = pth;
        TinyRun r = TinyRun.run(b, -1);
        assertTrue(r.output().contains("initialised from " + pth + " (" + trained.size() + " tensors)"), r.output());
        Map<String, Tensor> after = Checkpoints.load(b.outputDir.resolve(Checkpoints.LATEST)).model();
        trained.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), after.get(k).toFloatArray(), 1e-20f, k));
        // the same weights as safetensors (this project's checkpoint itself) also work
        PretrainOptions c = TinyRun.options(dir.resolve("c"));
        c.epochs = 1;
        c.maxStepsPerEpoch = 1;
        c.init = a.outputDir.resolve(Checkpoints.LATEST);
        assertTrue(TinyRun.run(c, -1).output().contains("initialised from " + c.init), "safetensors --init");
        // a run that continues from its own checkpoint keeps it and says --init is not used
        c.epochs = 2;
        String resumed = TinyRun.run(c, -1).output();
        assertTrue(resumed.contains("--init " + c.init + " ignored: the run continues from its checkpoint "
                + c.outputDir.resolve(Checkpoints.LATEST)) && !resumed.contains("initialised from"), resumed);
    }

    @Test
    void initThatDoesNotFitNamesTheFlagAndFile() throws Exception {
        PretrainOptions o = TinyRun.options(dir.resolve("x"));
        o.epochs = 1;
        o.maxStepsPerEpoch = 1;
        o.init = dir.resolve("none.pth");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertEquals("--init " + o.init + " does not exist", e.getMessage());
        o.init = dir;
        e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertEquals("--init " + dir + " is a folder, not a weights file", e.getMessage());
        Path small = dir.resolve("small.safetensors");
        Safetensors.write(small, Map.of("cls_token", Tensor.of(new float[] {1, 2}, 1, 1, 2)), Map.of());
        o.init = small;
        e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertTrue(e.getMessage().startsWith("--init " + small + " does not fit the model of the flags: "), e.getMessage());
    }

    @Test
    void truncatedCheckpointIsAClearErrorNamingTheFile() throws Exception {
        PretrainOptions o = oneEpoch(1);
        TinyRun.run(o, -1);
        Path latest = dir.resolve(Checkpoints.LATEST);
        byte[] bytes = Files.readAllBytes(latest);
        Files.write(latest, Arrays.copyOf(bytes, bytes.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertTrue(e.getMessage().contains(latest.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void nonFiniteLossStopsNamingEpochAndStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        PretrainOptions o = oneEpoch(2);
        TinyRun.run(o, -1); // one good epoch, checkpointed
        o.epochs = 3;
        Path latest = dir.resolve(Checkpoints.LATEST);
        byte[] good = Files.readAllBytes(latest);
        o.lr = 1e30; // the first update blows the weights up
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> TinyRun.run(o, -1));
        assertTrue(e.getMessage().contains("at epoch 1, step 1") && e.getMessage().contains(latest.toString()), e.getMessage());
        assertTrue(Arrays.equals(good, Files.readAllBytes(latest)), "the last good checkpoint was overwritten");
    }

    /**
     * Issue 17 item 3: auto-resume from a checkpoint with a NaN in cls_token trained on, diverged, and called that file
     * "the last good checkpoint". It is refused before any step, naming the file, the tensor and the count.
     */
    @Test
    void aCheckpointWithANaNIsNotResumed() throws Exception {
        PretrainOptions o = oneEpoch(1);
        TinyRun.run(o, -1);
        Path latest = dir.resolve(Checkpoints.LATEST);
        Safetensors.File f = Safetensors.read(latest);
        Map<String, Tensor> tensors = new LinkedHashMap<>(f.tensors());
        float[] cls = tensors.get("cls_token").toFloatArray();
        cls[0] = Float.NaN;
        tensors.put("cls_token", Tensor.of(cls, tensors.get("cls_token").shape()));
        Safetensors.write(latest, tensors, f.metadata());
        o.epochs = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertEquals("checkpoint " + latest + " holds non-finite weights (cls_token has 1 of " + cls.length + " values NaN or "
                + "infinite): training cannot continue from it; resume from an earlier checkpoint", e.getMessage());
    }

    @Test
    void gradientAccumulationStepsOncePerGroupAndDropsAPartialGroup() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.accumIter = 2;
        o.maxStepsPerEpoch = 5; // groups {0,1} {2,3}, iteration 4's gradient is dropped at the epoch end
        o.saveEverySteps = 1;
        TinyRun r = TinyRun.run(o, -1);
        assertEquals(10, r.losses.size());
        Safetensors.File f = Safetensors.read(dir.resolve(Checkpoints.LATEST));
        assertEquals("4", f.metadata().get("optimizer_steps"));
        assertEquals("2", f.metadata().get("epoch"));
        assertTrue(r.output().contains("effective batch size: 32"), r.output());
    }

    @Test
    void badSettingsNameTheirFlag() {
        PretrainOptions o = TinyRun.options(dir);
        o.minLr = 1; // (a warm-up longer than the run is cut with a note now: OfficialRunFilesTest)
        assertTrue(assertThrows(IllegalArgumentException.class, o::validate).getMessage().startsWith("--min_lr 1.0 is larger than the peak lr"));
        o.minLr = 0;
        o.inputSize = 18;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, o::validate);
        assertTrue(e.getMessage().startsWith("--input_size 18"), e.getMessage());
        o.inputSize = 16;
        o.dataPath = null;
        assertTrue(assertThrows(IllegalArgumentException.class, o::validate).getMessage().startsWith("--data_path is required"));
        o.dataPath = TrainingData.EMBEDDED;
        o.inChans = 3;
        o.resume = dir.resolve("missing.safetensors");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1)).getMessage()
                .startsWith("--resume " + o.resume + " does not exist"));
        o.resume = dir; // a run's folder is not its checkpoint: the reference's --resume takes a file too
        assertEquals("--resume " + dir + " is a folder, not a checkpoint file (e.g. " + dir.resolve(Checkpoints.LATEST) + ")",
                assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1)).getMessage());
        assertFalse(Files.exists(dir.resolve(Checkpoints.LATEST)));
    }

    /** --accum_iter above the iterations per epoch trained nothing and exited 0; now a usage error naming the cap. */
    @Test
    void anAccumulationGroupLongerThanAnEpochIsRefusedNamingTheCap() {
        PretrainOptions o = oneEpoch(2);
        o.accumIter = 4;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertTrue(e.getMessage().startsWith("--accum_iter 4 is more than the 2 iterations per epoch (--max_steps_per_epoch 2): "), e.getMessage());
        assertFalse(Files.exists(dir.resolve(Checkpoints.LATEST)), "no checkpoint as if trained");
    }

    /**
     * A resumed run may not change the model, its training target, the batch or the accumulation (every difference
     * named, nothing trained); other recorded settings it takes with a note each, and the checkpoint's config then
     * holds them with config_changes keeping the earlier values; --seed stays the checkpoint's, in the config too.
     */
    @Test
    void aResumeRefusesAnotherModelOrTargetAndNotesEveryOtherChange() throws Exception {
        PretrainOptions o = oneEpoch(2);
        TinyRun.run(o, -1);
        Path latest = dir.resolve(Checkpoints.LATEST);
        byte[] before = Files.readAllBytes(latest);
        PretrainOptions other = oneEpoch(2);
        other.epochs = 2;
        other.normPixLoss = false;
        other.permutationType = OrderType.RASTER;
        other.batchSize = 8;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(other, -1));
        assertEquals("--batch_size 8 (the checkpoint's: 16), --norm_pix_loss off (the checkpoint's: on), --permutation_type raster "
                + "(the checkpoint's: attention_center): a resumed run keeps the model, its training target, --batch_size and --accum_iter "
                + "of its checkpoint " + latest + "; give the checkpoint's values, or start a new run (another --output_dir) from its "
                + "weights with --init " + latest, e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(latest), "nothing trained");

        PretrainOptions longer = oneEpoch(2);
        longer.epochs = 2;
        longer.lr = 1e-3;
        longer.seed = 3;
        String out = TinyRun.run(longer, -1).output();
        assertTrue(out.contains("continuing with the checkpoint's seed 0 (not --seed 3)"), out);
        assertTrue(out.contains("note: --epochs 2 (the checkpoint's: 1) holds from epoch 1, batch 0 on; the checkpoints keep the earlier "
                + "value in their config_changes"), out);
        assertTrue(out.contains("note: the peak lr 0.001 (--lr, else --blr x effective batch / 256) (the checkpoint's: 0.002) holds from "
                + "epoch 1, batch 0 on"), out);
        Map<String, String> meta = Safetensors.readMetadata(latest);
        Map<String, Object> config = PretrainOptions.fromMap(asObject(meta.get("config"))).asMap();
        assertEquals(2, config.get("epochs"));
        assertEquals(1e-3, config.get("lr"));
        assertEquals(0L, config.get("seed"), "the seed the run trains with");
        assertEquals("{\"epoch 1, batch 0\": \"epochs 1 -> 2; lr 0.002 -> 0.001\"}", meta.get("config_changes"));
    }

    /** The same model spelled another way (--query_depth 0: the depth's, 2) resumes; it was refused as another model. */
    @Test
    void aResumeTakesTheSameModelSpelledAnotherWay() throws Exception {
        PretrainOptions o = oneEpoch(2);
        TinyRun.run(o, -1);
        PretrainOptions same = oneEpoch(2);
        same.epochs = 2;
        same.queryDepth = 0;
        String out = TinyRun.run(same, -1).output();
        assertTrue(out.contains("resumed from") && !out.contains("query_depth"), out);
    }

    /**
     * A checkpoint records its process count: another count is refused mid-epoch (the position is counted in the
     * processes' shares of the epoch) and noted at an epoch's end, where the new count takes its own shares.
     */
    @Test
    void anotherProcessCountIsRefusedMidEpochAndNotedAtAnEpochsEnd() throws Exception {
        PretrainOptions o = oneEpoch(2);
        TinyRun.run(o, -1);
        Path latest = dir.resolve(Checkpoints.LATEST);
        Safetensors.File f = Safetensors.read(latest);
        assertEquals("1", f.metadata().get("world_size"));
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put("world_size", "2");
        Safetensors.write(latest, f.tensors(), meta);
        PretrainOptions longer = oneEpoch(2);
        longer.epochs = 2;
        String out = TinyRun.run(longer, -1).output();
        assertTrue(out.contains("note: 1 process (the checkpoint's: 2) from epoch 1 on"), out);
        assertTrue(Safetensors.readMetadata(latest).get("config_changes").contains("world_size 2 -> 1"));

        meta.put("batch", "1");
        Safetensors.write(latest, f.tensors(), meta);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(longer, -1));
        assertTrue(e.getMessage().startsWith("--world_size 1 (the checkpoint's: 2): " + latest + " stopped in epoch 1 at batch 1"), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    /** A finetune checkpoint (the same file format) given to pretrain: named as such, a usage error, not a strict-load failure. */
    @Test
    void aFinetuneCheckpointIsNamedAsOne() throws Exception {
        PretrainOptions o = oneEpoch(1);
        TinyRun.run(o, -1);
        Path latest = dir.resolve(Checkpoints.LATEST);
        Safetensors.File f = Safetensors.read(latest);
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put(Checkpoints.PROTOCOL, "finetune");
        Path finetune = dir.resolve("finetune.safetensors");
        Safetensors.write(finetune, f.tensors(), meta);
        o.resume = finetune;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertEquals("--resume " + finetune + " is a finetune checkpoint, not a pretrain one: pretrain continues only its own checkpoints",
                e.getMessage());
        Files.move(finetune, latest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        o.resume = null;
        e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertEquals("--output_dir " + dir + " holds " + latest + ", which is a finetune checkpoint, not a pretrain one: pretrain "
                + "continues only its own checkpoints", e.getMessage());
    }
}
