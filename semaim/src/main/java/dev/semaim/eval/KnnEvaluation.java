package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Launch;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.io.Json;
import dev.semaim.run.DataParallel;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.ProgressLine;
import dev.semaim.settings.Precision;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The k-NN protocol (spec section 9): a ViT without head (global pool -> fresh fc_norm by default, or cls
 * after norm) with pre-trained weights; features of the training split and of the HELD-OUT split with the
 * evaluation pipeline (Resize(size/0.875) + CenterCrop), L2-normalised; weighted vote of the k nearest
 * (cosine) training features with weight exp(sim / T) for every k of {@link EvalOptions#knnK} (the max(k) nearest
 * selected once); top-1/top-5. The test set is processed in {@link EvalOptions#knnChunks} chunks (memory (M / chunks) x N).
 * {@code --dump_features DIR} writes the normalised features and labels ({@link KnnDump}); {@code --load_features DIR}
 * votes with them and runs no model.
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
    /** How far from 1 the norm of a loaded feature row may be and still count as normalised (float32 rounding is ~1e-7). */
    private static final double UNIT_TOLERANCE = 1e-3;

    private KnnEvaluation() {
    }

    /** Accuracies for every k, and the fields written to results.json. */
    public record Outcome(Map<Integer, KnnResult> byK, Map<String, Object> fields) {
    }

    public static Outcome run(EvalOptions o, ProgressLine progress) throws IOException {
        if (o.loadFeatures == null && (o.dataPath == null || o.dataPath.isBlank())) {
            throw new IllegalArgumentException("--data_path is required (or --load_features DIR)");
        }
        if (o.batchSize < 1 || o.knnChunks < 1 || !(o.temperature > 0) || o.knnK.length == 0) {
            throw new IllegalArgumentException("--batch_size and --chunks must be positive, --temperature > 0, --nb_knn not empty");
        }
        if (o.dumpFeatures != null) {
            KnnDump.checkWritable(o.dumpFeatures);
        }
        Launch launch = o.launch();
        ProgressLine p = DataParallel.progressOf(launch, progress); // rank 0 reports and writes; the others extract their share
        return DataParallel.run(o, launch, p, (backend, comm) -> evaluate(o, backend, p, comm));
    }

    private static Outcome evaluate(EvalOptions o, Backend backend, ProgressLine progress, Communicator comm) throws IOException {
        long start = System.nanoTime();
        Splits s = o.loadFeatures != null ? load(o, backend, progress) : extract(o, backend, progress, comm);
        if (comm.rank() != 0) {
            return new Outcome(Map.of(), Map.of()); // rank 0 classifies and writes
        }
        KnnFeatures tr = s.train(), te = s.test();
        for (int k : o.knnK) { // the vote takes every training image then (Knn clamps k)
            if (k > tr.labels().length) {
                progress.note("--nb_knn " + k + " is more than the " + tr.labels().length + " training images: k = " + tr.labels().length);
            }
        }
        int chunk = Math.max(1, (te.labels().length + o.knnChunks - 1) / o.knnChunks);
        long t0 = System.nanoTime();
        Knn.Results results = Knn.classifyNormalized(tr.features(), tr.labels(), te.features(), te.labels(), s.classes(), o.knnK,
                o.temperature, chunk);
        double voteSeconds = (System.nanoTime() - t0) / 1e9;
        progress.message(String.format(Locale.ROOT, "k-NN of %d held-out against %d training features: %.1f s (similarities %.1f s, "
                        + "selection of the %d nearest %.1f s)", te.labels().length, tr.labels().length, voteSeconds,
                results.productSeconds(), Arrays.stream(results.byK()).mapToInt(KnnResult::k).max().getAsInt(), results.selectionSeconds()));
        Map<Integer, KnnResult> byK = new LinkedHashMap<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("protocol", PROTOCOL);
        JsonLinesLog log = JsonLinesLog.of(o.files());
        for (int i = 0; i < o.knnK.length; i++) {
            // recorded under the k asked for (the key a script reads: knn20_top1 for --nb_knn 20), with the k that voted
            // beside it where fewer training images cut it
            int k = o.knnK[i];
            KnnResult r = results.byK()[i];
            boolean cut = r.k() < k;
            byK.put(k, r);
            progress.message(String.format(Locale.ROOT, "%d-NN classifier result%s: Top1: %.2f, Top5: %.2f", r.k(),
                    cut ? " (--nb_knn " + k + ")" : "", r.top1(), r.top5()));
            fields.put("knn" + k + "_top1", r.top1());
            fields.put("knn" + k + "_top5", r.top5());
            if (cut) {
                fields.put("knn" + k + "_k_used", r.k());
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("k", k);
            if (cut) {
                line.put("k_used", r.k());
            }
            line.put("temperature", o.temperature);
            line.put("top1", r.top1());
            line.put("top5", r.top5());
            line.put("eval_images", r.testCount());
            log.append(line);
        }
        fields.put("temperature", o.temperature);
        fields.put("train_images", tr.labels().length);
        fields.put("eval_images", te.labels().length);
        fields.put("eval_split", s.heldOut());
        fields.put("knn_seconds", voteSeconds);
        fields.put("seconds", (System.nanoTime() - start) / 1e9);
        fields.putAll(o.asMap());
        RunResults.write(o.results(), fields);
        return new Outcome(byK, fields);
    }

    /** Both splits' L2-normalised features and labels, the number of classes, and what the held-out split is. */
    private record Splits(KnnFeatures train, KnnFeatures test, int classes, String heldOut) {
    }

    /** The features of the model on both splits (reused from an earlier run when there), normalised, dumped when asked. */
    private static Splits extract(EvalOptions o, Backend backend, ProgressLine progress, Communicator comm) throws IOException {
        BackboneLoader.checkArchitecture(o); // before the data: a checkpoint of another model fails at once
        EvalSplits splits = EvalSplits.open(o, progress).checkClasses(o);
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
        if (o.precisionOn(backend, progress::note) != null && o.amp != Precision.AUTO) {
            progress.note("--amp " + o.amp + " applies to training; the k-NN features are computed in float32");
        }
        Transform eval = splits.evalTransform(o);
        progress.message(splits.describe() + String.format(Locale.ROOT, "; %s, %s feature", spec.describe(),
                o.globalPool ? "global-pool" : "cls-token"));

        Map<String, String> tag = new LinkedHashMap<>();
        tag.put("settings", Json.object(o.asMap()));
        if (o.finetune != null) { // a checkpoint rewritten under the same name must not reuse old features
            tag.put("weights", Files.size(o.finetune) + " bytes, modified " + Files.getLastModifiedTime(o.finetune));
        }
        KnnFeatures tr = normalized(features("train", model, train, eval, o, backend, tag, progress, comm));
        KnnFeatures te = normalized(features("val", model, val, eval, o, backend, tag, progress, comm));
        if (o.dumpFeatures != null && comm.rank() == 0) {
            KnnDump.write(o.dumpFeatures, tr, te);
            progress.message("features and labels dumped to " + o.dumpFeatures.resolve(KnnDump.describeFiles()));
        }
        return new Splits(tr, te, data.train().dataset().numClasses(), data.heldOutDescription());
    }

    private static KnnFeatures normalized(KnnFeatures f) {
        return new KnnFeatures(Knn.l2Normalize(f.features()), f.labels());
    }

    /**
     * The splits of a --dump_features folder. Rows of unit length (or zero) are used as they are, as main_knn.py uses
     * its dumps, so the vote is the one of the run that wrote them; other rows are normalised first, with a note.
     * Classes: the largest label + 1 (classes above it could never outrank a true label: their vote is 0).
     */
    private static Splits load(EvalOptions o, Backend backend, ProgressLine progress) {
        KnnFeatures[] f = KnnDump.read(o.loadFeatures, backend);
        for (int s = 0; s < 2; s++) {
            float[] norms = f[s].features().norm(true, 1).toFloatArray();
            for (float n : norms) {
                if (n != 0 && Math.abs(n - 1) > UNIT_TOLERANCE) {
                    progress.message("--load_features: the " + (s == 0 ? "training" : "held-out") + " rows are not L2-normalised "
                            + "(a row of norm " + n + "): normalising them");
                    f[s] = normalized(f[s]);
                    break;
                }
            }
        }
        int classes = 1 + Math.max(Arrays.stream(f[0].labels()).max().getAsInt(), Arrays.stream(f[1].labels()).max().getAsInt());
        EvalSplits.checkClasses(o, classes, "--load_features " + o.loadFeatures);
        progress.message(String.format(Locale.ROOT, "features of %d training and %d held-out images (width %d, %d classes) from %s",
                f[0].labels().length, f[1].labels().length, f[0].features().size(1), classes, o.loadFeatures));
        return new Splits(f[0], f[1], classes, "features loaded from " + o.loadFeatures);
    }

    /** The split's features: read back from a previous run with the same settings, else extracted and saved. */
    private static KnnFeatures features(String split, VisionTransformer model, Dataset dataset, Transform eval, EvalOptions o,
                                        Backend backend, Map<String, String> tag, ProgressLine progress, Communicator comm) throws IOException {
        Path file = o.outputDir.resolve("features-" + split + ".safetensors");
        // the split as it is now: a folder that gained or lost images or classes since is extracted afresh
        Map<String, String> splitTag = new LinkedHashMap<>(tag);
        splitTag.put("images", Integer.toString(dataset.size()));
        splitTag.put("classes", String.join(",", dataset.classNames()));
        if (comm.size() == 1 && Files.isRegularFile(file)) { // several processes extract afresh: no rank may skip the gather
            Safetensors.File f;
            try {
                f = Safetensors.read(file);
            } catch (RuntimeException e) { // a cache cut short by a kill, or damaged: only a cache
                progress.warning("ignoring " + file + " (unreadable: " + e.getMessage() + "); extracting the " + split + " features again");
                f = null;
            }
            if (f != null && splitTag.equals(f.metadata()) && f.tensors().containsKey("labels")) {
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
        Safetensors.write(file, out, splitTag);
        return kf;
    }
}
