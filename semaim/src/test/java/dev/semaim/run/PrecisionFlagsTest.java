package dev.semaim.run;

import dev.semaim.settings.Precision;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.train.PretrainOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --amp} (alias {@code --precision}), the official {@code --not_use_fp16}, and {@code --tf32}, as RunOptions declares them. */
class PrecisionFlagsTest {
    private static PretrainOptions parse(String... args) {
        return PretrainOptions.SCHEMA.parse(List.of(args));
    }

    @Test
    void ampSpellingsAliasAndTheOfficialSwitch() {
        assertEquals(Precision.AUTO, parse().amp, "default");
        assertEquals(Precision.BF16, parse("--amp", "bf16").amp);
        assertEquals(Precision.FP16, parse("--amp=fp16").amp);
        assertEquals(Precision.OFF, parse("--amp", "off").amp);
        assertEquals(Precision.OFF, parse("--precision", "fp32").amp, "--precision and fp32 are the older spellings");
        assertEquals(Precision.BF16, parse("--precision", "bf16").amp);
        assertEquals(Precision.OFF, parse("--not_use_fp16").amp);
        assertEquals("--not_use_fp16 and --amp exclude each other",
                assertThrows(IllegalArgumentException.class, () -> parse("--amp", "fp16", "--not_use_fp16")).getMessage());
        assertEquals("--amp and --precision set the same setting",
                assertThrows(IllegalArgumentException.class, () -> parse("--amp", "bf16", "--precision", "fp16")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--amp", "fp8")).getMessage()
                .contains("'fp8' is not one of auto | off | bf16 | fp16"));
        assertEquals("bf16", PretrainOptions.SCHEMA.record(parse("--amp", "bf16")).get("amp"), "recorded in the config under amp");
        assertFalse(PretrainOptions.SCHEMA.record(parse()).containsKey("not_use_fp16"));
        String help = PretrainOptions.SCHEMA.help();
        assertTrue(help.contains("--amp, --precision") && help.contains("--not_use_fp16") && help.contains("--tf32"), help);
    }

    @Test
    void autoIsOffOnTheCpuAndTf32IsANoteThere() {
        List<String> notes = new ArrayList<>();
        PretrainOptions o = parse("--tf32");
        assertTrue(o.tf32);
        assertNull(o.precisionOn(Backends.cpu(), notes::add), "auto is float32 on the CPU");
        assertEquals(List.of("--tf32 has no effect on cpu (no TF32 tensor cores): products stay float32"), notes);
        assertEquals(DType.BF16, parse("--amp", "bf16").precisionOn(Backends.cpu(), notes::add));
        assertEquals(DType.F16, parse("--amp", "fp16").precisionOn(Backends.cpu(), notes::add));
        assertTrue(Precision.FP16.scalesLoss(Backends.cpu()) && !Precision.BF16.scalesLoss(Backends.cpu()));
        assertEquals(1, notes.size(), "no note without --tf32");
    }
}
