package dev.semaim.cli;

import dev.semaim.data.SampleImages;
import dev.semaim.model.AimViT;
import dev.semaim.model.OrderType;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
import dev.semaim.viz.ModelPictures;
import dev.semaim.viz.Pictures;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code semaim visualize}: a PNG grid of what a (pre-trained) model sees: attention, similarity, orders, loss, prediction. */
public final class VisualizeCommand extends FlagCommand<VisualizeCommand.Options> {
    /** The settings of one picture. */
    static final class Options {
        final ModelSource model = new ModelSource();
        String data;
        Path images;
        int numImages;
        List<OrderType> orders;
        boolean perHead;
        int panel;
        long seed;
        Path out;
    }

    static final Schema<Options> SCHEMA = schema();

    private static Schema<Options> schema() {
        Schema<Options> s = new Schema<>("visualize",
                "Draws a PNG grid, a row per image: input, last-block cls attention, cls-patch similarity (spec 4.2), each\n"
                        + "order as a heat map (warm = predicted first), the per-patch loss map, prediction and target.",
                Options::new);
        ModelSource.declare(s, o -> o.model, "the model to draw");
        s.add("data", ValueType.text().metavar("PATH"), "embedded", "images: 'embedded', an IDX folder or an image folder (the first --num_images)",
                o -> o.data, (o, v) -> o.data = v);
        s.add("images", ValueType.path().metavar("FILE"), null, "instead of --data: a safetensors file whose tensor 'input' (B, C, H, W) "
                + "holds normalised images", o -> o.images, (o, v) -> o.images = v);
        s.add("num_images", ValueType.integer(1), "4", "rows of the grid", o -> o.numImages, (o, v) -> o.numImages = v);
        s.add("orders", ValueType.choiceList(OrderType.class), "raster,stochastic,attention,attention_center",
                "comma-separated permutation types to draw", o -> o.orders, (o, v) -> o.orders = v);
        s.add("per_head", ValueType.toggle(), null, "also draw each head's cls attention", o -> o.perHead, (o, v) -> o.perHead = v);
        s.add("panel", ValueType.integer(ModelPictures.MIN_PANEL).where(v -> v <= ModelPictures.MAX_PANEL, "at most " + ModelPictures.MAX_PANEL)
                .metavar("PX"), "112", "side of each panel in pixels (28x28 images are upscaled to it)", o -> o.panel, (o, v) -> o.panel = v);
        s.add("seed", ValueType.longInteger(0), "0", "seed of the order noise", o -> o.seed, (o, v) -> o.seed = v);
        s.add("out", FileNames.output(".png"), null, "the PNG to write", o -> o.out, (o, v) -> o.out = v).required("the PNG to write");
        return s;
    }

    public VisualizeCommand() {
        super(SCHEMA, "draw attention maps, similarity maps, orders, loss maps and predictions of a checkpoint as a PNG grid");
    }

    @Override
    int run(Options o, PrintStream out, PrintStream err) throws Exception {
        SCHEMA.validate(o);
        ModelPictures.Options options = new ModelPictures.Options(o.orders, o.perHead, o.panel, o.seed);
        AimViT model = o.model.load().model();
        SampleImages images = o.images != null ? SampleImages.fromFile(o.images, "--images")
                : SampleImages.fromData(o.data, o.numImages, model.config.imgSize(), model.config.inChans());
        BufferedImage grid = ModelPictures.grid(model, images, options);
        Path file = o.out;
        Pictures.writePng(grid, file);
        out.printf("wrote %s (%dx%d): %s%n", file, grid.getWidth(), grid.getHeight(), images.description());
        return 0;
    }
}
