package dev.semaim.viz;

import dev.semaim.autograd.GradMode;
import dev.semaim.data.SampleImages;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.OrderMaps;
import dev.semaim.model.OrderType;
import dev.semaim.model.Orders;
import dev.semaim.model.Targets;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The picture of {@code semaim visualize}: a row per image; columns: the input (un-normalised); the last
 * encoder block's cls-row attention averaged over heads (optionally each head); the cls-patch cosine similarity
 * of the order pass (spec §4.2); each requested order as a heat map (warm = predicted first); the per-patch loss
 * map of one training forward under the model's own order; and, for pixel targets, the prediction next to the
 * target (norm-pix predictions are mapped back with the target patch's own mean and variance, §5.2).
 */
public final class ModelPictures {
    private ModelPictures() {}

    /** The smallest panel side in pixels. */
    public static final int MIN_PANEL = 16;
    /**
     * The largest: a grid is about ten panels wide and a panel high per image, so 1024-pixel panels already make a
     * picture of tens of megapixels; far larger ones go past what a Java image can hold.
     */
    public static final int MAX_PANEL = 1024;

    /** @param orders permutation types to draw; panel: side of each panel in pixels; seed: the order noise */
    public record Options(List<OrderType> orders, boolean perHead, int panel, long seed) {
        public Options {
            if (panel < MIN_PANEL || panel > MAX_PANEL)
                throw new IllegalArgumentException("--panel " + panel + " is outside " + MIN_PANEL + " to " + MAX_PANEL + " pixels");
        }
    }

    public static BufferedImage grid(AimViT model, SampleImages sample, Options o) {
        try (TensorScope scope = TensorScope.open()) {                          // every pass's buffers go once drawn
            return draw(model, sample, o);
        }
    }

    private static BufferedImage draw(AimViT model, SampleImages sample, Options o) {
        AimConfig c = model.config;
        Tensor x = sample.images();                                             // x: (B, C, H, W)
        int b = x.size(0), l = c.numPatches(), g = c.grid(), size = o.panel();
        List<String> titles = new ArrayList<>();
        List<List<FigureGrid.Cell>> cells = new ArrayList<>();
        for (int i = 0; i < b; i++) cells.add(new ArrayList<>());

        OrderMaps maps = model.orderMaps(x);
        float[][] shown = display(x, sample);                                   // per image (C, H, W) in [0, 1]
        BufferedImage[] bases = new BufferedImage[b];
        for (int i = 0; i < b; i++) bases[i] = Panels.image(shown[i], c.inChans(), c.imgSize(), c.imgSize(), size);
        titles.add("input");
        for (int i = 0; i < b; i++) cells.get(i).add(FigureGrid.Cell.plain(bases[i], ""));

        addHeat("cls attention\n(last block, mean)", maps.selfMap(), g, bases, titles, cells);
        if (o.perHead()) {
            Tensor perHead = maps.lastProbs().select(2, 0).narrow(2, 1, l);     // (B, H, L): cls row over the patches
            for (int h = 0; h < perHead.size(1); h++)
                addHeat("cls attention\nhead " + h, perHead.select(1, h), g, bases, titles, cells);
        }
        addHeat("cls-patch cosine\n(order pass)", maps.cosCls(), g, bases, titles, cells);

        Orders.Noise noise = Orders.draw(new Rng(o.seed()), b, l);
        Tensor attn = maps.map(c.attentionType());                              // A: (B, L)
        for (OrderType type : o.orders()) {
            Tensor pi = Orders.priority(type, g, noise.tieBreak(), attn, noise.centre());
            titles.add("order: " + type.spelling() + "\n(warm = first)");
            long[] order = pi.argsort(false).contiguous().toLongArray();       // (B, L): patch indices, first to last
            for (int i = 0; i < b; i++) {
                double[] v = new double[l];
                for (int rank = 0; rank < l; rank++) v[(int) order[i * l + rank]] = 1 - rank / (double) (l - 1);
                cells.get(i).add(FigureGrid.Cell.heat(Panels.heat(v, g, 0, 1, bases[i], size), "start " + order[i * l], 0, 1));
            }
        }

        Tensor priority = Orders.priority(c.permutationType(), g, noise.tieBreak(), c.orderNeedsMap() ? attn : null, noise.centre());
        AimOutput out = null;
        if (!c.predictFeature().needsTargetEncoder()) { // a teacher's or EMA's target is not in the checkpoint: no loss map then
            try (GradMode.Scope s = GradMode.noGrad()) {
                out = model.forward(x, priority);
            }
            addHeat("loss map\n(" + c.permutationType().spelling() + ")", out.lossMap(), g, bases, titles, cells);
        }
        if (c.pixelTarget()) {
            Tensor target = model.gaussianBlur == null ? x : model.gaussianBlur.forward(x);        // (B, C, H, W)
            Tensor pred = predictedImages(model, x, out.pred().data());
            float[][] predShown = display(pred, sample), targetShown = display(target, sample);
            titles.add(c.normPixLoss() ? "prediction\n(patch stats of target)" : "prediction");
            titles.add(model.gaussianBlur == null ? "target" : "target\n(blurred)");
            for (int i = 0; i < b; i++) {
                cells.get(i).add(FigureGrid.Cell.plain(Panels.image(predShown[i], c.inChans(), c.imgSize(), c.imgSize(), size), ""));
                cells.get(i).add(FigureGrid.Cell.plain(Panels.image(targetShown[i], c.inChans(), c.imgSize(), c.imgSize(), size), ""));
            }
        }

        List<String> rowLabels = new ArrayList<>();
        for (int i = 0; i < b; i++) rowLabels.add("image " + i);
        FigureGrid fig = new FigureGrid(titles, rowLabels, size);
        for (int i = 0; i < b; i++)
            for (int j = 0; j < titles.size(); j++) fig.set(i, j, cells.get(i).get(j));
        return fig.render();
    }

    /** A column of per-patch maps (B, L), each panel scaled to its own range (shown under it). */
    private static void addHeat(String title, Tensor map, int grid, BufferedImage[] bases, List<String> titles,
                                List<List<FigureGrid.Cell>> cells) {
        titles.add(title);
        int l = grid * grid;
        double[] all = map.contiguous().toDoubleArray();
        for (int i = 0; i < bases.length; i++) {
            double[] v = java.util.Arrays.copyOfRange(all, i * l, (i + 1) * l);
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double d : v) {
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
            String caption = String.format(Locale.ROOT, "%.3g .. %.3g", lo, hi);
            cells.get(i).add(FigureGrid.Cell.heat(Panels.heat(v, grid, lo, hi, bases[i], bases[i].getWidth()), caption, lo, hi));
        }
    }

    /**
     * The prediction (B, T, K) as images (B, C, H, W) in the input's normalised units: with norm-pix each
     * patch is mapped back as pred·sqrt(var + 1e-6) + mean with the target patch's own mean and unbiased variance.
     */
    static Tensor predictedImages(AimViT model, Tensor images, Tensor pred) {
        AimConfig c = model.config;
        Tensor patches = pred.narrow(1, 1, c.numPatches());                    // (B, L, K)
        if (c.normPixLoss()) {
            Tensor raw = Targets.pixel(images, model.gaussianBlur, c.patchSize(), false); // (B, L, K) before norm-pix
            Tensor mu = raw.mean(true, -1), var = raw.var(true, true, -1);       // (B, L, 1)
            patches = patches.mul(var.add(Targets.NORM_PIX_EPS).sqrt()).add(mu);
        }
        return patches.contiguous().unpatchify(c.patchSize(), c.inChans());
    }

    /**
     * Images (B, C, H, W) in normalised units → per image (C, H, W) in display units: x·std + mean when the
     * statistics are known, else each image stretched to its own [min, max].
     */
    static float[][] display(Tensor images, SampleImages sample) {
        int b = images.size(0), ch = images.size(1), hw = images.size(2) * images.size(3);
        float[] all = images.contiguous().toFloatArray();
        float[][] out = new float[b][ch * hw];
        for (int i = 0; i < b; i++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < ch * hw; k++) {
                lo = Math.min(lo, all[i * ch * hw + k]);
                hi = Math.max(hi, all[i * ch * hw + k]);
            }
            for (int k = 0; k < ch * hw; k++) {
                float v = all[i * ch * hw + k];
                if (sample.mean() != null) {
                    int chan = k / hw;
                    float m = sample.mean()[Math.min(chan, sample.mean().length - 1)], s = sample.std()[Math.min(chan, sample.std().length - 1)];
                    out[i][k] = v * s + m;
                } else {
                    out[i][k] = hi > lo ? (v - lo) / (hi - lo) : 0.5f;
                }
            }
        }
        return out;
    }
}
