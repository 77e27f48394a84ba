package dev.semaim.viz;

import dev.semaim.cli.Main;
import dev.semaim.data.SampleImages;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.OrderType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The visualize grid of a small random Fashion-MNIST-sized model: size, content, and the prediction's denormalisation. */
class ModelPicturesTest {
    /** 28×28×1, patch 4 (7×7 grid), width 32, depth 2, 2 heads; blur 3, norm-pix. */
    static AimConfig tiny() {
        return AimConfig.builder().imgSize(28).patchSize(4).inChans(1).embedDim(32).depth(2).numHeads(2).queryDepth(2).mlpRatio(2.0)
                .gaussianKernelSize(3).build();
    }

    @Test
    void gridHasARowPerImageAndAColumnPerPicture() throws Exception {
        AimViT model = new AimViT(tiny(), new Rng(1));
        SampleImages s = SampleImages.fromData("embedded", 2, 28, 1);
        BufferedImage img = ModelPictures.grid(model, s, new ModelPictures.Options(List.of(OrderType.values()), true, 56, 0));
        // input, mean attention, 2 heads, cosine, 8 orders, loss, prediction, target = 15 columns; 2 rows
        FigureGrid layout = new FigureGrid(List.of(), List.of("image 0", "image 1"), 56);
        assertEquals(layout.panelY(2) + 8, img.getHeight());
        assertTrue(img.getWidth() > 15 * 56, "width " + img.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3)
            for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 200, colours.size() + " colours");
    }

    @Test
    void aPerfectPredictionDenormalisesToTheBlurredImage() throws Exception {
        AimViT model = new AimViT(tiny(), new Rng(2));
        Tensor x = SampleImages.fromData("embedded", 2, 28, 1).images();     // (2, 1, 28, 28)
        Tensor target = model.target(x);                                      // (2, 49, 16) norm-pix
        Tensor pred = Tensor.cat(1, Tensor.zeros(2, 1, 16), target);          // cls slot + perfect patches
        Tensor back = ModelPictures.predictedImages(model, x, pred);
        float[] expected = model.gaussianBlur.forward(x).contiguous().toFloatArray(), got = back.contiguous().toFloatArray();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-4, "pixel " + i);
        assertArrayEquals(x.shape(), back.shape());
    }

    @Test
    void unknownOrderIsNamed() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"visualize", "--orders", "raster,spiral", "--checkpoint", "c.safetensors", "--out", "x.png"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("semaim visualize: --orders: 'spiral' is not one of zigzag | raster"), err.toString());
    }
}
