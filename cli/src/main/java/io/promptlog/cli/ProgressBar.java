package io.promptlog.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on stderr, redrawn with carriage returns at most every 200 ms; it draws
 * nothing until its task has run for a second, so quick tasks stay quiet.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private boolean drawn;

    private String unit = "";

    /** A bar towards {@code total}; with {@code total <= 0}, a running count instead. */
    ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    ProgressBar unit(String unit) {
        this.unit = unit;
        return this;
    }

    void update(long done) {
        update(done, null);
    }

    /** Redraws (rate-limited) with an extra note after the bar. */
    void update(long done, String note) {
        long now = System.nanoTime();
        if (now - startNanos < SHOW_AFTER_NANOS || now - lastDrawNanos < 200_000_000L) {
            return;
        }
        lastDrawNanos = now;
        draw(done, now, note);
    }

    private void draw(long done, long now, String note) {
        String tail = note == null ? "" : "  " + note;
        if (total <= 0) {
            double secs = (now - startNanos) / 1e9;
            out.printf("\r%-10s %,d %s  %,.0f/s%s   ", label, done, unit, secs > 0 ? done / secs : 0.0, tail);
            out.flush();
            drawn = true;
            return;
        }
        double f = total <= 0 ? 1 : Math.min(1.0, (double) done / total);
        int fill = (int) (f * WIDTH);
        double secs = (now - startNanos) / 1e9;
        out.printf("\r%-10s [%s%s] %5.1f%% %,d/%,d %s %,.0f/s%s   ", label, "#".repeat(fill), ".".repeat(WIDTH - fill),
                f * 100, done, total, unit, secs > 0 ? done / secs : 0.0, tail);
        out.flush();
        drawn = true;
    }

    /** Completes the line if anything was drawn. */
    void finish(long done) {
        finish(done, null);
    }

    void finish(long done, String note) {
        if (drawn) {
            draw(done, System.nanoTime(), note);
            out.println();
            out.flush();
        }
    }
}
