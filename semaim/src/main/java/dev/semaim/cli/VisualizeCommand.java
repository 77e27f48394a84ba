package dev.semaim.cli;

import dev.semaim.audit.SavedModel;
import dev.semaim.data.SampleImages;
import dev.semaim.model.AimViT;
import dev.semaim.viz.ModelPictures;
import dev.semaim.viz.Pictures;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code semaim visualize}: a PNG grid of what a (pre-trained) model sees: attention, similarity, orders, loss, prediction. */
public final class VisualizeCommand extends FlagCommand {
    static final Flags FLAGS = new Flags("visualize",
            "Draws a PNG grid, a row per image: input, last-block cls attention, cls-patch similarity (spec 4.2), each\n"
                    + "order as a heat map (warm = predicted first), the per-patch loss map, prediction and target.")
            .value("checkpoint", "FILE", null, "a semaim pretrain checkpoint, or safetensors weights whose metadata 'config' holds the AimViT arguments")
            .value("data", "PATH", "embedded", "images: 'embedded', an IDX folder or an image folder (the first --num_images)")
            .value("images", "FILE", null, "instead of --data: a safetensors file whose tensor 'input' (B, C, H, W) holds normalised images")
            .value("num_images", "N", "4", "rows of the grid")
            .value("orders", "LIST", "raster,stochastic,attention,attention_center", "comma-separated permutation types to draw")
            .toggle("per_head", "also draw each head's cls attention")
            .value("panel", "PX", "112", "side of each panel in pixels (28x28 images are upscaled to it)")
            .value("seed", "N", "0", "seed of the order noise")
            .value("out", "FILE", null, "the PNG to write");

    public VisualizeCommand() {
        super(FLAGS, "draw attention maps, similarity maps, orders, loss maps and predictions of a checkpoint as a PNG grid");
    }

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        f.require("checkpoint");
        f.require("out");
        List<String> orders = Arrays.stream(f.string("orders").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        ModelPictures.Options options = new ModelPictures.Options(orders, f.toggle("per_head"), f.integer("panel", 16), f.integer("seed", 0));
        AimViT model = SavedModel.load(f.path("checkpoint"), "--checkpoint").model();
        SampleImages images = f.isSet("images") ? SampleImages.fromFile(f.path("images"), "--images")
                : SampleImages.fromData(f.string("data"), f.integer("num_images", 1), model.config.imgSize(), model.config.inChans());
        BufferedImage grid = ModelPictures.grid(model, images, options);
        Path file = f.path("out");
        Pictures.writePng(grid, file);
        out.printf("wrote %s (%dx%d): %s%n", file, grid.getWidth(), grid.getHeight(), images.description());
        return 0;
    }
}
