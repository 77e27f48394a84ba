package dev.semaim.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlagsTest {
    private static final Flags FLAGS = new Flags("t", "a test command")
            .value("batch_size", "N", "64", "images per iteration")
            .value("lr", "LR", null, "absolute learning rate")
            .value("clip_grad", "NORM", "none", "clip")
            .choice("model", "aim_base", "model size", "aim_tiny", "aim_base")
            .toggle("norm_pix_loss", "normalise targets");

    private static String error(String... args) {
        return assertThrows(UsageException.class, () -> {
            FlagValues v = FLAGS.parse(List.of(args));
            v.integer("batch_size", 1);
            v.optionalNumber("lr", 0);
        }).getMessage();
    }

    @Test
    void parsesBothFormsDefaultsAndSwitches() {
        FlagValues v = FLAGS.parse(List.of("--batch_size", "8", "--lr=1e-3", "--norm_pix_loss", "--model", "aim_tiny"));
        assertEquals(8, v.integer("batch_size", 1));
        assertEquals(1e-3, v.optionalNumber("lr", 0).getAsDouble());
        assertTrue(v.toggle("norm_pix_loss"));
        assertEquals("aim_tiny", v.string("model"));
        assertTrue(v.optionalNumber("clip_grad", 0).isEmpty());
        FlagValues d = FLAGS.parse(List.of());
        assertEquals(64, d.integer("batch_size", 1));
        assertNull(d.string("lr"));
        assertFalse(d.toggle("norm_pix_loss"));
        assertEquals(3.0, FLAGS.parse(List.of("--clip_grad", "3.0")).optionalNumber("clip_grad", 0).getAsDouble());
        assertTrue(FLAGS.parse(List.of("--batch_size", "x", "--help")).helpRequested());
    }

    @Test
    void errorsAreOneLineNamingTheFlag() {
        assertEquals("unknown flag --batchsize (see semaim t --help)", error("--batchsize", "3"));
        assertEquals("--batch_size: expected an integer, got 'abc'", error("--batch_size", "abc"));
        assertEquals("--batch_size must be at least 1, got 0", error("--batch_size", "0"));
        assertEquals("--lr: expected a number, got 'fast'", error("--lr", "fast"));
        assertEquals("--lr needs a value (LR)", error("--lr"));
        assertEquals("--model: 'vit_h' is not one of aim_tiny | aim_base", error("--model", "vit_h"));
        assertEquals("--batch_size given twice", error("--batch_size", "2", "--batch_size", "3"));
        assertEquals("--norm_pix_loss is a switch and takes no value (got 'yes')", error("--norm_pix_loss=yes"));
        assertTrue(error("stray").startsWith("unexpected argument 'stray'"));
        for (String m : new String[] {error("--lr", "NaN"), error("--lr", "-1")}) {
            assertTrue(m.startsWith("--lr must be a finite number >= 0"), m);
        }
    }

    @Test
    void helpListsEveryFlagWithItsDefault() {
        String help = FLAGS.help();
        assertTrue(help.startsWith("usage: semaim t [flags]\na test command\n"), help);
        assertTrue(help.contains("--batch_size N") && help.contains("images per iteration [default: 64]"), help);
        assertTrue(help.contains("[default: unset]") && help.contains("(aim_tiny | aim_base) [default: aim_base]"), help);
        assertTrue(help.contains("--norm_pix_loss ") && help.contains("--help"), help);
    }
}
