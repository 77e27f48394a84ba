package dev.semaim.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on the terminal: on an interactive console one line rewritten in place (carriage
 * return, at most a few times per second); otherwise (log files, CI) a plain line every {@code printEvery}
 * iterations and at the end of each epoch. Warnings and notes go to a second stream (stderr from the CLI), so
 * a log of stdout holds progress only and a pipe's reader sees problems apart from it.
 */
public final class ProgressLine {
    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private final int printEvery;
    private long lastDraw;
    private int drawnLength;

    /** Everything, warnings too, to {@code out} (a test's or a caller's single log). */
    public ProgressLine(PrintStream out, boolean interactive, int printEvery) {
        this(out, out, interactive, printEvery);
    }

    /** Progress to {@code out}, warnings and notes to {@code err}. */
    public ProgressLine(PrintStream out, PrintStream err, boolean interactive, int printEvery) {
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.printEvery = printEvery;
        this.lastDraw = System.nanoTime() - REDRAW_NANOS; // the first update draws
    }

    /** Prints nothing: the processes of a data-parallel run other than rank 0 (the official code's non-master ranks). */
    public static ProgressLine silent() {
        PrintStream nowhere = new PrintStream(java.io.OutputStream.nullOutputStream());
        return new ProgressLine(nowhere, nowhere, false, Integer.MAX_VALUE);
    }

    /** Interactive when a console is attached and stdout is that console. */
    public static ProgressLine forTerminal(PrintStream out, PrintStream err, int printEvery) {
        return new ProgressLine(out, err, System.console() != null && out == System.out, printEvery);
    }

    /**
     * Reports iteration {@code iter} (0-based) of epoch {@code epoch} (0-based) of {@code epochs} (0 when a
     * time limit, not an epoch count, ends the run); ETA covers the whole run.
     */
    public void update(int epoch, int epochs, int iter, int itersPerEpoch, double loss, double avgLoss, double lr,
                       double imagesPerS, double etaSeconds) {
        boolean last = iter == itersPerEpoch - 1;
        // MAE's header: 0-based epoch and iteration, as in log.txt, checkpoints and messages
        String text = String.format(Locale.ROOT, "Epoch: [%s]  [%d/%d]  loss %.4f (avg %.4f)  lr %.3e  %.1f img/s  ETA %s",
                epochs > 0 ? epoch + "/" + epochs : Integer.toString(epoch), iter, itersPerEpoch, loss, avgLoss, lr, imagesPerS, duration(etaSeconds));
        if (interactive) {
            long now = System.nanoTime();
            if (!last && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            out.print("\r" + text + " ".repeat(Math.max(0, drawnLength - text.length())));
            drawnLength = text.length();
            if (last) {
                out.println();
                drawnLength = 0;
            }
            out.flush();
        } else if (last || (iter + 1) % printEvery == 0) {
            out.println(text);
        }
    }

    /** Prints a message on its own line (ending an in-place line first). */
    public void message(String text) {
        endLine();
        out.println(text);
    }

    /** Prints "warning: " and the text on the error stream: something is wrong and the run goes on without it. */
    public void warning(String text) {
        endLine();
        err.println("warning: " + text);
    }

    /** Prints "note: " and the text on the error stream: the run does something other than the flags say. */
    public void note(String text) {
        endLine();
        err.println("note: " + text);
    }

    /** Ends an in-place line, so the next text starts on a line of its own (on a terminal both streams share it). */
    private void endLine() {
        if (interactive && drawnLength > 0) {
            out.println();
            out.flush();
            drawnLength = 0;
        }
    }

    /** h:mm:ss (or m:ss under an hour); "?" when unknown. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
