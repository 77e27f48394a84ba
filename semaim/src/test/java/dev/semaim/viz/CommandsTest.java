package dev.semaim.viz;

import dev.semaim.cli.Main;
import dev.semaim.model.AimViT;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** semaim visualize / plot end to end: PNGs of the expected size, headless, also in a fresh JVM with the bitmap font. */
class CommandsTest {
    static final String TINY_KWARGS = "{\"img_size\": 28, \"patch_size\": 4, \"in_chans\": 1, \"embed_dim\": 32, \"depth\": 2, "
            + "\"num_heads\": 2, \"query_depth\": 2, \"mlp_ratio\": 2.0, \"gaussian_kernel_size\": 3, \"norm_pix_loss\": true}";

    /** A weights file of {@link ModelPicturesTest#tiny()} with its arguments in the metadata. */
    static Path weights(Path dir) {
        Path f = dir.resolve("tiny.safetensors");
        Safetensors.write(f, StateDict.of(new AimViT(ModelPicturesTest.tiny(), new Rng(3))), Map.of("config", TINY_KWARGS));
        return f;
    }

    record Run(int rc, String out, String err) {}

    static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Main.run(args, new PrintStream(out), new PrintStream(err));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void visualizeWritesAGrid(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("sub/grid.png");
        Run r = main("visualize", "--checkpoint", weights(dir).toString(), "--num_images", "3", "--orders", "raster,attention_center",
                "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(new FigureGrid(List.of(), List.of("image 0", "image 1", "image 2"), 112).panelY(3) + 8, img.getHeight());
        assertTrue(r.out().contains("wrote"), r.out());
    }

    /**
     * Images of NaN (a diverged input pipeline) are drawn, their colour bars without ticks (a NaN range crashed the tick
     * format); an --images file of no images is refused, as --num_images 0 is (it wrote an empty grid, exit 0).
     */
    @Test
    void visualizeDrawsNonFiniteImagesAndRefusesAnEmptyBatch(@TempDir Path dir) throws Exception {
        float[] nan = new float[28 * 28];
        java.util.Arrays.fill(nan, Float.NaN);
        Path nanImages = dir.resolve("nan.safetensors"), none = dir.resolve("none.safetensors"), png = dir.resolve("v.png");
        Safetensors.write(nanImages, Map.of("input", dev.semaim.tensor.Tensor.of(nan, 1, 1, 28, 28)), Map.of());
        Run r = main("visualize", "--checkpoint", weights(dir).toString(), "--images", nanImages.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        Safetensors.write(none, Map.of("input", dev.semaim.tensor.Tensor.zeros(0, 1, 28, 28)), Map.of());
        for (String command : new String[] {"visualize", "audit"}) {
            r = main(command, "--checkpoint", weights(dir).toString(), "--images", none.toString(), "--out",
                    dir.resolve(command.equals("audit") ? "a.safetensors" : "e.png").toString());
            assertEquals(2, r.rc(), command + ": " + r.err());
            assertTrue(r.err().contains("--images " + none + " holds no images (its 'input' is (0, 1, 28, 28))"), r.err());
        }
    }

    /**
     * plot: a diverged run (losses written as null) is still a training log, its lr drawn; two logs in one folder get
     * legends that tell them apart (both were named after the folder).
     */
    @Test
    void plotDrawsADivergedRunAndTellsLogsOfOneFolderApart(@TempDir Path dir) throws Exception {
        Path diverged = dir.resolve("logs/one.txt"), other = dir.resolve("logs/other.txt"), png = dir.resolve("p.png");
        Files.createDirectories(diverged.getParent());
        Files.writeString(diverged, "{\"train_loss\": null, \"train_lr\": 1e-4, \"epoch\": 0}\n{\"train_loss\": null, \"train_lr\": 2e-4, \"epoch\": 1}\n");
        Run r = main("plot", "--log", diverged.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        Files.writeString(other, "{\"train_loss\": 0.9, \"train_lr\": 1e-4, \"epoch\": 0}\n");
        r = main("plot", "--log", diverged.toString(), "--log", other.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("logs/one.txt", "logs/other.txt"), Curves.distinctNames(List.of(TrainingLog.read(diverged), TrainingLog.read(other))));
    }

    @Test
    void visualizeErrorsNameTheFlag(@TempDir Path dir) {
        Run missing = main("visualize", "--checkpoint", dir.resolve("nope.safetensors").toString(), "--out", "x.png");
        assertEquals(2, missing.rc());
        assertTrue(missing.err().contains("--checkpoint") && missing.err().contains("does not exist"), missing.err());
        Run order = main("visualize", "--checkpoint", weights(dir).toString(), "--orders", "spiral", "--out", "x.png");
        assertEquals(2, order.rc());
        assertTrue(order.err().contains("--orders"), order.err());
    }

    /**
     * An output named for another format (audit --out x.pth wrote safetensors bytes, visualize --out x.jpg a PNG) and a
     * panel too large to draw (--panel 100000 failed with Java's "Dimensions ... are too large") are one-line usage
     * errors naming the flag, before any work; nothing is written.
     */
    @Test
    void outputsNamedForAnotherFormatAndOversizedPanelsAreUsageErrors(@TempDir Path dir) {
        String w = weights(dir).toString();
        String n = System.lineSeparator();
        Path jpg = dir.resolve("grid.jpg"), pth = dir.resolve("audit.pth"), svg = dir.resolve("curves.svg");
        Run r = main("visualize", "--checkpoint", w, "--out", jpg.toString());
        assertEquals(2, r.rc());
        assertEquals("semaim visualize: --out must be a file name ending in .png, got " + jpg + n, r.err());
        r = main("audit", "--checkpoint", w, "--out", pth.toString());
        assertEquals(2, r.rc());
        assertEquals("semaim audit: --out must be a file name ending in .safetensors, got " + pth + n, r.err());
        r = main("plot", "--log", dir.resolve("log.txt").toString(), "--out", svg.toString());
        assertEquals(2, r.rc());
        assertEquals("semaim plot: --out must be a file name ending in .png, got " + svg + n, r.err());
        r = main("visualize", "--checkpoint", w, "--panel", "100000", "--out", dir.resolve("big.png").toString());
        assertEquals(2, r.rc());
        assertEquals("semaim visualize: --panel must be at least 16 and at most " + ModelPictures.MAX_PANEL + ", got 100000" + n, r.err());
        for (Path p : List.of(jpg, pth, svg, dir.resolve("big.png"))) assertTrue(!Files.exists(p), p + " written");
    }

    @Test
    void visualizeInAFreshHeadlessJvmWithTheBitmapFont(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("grid.png");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-Dsemaim.viz.bitmapFont=true",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "visualize", "--checkpoint", weights(dir).toString(), "--num_images", "1", "--orders", "attention_center",
                "--out", png.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "fresh JVM timed out");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("log")));
        assertTrue(ImageIO.read(new File(png.toString())).getWidth() > 6 * 112);
    }

