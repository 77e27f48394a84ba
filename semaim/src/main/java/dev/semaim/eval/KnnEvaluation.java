package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Distributed;
import dev.semaim.dist.Launch;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.io.Json;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.OnDevice;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.RunFolder;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The k-NN protocol (spec section 9): a ViT without head (global pool -> fresh fc_norm by default, or cls
 * after norm) with pre-trained weights; features of the training split and of the HELD-OUT split with the
 * evaluation pipeline (Resize(size/0.875) + CenterCrop), L2-normalised; weighted vote of the k nearest
 * (cosine) training features with weight exp(sim / T) for every k of {@link EvalOptions#knnK}; top-1/top-5.
 * The test set is processed in {@link EvalOptions#knnChunks} chunks (memory (M / chunks) x N).
 *
 * <p>Several processes (mpirun, srun): each extracts its share of every split and the shares are gathered
 * ({@link GatheredFeatures}); rank 0 classifies and writes, the others are silent.
 *
 * <p>Checkpoint/resume: each split's features are saved to {@code <output_dir>/features-<split>.safetensors}
 * once extracted, tagged with the settings that produced them; a rerun with the same settings reuses them.
 */
public final class KnnEvaluation {
    static final String PROTOCOL = "knn";
    private static final int REPORT_EVERY_IMAGES = 2000;

    private KnnEvaluation() {
    }

    /** Accuracies for every k, and the fields written to results.json. */
    public record Outcome(Map<Integer, KnnResult> byK, Map<String, Object> fields) {
    }

    public static Outcome run(EvalOptions o, ProgressLine progress) throws IOException {
        if (o.dataPath == null || o.dataPath.isBlank()) {
            throw new IllegalArgumentException("--data_path is required");
        }
        if (o.batchSize < 1 || o.knnChunks < 1 || !(o.temperature > 0) || o.knnK.length == 0) {
            throw new IllegalArgumentException("--batch_size and --chunks must be positive, --temperature > 0, --nb_knn not empty");
        }
        Launch launch = o.launch();
        if (launch.rank() != 0) { // a process of a multi-process run: extracts its share, rank 0 reports and writes
            ProgressLine silent = ProgressLine.silent();
            return OnDevice.run(o.device, silent::note, backend -> evaluate(o, backend, silent, launch));
        }
        try (RunFolder folder = RunFolder.open(o.outputDir, o.logDir, progress::note)) {
            return OnDevice.run(o.device, progress::note, backend -> evaluate(o, backend, progress, launch));
        }
    }

    /** Joins the run (one process: alone), evaluates, and leaves the run after a clean end. */
    private static Outcome evaluate(EvalOptions o, Backend backend, ProgressLine progress, Launch launch) throws IOException {
        Communicator comm = Distributed.open(launch, backend, Duration.ofSeconds(o.distTimeout));
        Outcome outcome = evaluate(o, backend, progress, comm);
        comm.close();
        return outcome;
    }

    private static Outcome evaluate(EvalOptions o, Backend backend, ProgressLine progress, Communicator comm) throws IOException {
        long start = System.nanoTime();
        BackboneLoader.checkArchitecture(o); // before the data: a checkpoint of another model fails at once
        EvalSplits splits = EvalSplits.open(o, progress);
        EvalData data = splits.data();
        Dataset train = splits.train(), val = splits.val();
        VitSpec spec = o.vitSpec();
        VisionTransformer model = spec.build(0, o.globalPool, 0, new Rng(o.seed));
        if (o.finetune != null) {
            BackboneLoader.load(model, o, progress::message);
        } else {
            progress.message("no --finetune: k-NN of the random initialisation");
        }
        model.eval();
        Transform eval = splits.evalTransform(o);
        progress.message(splits.describe() + String.format(Locale.ROOT, "; %s, %s feature", spec.describe(),
                o.globalPool ? "global-pool" : "cls-token"));

        Map<String, String> tag = new LinkedHashMap<>();
        tag.put("settings", Json.object(o.asMap()));
        if (o.finetune != null) { // a checkpoint rewritten under the same name must not reuse old features
            tag.put("weights", Files.size(o.finetune) + " bytes, modified " + Files.getLastModifiedTime(o.finetune));
        }
        KnnFeatures tr = features("train", model, train, eval, o, backend, tag, progress, comm);
        KnnFeatures te = features("val", model, val, eval, o, backend, tag, progress, comm);
        if (comm.rank() != 0) {
            return new Outcome(Map.of(), Map.of()); // rank 0 classifies and writes
        }

        int classes = data.train().dataset().numClasses();
        int chunk = Math.max(1, (te.labels().length + o.knnChunks - 1) / o.knnChunks);
        Map<Integer, KnnResult> byK = new LinkedHashMap<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("protocol", PROTOCOL);
        JsonLinesLog log = new JsonLinesLog(o.logDir == null ? o.outputDir : o.logDir);
        for (int k : o.knnK) {
            KnnResult r = Knn.classify(tr.features(), tr.labels(), te.features(), te.labels(), classes, k, o.temperature, chunk);
            byK.put(k, r);
            progress.message(String.format(Locale.ROOT, "%d-NN classifier result: Top1: %.2f, Top5: %.2f", k, r.top1(), r.top5()));
            fields.put("knn" + k + "_top1", r.top1());
            fields.put("knn" + k + "_top5", r.top5());
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("k", k);
            line.put("temperature", o.temperature);
            line.put("top1", r.top1());
            line.put("top5", r.top5());
            line.put("eval_images", r.testCount());
            log.append(line);
        }
        fields.put("temperature", o.temperature);
        fields.put("train_images", tr.labels().length);
        fields.put("eval_images", te.labels().length);
        fields.put("eval_split", data.heldOutDescription());
        fields.put("seconds", (System.nanoTime() - start) / 1e9);
        fields.putAll(o.asMap());
        RunResults.write(o.outputDir, fields);
        return new Outcome(byK, fields);
    }

    /** The split's features: read back from a previous run with the same settings, else extracted and saved. */
    private static KnnFeatures features(String split, VisionTransformer model, Dataset dataset, Transform eval, EvalOptions o,
                                        Backend backend, Map<String, String> tag, ProgressLine progress, Communicator comm) throws IOException {
        Path file = o.outputDir.resolve("features-" + split + ".safetensors");
        if (comm.size() == 1 && Files.isRegularFile(file)) { // several processes extract afresh: no rank may skip the gather
            Safetensors.File f = Safetensors.read(file);
            if (tag.equals(f.metadata()) && f.tensors().containsKey("labels")) {
                long[] l = f.tensors().get("labels").toLongArray();
                int[] labels = new int[l.length];
                for (int i = 0; i < l.length; i++) {
                    labels[i] = (int) l[i];
                }
                progress.message("reusing the " + split + " features of " + file);
                KnnFeatures.requireFinite(f.tensors().get("features"), "the " + split + " split in " + file);
                return new KnnFeatures(f.tensors().get("features").to(backend), labels);
            }
        }
        long t0 = System.nanoTime();
        int[] next = {REPORT_EVERY_IMAGES};
        KnnFeatures kf;
        try {
            kf = GatheredFeatures.extract(comm, model::features, dataset, eval, o.batchSize, backend, done -> {
                if (done >= next[0] || done == dataset.size()) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    progress.message(String.format(Locale.ROOT, "%s features: %d/%d images, %.0f img/s, ETA %s", split, done,
                            dataset.size(), done / s, ProgressLine.duration((dataset.size() - done) * s / done)));
                    next[0] = done + REPORT_EVERY_IMAGES;
                }
            });
        } catch (KnnFeatures.NonFinite e) { // say which split and which weights
            throw new IllegalStateException(split + " split: " + e.getMessage()
                    + (o.finetune == null ? "" : " (weights " + o.finetune + ")"), e);
        }
        if (comm.rank() != 0) {
            return kf;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("features", kf.features().to(DType.F32));
        out.put("labels", Tensor.of(Accuracy.toLong(kf.labels()), kf.labels().length));
        Safetensors.write(file, out, tag);
        return kf;
    }
}
