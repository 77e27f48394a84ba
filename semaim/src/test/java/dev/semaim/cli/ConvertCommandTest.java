package dev.semaim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user of {@code semaim convert} sees: the line that says what was written, and one-line usage errors. */
class ConvertCommandTest {
    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ConvertCommandTest.class.getResource("/dev/semaim/io/" + name).toURI());
    }

    @Test
    void timmExportSaysWhatItWroteAndLeftOut() throws Exception {
        Path out = dir.resolve("vit.pth");
        // operands before, between and after flags
        MainTest.Run r = MainTest.run("convert", "--to", "timm", fixture("aim_tiny_ddp.pth").toString(), "--under", "model", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("wrote " + out + " (torch.save state dict under 'model', timm ViT encoder): 30 tensors; left out 32 query_blocks.*, "
                + "4 prediction_head.*, 1 gaussian_blur.*" + System.lineSeparator(), r.out());
        Path st = dir.resolve("dtypes.safetensors");
        r = MainTest.run("convert", fixture("dtypes.pth").toString(), st.toString());
        assertEquals("wrote " + st + " (safetensors): 7 tensors" + System.lineSeparator(), r.out());
    }

    @Test
    void usageMistakesAreOneLine() throws Exception {
        String in = fixture("dtypes.pth").toString();
        Path st = dir.resolve("o.safetensors");
        MainTest.Run r = MainTest.run("convert", in, st.toString(), "--under", "model");
        assertEquals(2, r.status());
        assertEquals("semaim convert: --under applies to a .pth output only (" + st + " is safetensors)" + System.lineSeparator(), r.err());
        r = MainTest.run("convert", in, st.toString(), "--to", "keras");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("semaim convert: ") && r.err().contains("'keras' is not one of timm | timm_avg"), r.err());
        r = MainTest.run("convert", in, dir.resolve("o.onnx").toString());
        assertEquals("semaim convert: cannot tell the format of o.onnx: name it .safetensors or .pth/.pt/.bin" + System.lineSeparator(), r.err());
        r = MainTest.run("convert", in);
        assertEquals("semaim convert: expected <in> <out>, got 1 file argument(s) (see semaim convert --help)" + System.lineSeparator(), r.err());
        assertFalse(Files.exists(st));
    }

    @Test
    void legacyFileGetsTheResaveCommand() throws Exception {
        MainTest.Run r = MainTest.run("convert", fixture("legacy.pth").toString(), dir.resolve("o.safetensors").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("legacy (pre-1.6) torch.save format is not supported; re-save it in the zip format with PyTorch"
                + " >= 1.6: python3 -c \"import torch; torch.save(torch.load(") && r.err().lines().count() == 1, r.err());
    }

    @Test
    void helpListsTheFlags() {
        MainTest.Run r = MainTest.run("convert", "--help");
        assertEquals(0, r.status());
        for (String flag : new String[] {"--under", "--weights_only", "--to"}) assertTrue(r.out().contains("  " + flag), r.out());
    }

    /** The model flags of the tiny official-style checkpoint aim_tiny_ddp.pth (scripts/torch/interop.py). */
    static final String[] TINY_FLAGS = {"--model", "aim_tiny", "--input_size", "16", "--patch_size", "4", "--in_chans", "3",
            "--embed_dim", "16", "--depth", "2", "--num_heads", "2", "--query_depth", "2"};

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * An official checkpoint without 'config': visualize reads it as the model flags describe; convert attaches the
     * config (module. stripped, optimizer left out), after which audit needs no flags; --config_from copies a config.
     */
    @Test
    void modelFlagsStandInForMissingConfigAndConvertAttachesIt() throws Exception {
        String ddp = fixture("aim_tiny_ddp.pth").toString();
        Path png = dir.resolve("v.png");
        MainTest.Run r = MainTest.run(concat(new String[] {"visualize", "--checkpoint", ddp, "--num_images", "1", "--out", png.toString()}, TINY_FLAGS));
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.size(png) > 0);
        Path withConfig = dir.resolve("with-config.safetensors");
        r = MainTest.run(concat(new String[] {"convert", ddp, withConfig.toString(), "--config_from_flags"}, TINY_FLAGS));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("wrote " + withConfig + " (safetensors): 67 tensors; config {\"img_size\": 16, \"patch_size\": 4, "), r.out());
        r = MainTest.run("audit", "--checkpoint", withConfig.toString(), "--out", dir.resolve("a.safetensors").toString());
        assertEquals(0, r.status(), r.err());
        Path copied = dir.resolve("copied.safetensors");
        r = MainTest.run("convert", ddp, copied.toString(), "--config_from", withConfig.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(dev.semaim.nn.io.Safetensors.readMetadata(withConfig), dev.semaim.nn.io.Safetensors.readMetadata(copied));
    }

    @Test
    void aConfigThatDoesNotFitWritesNothing() throws Exception {
        Path out = dir.resolve("bad.safetensors");
        MainTest.Run r = MainTest.run("convert", fixture("aim_tiny_ddp.pth").toString(), out.toString(), "--config_from_flags",
                "--model", "aim_tiny", "--input_size", "16", "--patch_size", "4");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("semaim convert: error: " + fixture("aim_tiny_ddp.pth") + " does not fit the attached config, nothing written: ")
                && r.err().lines().count() == 1, r.err());
        assertFalse(Files.exists(out));
        String[] oneQueryBlock = TINY_FLAGS.clone();
        oneQueryBlock[oneQueryBlock.length - 1] = "1";
        r = MainTest.run(concat(new String[] {"visualize", "--checkpoint", fixture("aim_tiny_ddp.pth").toString(), "--out",
                dir.resolve("v.png").toString()}, oneQueryBlock));
        assertEquals(2, r.status()); // a --checkpoint that does not fit, as for files with 'config'
        assertTrue(r.err().contains(": the weights do not fit the model the flags describe (--model aim_tiny --input_size 16 --patch_size 4 "
                + "--in_chans 3 --embed_dim 16 --depth 2 --num_heads 2 --query_depth 1; it has no 'config' metadata): "), r.err());
        r = MainTest.run("convert", fixture("aim_tiny_ddp.pth").toString(), dir.resolve("t.safetensors").toString(), "--to", "timm",
                "--config_from_flags");
        assertEquals(2, r.status());
        assertEquals("semaim convert: --to timm writes the encoder alone; a 'config' describes the whole AimViT" + System.lineSeparator(), r.err());
    }

    /** Model flags that describe no model are a usage error naming the flag, for convert, visualize and audit alike. */
    @Test
    void modelFlagsThatDescribeNoModelNameTheFlag() throws Exception {
        String[] badBlur = concat(TINY_FLAGS, "--gaussian_kernel_size", "4");
        String pth = fixture("aim_tiny_ddp.pth").toString();
        for (String[] command : new String[][] {
                {"convert", pth, dir.resolve("c.safetensors").toString(), "--config_from_flags"},
                {"visualize", "--checkpoint", pth, "--out", dir.resolve("v.png").toString()},
                {"audit", "--checkpoint", pth, "--out", dir.resolve("a.safetensors").toString()}}) {
            MainTest.Run r = MainTest.run(concat(command, badBlur));
            assertEquals(2, r.status(), command[0] + ": " + r.err());
            assertTrue(r.err().contains("--gaussian_kernel_size 4 must be 0 (off) or odd") && r.err().lines().count() == 1, r.err());
        }
        assertFalse(Files.exists(dir.resolve("c.safetensors")));
    }

    /** A convert that fails its config check never touches an existing output (it used to replace it, then delete it). */
    @Test
    void aConfigThatDoesNotFitLeavesAnExistingOutputAsItWas() throws Exception {
        Path good = dir.resolve("good.safetensors");
        MainTest.Run r = MainTest.run(concat(new String[] {"convert", fixture("aim_tiny_ddp.pth").toString(), good.toString(),
                "--config_from_flags"}, TINY_FLAGS));
        assertEquals(0, r.status(), r.err());
        byte[] before = Files.readAllBytes(good);
        r = MainTest.run("convert", fixture("aim_tiny_ddp.pth").toString(), good.toString(), "--config_from_flags",
                "--model", "aim_tiny", "--input_size", "16", "--patch_size", "4");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("semaim convert: error: " + fixture("aim_tiny_ddp.pth") + " does not fit the attached config, "
                + "nothing written: converted " + fixture("aim_tiny_ddp.pth") + ": the weights do not fit the model of its config: "), r.err());
        assertArrayEquals(before, Files.readAllBytes(good));
    }
}