    @Test
    void plotDrawsSeveralRunsAndResultBars(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("runA/log.txt"), b = dir.resolve("runB/log.txt"), res = dir.resolve("runB/knn/results.json");
        Files.createDirectories(res.getParent());
        Files.createDirectories(a.getParent());
        StringBuilder la = new StringBuilder(), lb = new StringBuilder();
        for (int e = 0; e < 6; e++) {
            la.append("{\"train_loss\": ").append(1.0 / (e + 1)).append(", \"train_lr\": ").append(1e-3 * e).append(", \"epoch\": ").append(e).append("}\n");
            if (e < 4) lb.append("{\"train_loss\": ").append(0.8 / (e + 1)).append(", \"train_lr\": 5.0E-4, \"epoch\": ").append(e).append("}\n\n");
        }
        Files.writeString(a, la);
        Files.writeString(b, lb);
        Files.writeString(res, "{\"top1\": 71.5, \"run\": \"x\"}\n");
        Path png = dir.resolve("curves.png");
        Run r = main("plot", "--log", a.toString(), "--log", b.toString(), "--results", res.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3 * Curves.CHART_W, img.getWidth());
        assertEquals(Curves.CHART_H, img.getHeight());

        Run metric = main("plot", "--results", res.toString(), "--metric", "knn20_top1", "--out", png.toString());
        assertTrue(metric.rc() != 0, metric.err());
        assertTrue(metric.err().contains("knn20_top1"), metric.err());

        Files.writeString(b, "{\"train_loss\": 1}\nnot json\n");
        Run bad = main("plot", "--log", b.toString(), "--out", png.toString());
        assertTrue(bad.rc() != 0 && bad.err().contains("line 2"), bad.err());
    }

