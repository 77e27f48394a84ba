package dev.semaim.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 18 item 4: the query depth that does not trip a first try; the model flags checked as flags. */
class PretrainOptionsTest {
    private static PretrainOptions parse(String... args) {
        return PretrainOptions.SCHEMA.parse(List.of(args));
    }

    @Test
    void queryDepthFollowsADepthOverrideAndOtherwiseThePreset() {
        // --depth 4 with the official default query depth 12 was "depth 4 must be divisible by query_depth 12"
        assertEquals(4, parse("--model", "aim_tiny", "--depth", "4").modelConfig().queryDepth());
        assertEquals(12, parse("--model", "aim_base").modelConfig().queryDepth(), "the official default, aim_base's depth");
        assertEquals(12, parse("--model", "aim_large").modelConfig().queryDepth(), "aim_large keeps the official 12 (step 2)");
        assertEquals(2, parse("--model", "aim_tiny", "--depth", "4", "--query_depth", "2").modelConfig().queryDepth());
        PretrainOptions o = parse("--model", "aim_tiny", "--depth", "6", "--data_path", "embedded");
        assertEquals(6, o.asMap().get("query_depth"), "the checkpoint's config records the resolved query depth");
        assertEquals(6, PretrainOptions.fromMap(o.asMap()).modelConfig().queryDepth());
    }

    private static String invalid(String... args) {
        List<String> line = new ArrayList<>(List.of("--data_path", "embedded", "--model", "aim_tiny", "--input_size", "28", "--patch_size", "4",
                "--in_chans", "1", "--embed_dim", "32", "--depth", "2", "--num_heads", "2"));
        for (int i = 0; i < args.length; i += 2) { // replaces a flag of the tiny model, or adds one
            int at = line.indexOf(args[i]);
            if (at >= 0) {
                line.set(at + 1, args[i + 1]);
            } else {
                line.addAll(List.of(args[i], args[i + 1]));
            }
        }
        return assertThrows(IllegalArgumentException.class, () -> PretrainOptions.SCHEMA.parse(line).validate()).getMessage();
    }

    /** What the model refuses is a bad flag value (exit 2) whose message names the flags, as validate() reports it. */
    @Test
    void modelSettingsTheModelRefusesAreNamedByTheirFlags() {
        assertEquals("--gaussian_kernel_size 4 must be 0 (off) or odd", invalid("--gaussian_kernel_size", "4"));
        assertEquals("--gaussian_sigma 0.0 must be positive while --gaussian_kernel_size 9 blurs the target", invalid("--gaussian_sigma", "0"));
        assertEquals("--embed_dim 30 must be divisible by 4 (2-D sin-cos position table)", invalid("--embed_dim", "30"));
        assertEquals("--embed_dim 32 must be divisible by --num_heads 3", invalid("--num_heads", "3"));
        assertEquals("--embed_dim 192 must be divisible by --num_heads 5", invalid("--embed_dim", "0", "--num_heads", "5"), "the preset's width");
        assertTrue(invalid("--depth", "3", "--query_depth", "2").startsWith("--depth 3 must be divisible by --query_depth 2 "));
        assertEquals("--out_dim 512 is for --predict_feature 'clip'; 'dino' predicts the width 32",
                invalid("--predict_feature", "dino", "--out_dim", "512"));
        PretrainOptions ok = parse("--data_path", "embedded", "--gaussian_kernel_size", "0", "--gaussian_sigma", "0");
        ok.validate(); // no blur: the sigma is not used
    }

    /** batch x accum_iter past 2^31 wrapped to a negative int: "--min_lr 0.0 is larger than the peak lr -230.44". */
    @Test
    void theEffectiveBatchDoesNotOverflow() {
        PretrainOptions o = parse("--data_path", "embedded", "--batch_size", "1000000000", "--accum_iter", "4");
        o.validate();
        assertEquals(4_000_000_000L, o.effectiveBatch());
        assertEquals(2e-4 * 4e9 / 256, o.absoluteLr(), 1e-9);
        o.batchSize = Integer.MAX_VALUE;
        o.accumIter = Integer.MAX_VALUE;
        o.worldSize = 4; // as a launcher sets it; past 2^63 even as a long
        assertEquals("--batch_size 2147483647 x --accum_iter 2147483647 x 4 processes (--world_size) is too large an effective batch "
                + "(over 2^63 images)", assertThrows(IllegalArgumentException.class, o::effectiveBatch).getMessage());
    }
}
