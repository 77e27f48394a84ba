package dev.semaim.cli;

import dev.semaim.audit.SavedModel;
import dev.semaim.audit.StepAudit;
import dev.semaim.data.SampleImages;
import dev.semaim.model.AimViT;
import dev.semaim.model.Orders;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code semaim audit}: one pre-training step (order pass, masks, forward, loss, backward; no update) with every
 * intermediate written to one safetensors file; the names are listed in {@link StepAudit} and docs/WALKTHROUGH.md.
 */
public final class AuditCommand extends FlagCommand<AuditCommand.Options> {
    /** The settings of one audit. */
    static final class Options {
        final ModelSource model = new ModelSource();
        Path images;
        String data;
        int numImages;
        Path priority;
        Path noise;
        long seed;
        Path out;
        boolean json;
    }

    static final Schema<Options> SCHEMA = schema();

    private static Schema<Options> schema() {
        Schema<Options> s = new Schema<>("audit",
                "Runs one SemAIM pre-training step without the optimizer update and writes every intermediate tensor\n"
                        + "(input, target, order maps, priority, masks, per-block stream states, prediction, loss, gradients) to --out.",
                Options::new);
        ModelSource.declare(s, o -> o.model, "the model to audit");
        s.add("images", ValueType.path().metavar("FILE"), null, "safetensors file whose tensor 'input' (B, C, H, W) is the batch (default: --data)",
                o -> o.images, (o, v) -> o.images = v);
        s.add("data", ValueType.text().metavar("PATH"), "embedded", "where the batch comes from without --images: 'embedded', an IDX "
                + "folder or an image folder", o -> o.data, (o, v) -> o.data = v);
        s.add("num_images", ValueType.integer(1), "2", "batch size taken from --data", o -> o.numImages, (o, v) -> o.numImages = v);
        s.add("priority", ValueType.path().metavar("FILE"), null, "safetensors file whose tensor 'priority' (B, L) is the order to use",
                o -> o.priority, (o, v) -> o.priority = v).excludes("noise");
        s.add("noise", ValueType.path().metavar("FILE"), null, "safetensors file whose tensor 'noise' (B, L) (and 'center_u' (B, 2), "
                + "if any) is the order noise", o -> o.noise, (o, v) -> o.noise = v);
        s.add("seed", ValueType.longInteger(0), "0", "seed of the order noise when neither --priority nor --noise is given",
                o -> o.seed, (o, v) -> o.seed = v);
        s.add("out", FileNames.output(".safetensors"), null, "the safetensors file to write", o -> o.out, (o, v) -> o.out = v)
                .required("the safetensors file to write");
        s.add("json", ValueType.toggle(), null, "print a JSON summary: loss, the order of each image as patch indices, a few norms",
                o -> o.json, (o, v) -> o.json = v);
        return s;
    }

    public AuditCommand() {
        super(SCHEMA, "run one pre-training step and dump every intermediate tensor to a safetensors file");
    }

    @Override
    int run(Options o, PrintStream out, PrintStream err) throws Exception {
        SCHEMA.validate(o);
        SavedModel saved = o.model.load();
        AimViT model = saved.model();
        SampleImages images = o.images != null ? SampleImages.fromFile(o.images, "--images")
                : SampleImages.fromData(o.data, o.numImages, model.config.imgSize(), model.config.inChans());
        int b = images.images().size(0), l = model.config.numPatches();
        Tensor priority = null;
        Orders.Noise noise = null;
        if (o.priority != null) {
            priority = Safetensors.read(o.priority).get("priority");
        } else if (o.noise != null) {
            Safetensors.File nf = Safetensors.read(o.noise);
            noise = new Orders.Noise(nf.get("noise"), nf.tensors().get("center_u"));
        } else {
            noise = Orders.draw(new Rng(o.seed), b, l);
        }
        try (TensorScope step = TensorScope.open()) {                           // the step's buffers go once written
            Map<String, Tensor> dump = StepAudit.run(model, images.images(), priority, noise);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("config", saved.configJson());
            meta.put("checkpoint", saved.path().toString());
            meta.put("images", images.description());
            Path file = o.out;
            Safetensors.write(file, dump, meta);
            if (o.json) out.println(summaryJson(dump));
            else out.printf(Locale.ROOT, "wrote %d tensors to %s; loss %.6f%n", dump.size(), file, dump.get("loss").item());
        }
        return 0;
    }

    /** {"loss": x, "order": [[patch indices, first to last] per image], "norms": {...}, "grad_norm": g}. */
    static String summaryJson(Map<String, Tensor> dump) {
        StringBuilder sb = new StringBuilder("{\"loss\": ").append(num(dump.get("loss").item()));
        sb.append(", \"order\": [");
        long[] order = dump.get("priority").argsort(false).contiguous().toLongArray();
        int l = dump.get("priority").size(1);
        for (int i = 0; i < order.length; i++) {
            sb.append(i % l == 0 ? (i == 0 ? "[" : "], [") : ", ").append(order[i]);
        }
        sb.append("]], \"norms\": {");
        boolean first = true;
        for (String k : List.of("input", "target", "order.z", "pred")) {
            Tensor t = dump.get(k);
            if (t == null) continue;
            sb.append(first ? "" : ", ").append('"').append(k).append("\": ").append(num(t.norm(false).item()));
            first = false;
        }
        double g2 = 0;
        for (Map.Entry<String, Tensor> e : dump.entrySet())
            if (e.getKey().startsWith("grad.")) g2 += Math.pow(e.getValue().norm(false).item(), 2);
        return sb.append("}, \"grad_norm\": ").append(num(Math.sqrt(g2))).append('}').toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
