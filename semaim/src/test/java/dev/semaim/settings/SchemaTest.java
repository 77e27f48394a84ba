package dev.semaim.settings;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTest {
    /** The options of a test command. */
    static final class Options {
        int batchSize;
        double lr;
        double clipGrad;
        String model;
        boolean normPixLoss;
        Device device;
        Path outputDir;
        List<Path> logs;
    }

    static final Schema<Options> SCHEMA = new Schema<>("t", "a test command", Options::new);

    static {
        SCHEMA.add("batch_size", ValueType.integer(1), "64", "images per iteration", o -> o.batchSize, (o, v) -> o.batchSize = v)
                .alias("batch_size_per_gpu");
        SCHEMA.add("lr", ValueType.number(0).metavar("LR"), "1e-3", "absolute learning rate", o -> o.lr, (o, v) -> o.lr = v);
        SCHEMA.add("clip_grad", ValueType.positiveOrNone(), "none", "clip", o -> o.clipGrad, (o, v) -> o.clipGrad = v);
        SCHEMA.add("model", ValueType.oneOf(List.of("aim_tiny", "aim_base")), "aim_base", "model size", o -> o.model, (o, v) -> o.model = v);
        SCHEMA.add("norm_pix_loss", ValueType.toggle(), null, "normalise targets", o -> o.normPixLoss, (o, v) -> o.normPixLoss = v);
        SCHEMA.add("device", ValueType.choice(Device.class), "cpu", "compute backend", o -> o.device, (o, v) -> o.device = v);
        SCHEMA.add("output_dir", ValueType.path(), null, "where", o -> o.outputDir, (o, v) -> o.outputDir = v).unrecorded()
                .required("a folder");
        SCHEMA.add("log", ValueType.repeated(ValueType.path()), null, "a log", o -> o.logs, (o, v) -> o.logs = v).unrecorded();
    }

    private static Options parse(String... args) {
        return SCHEMA.parse(List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void parsesBothFormsDefaultsSwitchesAndRepeats() {
        Options v = parse("--batch_size", "8", "--lr=1e-2", "--norm_pix_loss", "--model", "aim_tiny", "--device", "cuda",
                "--log", "a.txt", "--log=b.txt");
        assertEquals(8, v.batchSize);
        assertEquals(1e-2, v.lr);
        assertTrue(v.normPixLoss);
        assertEquals("aim_tiny", v.model);
        assertEquals(Device.CUDA, v.device);
        assertTrue(Double.isNaN(v.clipGrad));
        assertEquals(List.of(Path.of("a.txt"), Path.of("b.txt")), v.logs);
        Options d = parse();
        assertEquals(64, d.batchSize);
        assertEquals(1e-3, d.lr);
        assertFalse(d.normPixLoss);
        assertNull(d.outputDir);
        assertEquals(List.of(), d.logs);
        assertEquals(3.0, parse("--clip_grad", "3.0").clipGrad);
        assertTrue(Schema.helpRequested(List.of("--batch_size", "x", "--help")));
    }

    @Test
    void anAliasSetsTheSameSetting() {
        assertEquals(16, parse("--batch_size_per_gpu", "16").batchSize);
        assertEquals(16, parse("--batch_size_per_gpu=16").batchSize);
        assertEquals("--batch_size_per_gpu and --batch_size set the same setting", error("--batch_size_per_gpu", "2", "--batch_size", "3"));
        assertEquals("--batch_size must be at least 1, got 0", error("--batch_size_per_gpu", "0"));
        assertTrue(SCHEMA.help().contains("--batch_size, --batch_size_per_gpu N"), SCHEMA.help());
        assertEquals(SCHEMA.setting("batch_size"), SCHEMA.setting("batch_size_per_gpu"));
    }

    @Test
    void errorsAreOneLineNamingTheFlag() {
        assertEquals("unknown flag --batchsize (see semaim t --help)", error("--batchsize", "3"));
        assertEquals("--batch_size: expected an integer, got 'abc'", error("--batch_size", "abc"));
        assertEquals("--batch_size must be at least 1, got 0", error("--batch_size", "0"));
        assertEquals("--lr: expected a number, got 'fast'", error("--lr", "fast"));
        assertEquals("--lr needs a value (LR)", error("--lr"));
        assertEquals("--model: 'vit_h' is not one of aim_tiny | aim_base", error("--model", "vit_h"));
        assertEquals("--device: 'tpu' is not one of cpu | cuda | auto", error("--device", "tpu"));
        assertEquals("--batch_size given twice", error("--batch_size", "2", "--batch_size", "3"));
        assertEquals("--norm_pix_loss is a switch and takes no value (got 'yes')", error("--norm_pix_loss=yes"));
        assertEquals("--clip_grad must be a finite number > 0, or none, got -1.0", error("--clip_grad", "-1"));
        assertEquals("--clip_grad: expected a number or none, got 'NaN'", error("--clip_grad", "NaN"));
        assertTrue(error("stray").startsWith("unexpected argument 'stray'"));
        for (String m : new String[] {error("--lr", "NaN"), error("--lr", "-1")}) {
            assertTrue(m.startsWith("--lr must be a finite number >= 0"), m);
        }
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        String help = SCHEMA.help();
        assertTrue(help.startsWith("usage: semaim t [flags]\na test command\n"), help);
        assertTrue(help.contains("--batch_size, --batch_size_per_gpu N") && help.contains("images per iteration [default: 64]"), help);
        assertTrue(help.contains("where [default: unset]") && help.contains("(aim_tiny | aim_base) [default: aim_base]"), help);
        assertTrue(help.contains("(cpu | cuda | auto) [default: cpu]") && help.contains("normalise targets [default: off]"), help);
        assertTrue(help.contains("a log [repeatable]") && help.contains("--help"), help);
        for (Setting<Options, ?> s : SCHEMA.settings()) {
            assertTrue(help.lines().anyMatch(l -> l.startsWith("  --" + s.name()) && (l.contains("[default: ") || l.endsWith("[repeatable]"))),
                    s.name() + " missing from\n" + help);
        }
    }

    @Test
    void recordedSettingsReadBack() {
        Options o = parse("--batch_size", "8", "--clip_grad", "2", "--device", "auto", "--norm_pix_loss");
        Map<String, Object> m = SCHEMA.record(o);
        assertEquals(List.of("batch_size", "lr", "clip_grad", "model", "norm_pix_loss", "device"), List.copyOf(m.keySet()));
        assertEquals("auto", m.get("device"));
        assertNull(SCHEMA.record(parse()).get("clip_grad"));
        Options back = SCHEMA.read(m, SCHEMA.applyDefaults(new Options()));
        assertEquals(8, back.batchSize);
        assertEquals(2.0, back.clipGrad);
        assertEquals(Device.AUTO, back.device);
        assertTrue(back.normPixLoss);
        Options old = SCHEMA.read(Map.of("batch_size", 4L, "a_key_of_another_version", 1), SCHEMA.applyDefaults(new Options()));
        assertEquals(4, old.batchSize);
        assertEquals("config 'batch_size' is 1.5, not an integer",
                assertThrows(IllegalArgumentException.class, () -> SCHEMA.read(Map.of("batch_size", 1.5), new Options())).getMessage());
        assertEquals("config 'batch_size' is 1.0E10, outside the int range", // was narrowed to 2147483647
                assertThrows(IllegalArgumentException.class, () -> SCHEMA.read(Map.of("batch_size", 1e10), new Options())).getMessage());
        assertEquals("config 'batch_size' is 3000000000, outside the int range",
                assertThrows(IllegalArgumentException.class, () -> SCHEMA.read(Map.of("batch_size", 3_000_000_000L), new Options())).getMessage());
        assertEquals("config 'device' 'tpu' is not one of cpu | cuda | auto",
                assertThrows(IllegalArgumentException.class, () -> SCHEMA.read(Map.of("device", "tpu"), new Options())).getMessage());
    }

    @Test
    void validateChecksOptionsSetInCode() {
        Options o = parse("--output_dir", "out");
        SCHEMA.validate(o);
        o.batchSize = 0;
        assertEquals("--batch_size must be at least 1, got 0", assertThrows(IllegalArgumentException.class, () -> SCHEMA.validate(o)).getMessage());
        o.batchSize = 1;
        o.outputDir = null;
        assertEquals("--output_dir is required: a folder", assertThrows(IllegalArgumentException.class, () -> SCHEMA.validate(o)).getMessage());
    }

    /** A choice with a constant declared before it can run. */
    enum Format implements Choice {
        PLAIN,
        FANCY {
            @Override
            public String unavailable() {
                return "is not supported yet";
            }
        }
    }

    @Test
    void aDeclaredButUnavailableChoiceSaysWhy() {
        assertEquals(Format.PLAIN, Choice.parse(Format.class, "plain"));
        assertEquals("'fancy' is not supported yet", assertThrows(IllegalArgumentException.class, () -> Choice.parse(Format.class, "fancy"))
                .getMessage());
        assertEquals(List.of("plain"), Choice.available(Format.class));
    }

    @Test
    void aChoiceTakesItsOtherSpellings() {
        assertEquals(Precision.OFF, Choice.parse(Precision.class, "fp32"), "the --precision spelling of --amp off");
        assertEquals(Precision.OFF, Choice.parse(Precision.class, "off"));
        assertEquals(List.of("auto", "off", "bf16", "fp16"), Choice.available(Precision.class));
    }

    /** Issue 18: argparse's nargs='+' words, notes of flags that do something else than their name says, unbuilt flags. */
    @Test
    void severalWordsNotesAndFlagsNotBuilt() {
        final class Knn {
            int[] k;
            boolean pin;
        }
        Schema<Knn> s = new Schema<>("k", "", Knn::new);
        s.add("nb_knn", ValueType.positiveIntList(), "10", "k", o -> o.k, (o, v) -> o.k = v).severalWords();
        s.add("pin_mem", ValueType.toggle(), null, "pin", o -> o.pin, (o, v) -> o.pin = v).noteWhenGiven(o -> "has no effect here: no pins");
        s.add("share_weight", ValueType.toggle(), null, "share", o -> false, (o, v) -> { }).notBuilt("it is broken upstream");
        List<String> notes = new java.util.ArrayList<>();
        Knn o = s.parse(List.of("--nb_knn", "5", "20", "30", "--pin_mem"), notes::add);
        assertEquals("[5, 20, 30]", java.util.Arrays.toString(o.k));
        assertEquals(List.of("--pin_mem has no effect here: no pins"), notes);
        assertEquals("[10]", java.util.Arrays.toString(s.parse(List.of(), notes::add).k));
        List<String> flags = new java.util.ArrayList<>();
        assertEquals(List.of("in.pth", "out.pth"), s.splitOperands(List.of("in.pth", "--nb_knn", "1", "2", "--pin_mem", "out.pth"), flags));
        assertEquals(List.of("--nb_knn", "1", "2", "--pin_mem"), flags);
        assertEquals("--share_weight is not built here: it is broken upstream",
                assertThrows(IllegalArgumentException.class, () -> s.parse(List.of("--share_weight"))).getMessage());
        assertTrue(s.help().contains("share (not built here: it is broken upstream) [default: off]"), s.help());
    }

    @Test
    void aBadDefaultOrADuplicateNameFailsAtDeclaration() {
        Schema<Options> s = new Schema<>("t", "", Options::new);
        assertEquals("the default of --batch_size: expected an integer, got 'many'", assertThrows(IllegalArgumentException.class,
                () -> s.add("batch_size", ValueType.integer(1), "many", "", o -> o.batchSize, (o, v) -> o.batchSize = v)).getMessage());
        s.add("lr", ValueType.number(0), "1", "", o -> o.lr, (o, v) -> o.lr = v);
        assertThrows(IllegalArgumentException.class, () -> s.add("clip_grad", ValueType.number(0), "1", "", o -> o.lr, (o, v) -> o.lr = v)
                .alias("lr"));
    }
}
