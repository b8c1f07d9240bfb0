package io.promptlog.synthetic;

import java.io.PrintStream;

/** A one-line text progress bar redrawn with carriage returns on a terminal stream. */
public final class Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();

    public Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    public void update(long done) {
        double f = total <= 0 ? 1 : Math.min(1.0, (double) done / total);
        int fill = (int) (f * WIDTH);
        double secs = (System.nanoTime() - startNanos) / 1e9;
        out.printf("\r%-10s [%s%s] %5.1f%% %,d/%,d %,.0f/s", label, "#".repeat(fill), ".".repeat(WIDTH - fill),
                f * 100, done, total, secs > 0 ? done / secs : 0.0);
        out.flush();
    }

    public void finish(long done) {
        update(done);
        out.println();
    }
}
