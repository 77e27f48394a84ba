package dev.semaim.run;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressLineTest {
    private static String drive(boolean interactive) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine p = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), interactive, 2);
        for (int it = 0; it < 5; it++) {
            p.update(0, 3, it, 5, 1.0 / (it + 1), 0.5, 1e-4, 100, 3725);
        }
        p.message("done");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainOutputPrintsEveryNthIterationAndTheLastOnItsOwnLine() {
        String out = drive(false);
        assertEquals("""
                Epoch: [0/3]  [1/5]  loss 0.5000 (avg 0.5000)  lr 1.000e-04  100.0 img/s  ETA 1:02:05
                Epoch: [0/3]  [3/5]  loss 0.2500 (avg 0.5000)  lr 1.000e-04  100.0 img/s  ETA 1:02:05
                Epoch: [0/3]  [4/5]  loss 0.2000 (avg 0.5000)  lr 1.000e-04  100.0 img/s  ETA 1:02:05
                done
                """, out.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void consoleOutputRewritesOneLineAndEndsItAtTheEpochEnd() {
        String out = drive(true);
        assertTrue(out.startsWith("\rEpoch: [0/3]  [0/5]  loss 1.0000"), out); // first draw; later ones at most 4 per second
        assertTrue(out.contains("\rEpoch: [0/3]  [4/5]  loss 0.2000"), out);   // the epoch's last iteration is always drawn
        assertFalse(out.contains("\n\rEpoch"), out);                            // rewritten in place, not on new lines
        assertTrue(out.endsWith("ETA 1:02:05" + System.lineSeparator() + "done" + System.lineSeparator()), out);
    }

    @Test
    void durations() {
        assertEquals("0:59", ProgressLine.duration(59.4));
        assertEquals("1:00:00", ProgressLine.duration(3600));
        assertEquals("?", ProgressLine.duration(Double.NaN));
    }
}
