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
    void warningsAndNotesGoToTheErrorStreamAfterEndingTheInPlaceLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ProgressLine p = new ProgressLine(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), true, 1);
        p.update(0, 1, 0, 5, 1, 1, 1e-4, 100, 10);
        p.warning("skipping unreadable image x.jpg");
        p.note("continuing with the checkpoint's seed 3");
        p.message("data: 5 images");
        String o = out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
        assertTrue(o.startsWith("\rEpoch: [0/1]  [0/5]") && o.endsWith("ETA 0:10\ndata: 5 images\n"), o); // the line ended before the warning
        assertEquals("warning: skipping unreadable image x.jpg\nnote: continuing with the checkpoint's seed 3\n",
                err.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void durations() {
        assertEquals("0:59", ProgressLine.duration(59.4));
        assertEquals("1:00:00", ProgressLine.duration(3600));
        assertEquals("?", ProgressLine.duration(Double.NaN));
    }
}
