package dev.semaim.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 18 item 4: the query depth that does not trip a first try. */
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
}
