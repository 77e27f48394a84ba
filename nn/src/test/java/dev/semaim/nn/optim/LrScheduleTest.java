package dev.semaim.nn.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    /** Spec §6 check values: lr 1.6e-3, warmup 30, 800 epochs, min 0. */
    @Test
    void pretrainScheduleCheckValues() {
        LrSchedule s = LrSchedule.warmupCosine(1.6e-3, 0, 30, 800);
        assertEquals(0, s.at(0), 0);
        assertEquals(8.0e-4, s.at(15), 1e-15);
        assertEquals(1.6e-3, s.at(30), 1e-15);
        assertEquals(1.567594e-3, s.at(100), 1e-9);
        assertEquals(8.0e-4, s.at(415), 1e-15);
        assertEquals(0, s.at(800), 1e-15);
        // per iteration: epoch 15 + 312/625 (ImageNet's 625 iterations per epoch)
        assertEquals(1.6e-3 * (15 + 312.0 / 625) / 30, s.at(15 + 312.0 / 625), 1e-18);
    }

    @Test
    void fineTuneScheduleEndsAtMinLr() {
        LrSchedule s = LrSchedule.warmupCosine(2e-3, 1e-6, 20, 100);
        assertEquals(1e-4, s.at(1), 1e-15);
        assertEquals(1e-6 + (2e-3 - 1e-6) * 0.5, s.at(60), 1e-15);
        assertEquals(1e-6, s.at(100), 1e-18);
        assertEquals(1e-6, s.at(120), 1e-18);
    }

    @Test
    void noWarmupStartsAtTheFullRate() {
        assertEquals(1.6, LrSchedule.warmupCosine(1.6, 0, 0, 90).at(0), 0);
    }

    @Test
    void aWarmupAsLongAsTheRunRampsToThePeakAtTheEnd() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 0, 2, 2);
        assertEquals(0.5e-3, s.at(1), 1e-15);
        assertEquals(0.999e-3, s.at(1.998), 1e-15);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 0, 31, 30));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 1e-2, 0, 30));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 0, 1, 30).at(-1));
    }
}