    /**
     * Issue 19 item 5: a log with --log_every_steps lines and held-out accuracy gets a per-iteration loss chart and a
     * top-1 chart; a knn log.txt (no train_loss) is one clear error instead of empty charts.
     */
    @Test
    void plotAddsPerIterationLossAndHeldOutAccuracyAndRefusesAKnnLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("probe/log.txt"), knn = dir.resolve("knn/log.txt"), png = dir.resolve("curves.png");
        Files.createDirectories(log.getParent());
        Files.createDirectories(knn.getParent());
        StringBuilder l = new StringBuilder();
        for (int e = 0; e < 3; e++) {
            for (int it = 0; it < 4; it += 2) {
                l.append("{\"epoch\": ").append(e).append(", \"iter\": ").append(it).append(", \"step\": ").append(4 * e + it)
                        .append(", \"train_loss\": ").append(3.0 / (4 * e + it + 1)).append(", \"train_lr\": 1e-3}\n");
            }
            l.append("{\"train_loss\": ").append(1.0 / (e + 1)).append(", \"train_lr\": 1e-3, \"test_acc1\": ").append(40 + 10 * e)
                    .append(", \"epoch\": ").append(e).append("}\n");
        }
        Files.writeString(log, l);
        Run r = main("plot", "--log", log.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(4 * Curves.CHART_W, ImageIO.read(png.toFile()).getWidth(), "loss, lr, loss per iteration, top-1");

        Files.writeString(knn, "{\"protocol\": \"knn\", \"knn20_top1\": 61.5, \"k\": 20, \"top1\": 61.5}\n");
        Run refused = main("plot", "--log", knn.toString(), "--out", png.toString());
        assertEquals(1, refused.rc(), refused.err());
        assertEquals("semaim plot: error: " + knn + " has no train_loss: it is not the log of a training run (a knn run's accuracy is in "
                + "its results.json: plot it with --results FILE --metric knn20_top1)" + System.lineSeparator(), refused.err());
    }

    /**
     * The log of a first epoch stopped before its end (SIGTERM, --log_every_steps 5) holds per-iteration lines only: it was
     * refused as "no train_loss"; now it is the per-iteration loss chart alone (epoch charts would be empty frames).
     */
    @Test
    void plotDrawsALogOfIterationLinesOnly(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("sig1/log.txt"), png = dir.resolve("curves.png");
        Files.createDirectories(log.getParent());
        StringBuilder l = new StringBuilder();
        for (int it = 0; it < 75; it += 5) {
            l.append("{\"epoch\": 0, \"iter\": ").append(it).append(", \"step\": ").append(it).append(", \"train_loss\": ")
                    .append(1.2 - it / 100.0).append(", \"train_lr\": ").append(1e-6 * it).append(", \"train_total_norm\": 3.2, "
                            + "\"images_per_s\": 20.5}\n");
        }
        Files.writeString(log, l);
        Run r = main("plot", "--log", log.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(Curves.CHART_W, ImageIO.read(png.toFile()).getWidth(), "the loss per iteration alone");
        Path epochs = dir.resolve("run/log.txt");
        Files.createDirectories(epochs.getParent());
        Files.writeString(epochs, "{\"train_loss\": 0.9, \"train_lr\": 1e-4, \"epoch\": 0}\n");
        r = main("plot", "--log", log.toString(), "--log", epochs.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(3 * Curves.CHART_W, ImageIO.read(png.toFile()).getWidth(), "with a log of epochs: loss, lr, loss per iteration");
    }

    /** Issue 19 item 5: --log_lr draws the lr on a log axis; an lr of 0 (the first warm-up step) is left out, not an error. */
    @Test
    void plotDrawsTheLearningRateOnALogAxis(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("run/log.txt"), linear = dir.resolve("linear.png"), logPng = dir.resolve("log.png");
        Files.createDirectories(log.getParent());
        StringBuilder l = new StringBuilder();
        double[] lr = {0, 1e-5, 1e-4, 1e-3, 5e-4, 1e-4};
        for (int e = 0; e < lr.length; e++)
            l.append("{\"train_loss\": ").append(1.0 / (e + 1)).append(", \"train_lr\": ").append(lr[e]).append(", \"epoch\": ").append(e).append("}\n");
        Files.writeString(log, l);
        assertEquals(0, main("plot", "--log", log.toString(), "--out", linear.toString()).rc());
        Run r = main("plot", "--log", log.toString(), "--log_lr", "--out", logPng.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage a = ImageIO.read(linear.toFile()), b = ImageIO.read(logPng.toFile());
        assertEquals(a.getWidth(), b.getWidth());
        int differ = 0;
        for (int y = 0; y < a.getHeight(); y++)
            for (int x = 0; x < a.getWidth(); x++) if (a.getRGB(x, y) != b.getRGB(x, y)) differ += x < Curves.CHART_W ? 1000000 : 1;
        assertTrue(differ > 0 && differ < 1000000, "only the lr chart changes: " + differ);
        assertTrue(main("plot", "--help").out().contains("--log_lr"));
    }

    @Test
    void endOfRunHookWritesCurvesBesideTheLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log.txt");
        Files.writeString(log, "{\"train_loss\": 0.9, \"train_lr\": 1e-4, \"epoch\": 0}\n");
        Path png = Curves.writeForRun(log);
        assertEquals(dir.resolve("curves.png").toAbsolutePath(), png);
        assertEquals(2 * Curves.CHART_W, ImageIO.read(png.toFile()).getWidth());
    }
}
