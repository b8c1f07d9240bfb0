package io.promptlog.compactor.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Test-only crash injection: the named steps of a commit, where a kill -9 must lose and duplicate nothing.
 * A crash test starts a compactor JVM with {@code -Dpromptlog.test.crashAt=<step>:<n>}; the n-th time
 * (from 1) the process reaches that step it prints {@code crash-point <step> <n>} on stdout and parks the
 * committing thread for good, so the test can SIGKILL it exactly there. Without the property (every real
 * deployment) {@link #reached} is a test of a static final boolean that the JIT folds away.
 *
 * <p>The steps, in the order a batch commits them (see {@code BatchCommitter}):
 * <ul>
 * <li>{@link #TEMP_WRITTEN}: a temp Parquet file (system prompts, tools or one date's calls) is written
 * but not fsynced;</li>
 * <li>{@link #TEMP_FSYNCED}: it is fsynced, not renamed;</li>
 * <li>{@link #RENAMED}: renamed to its final name, the directory not yet fsynced (for a batch of calls
 * over several dates: between the renames of one batch);</li>
 * <li>{@link #BATCH_RENAMED}: every file of the batch in place, the checkpoint not yet written;</li>
 * <li>{@link #CHECKPOINT_TEMP}: the checkpoint's temp file written and fsynced, not renamed;</li>
 * <li>{@link #CHECKPOINTED}: the checkpoint renamed into place, before the next batch.</li>
 * </ul>
 */
public final class CrashPoints {
    public static final String PROPERTY = "promptlog.test.crashAt";
    public static final String TEMP_WRITTEN = "temp-written";
    public static final String TEMP_FSYNCED = "temp-fsynced";
    public static final String RENAMED = "renamed";
    public static final String BATCH_RENAMED = "batch-renamed";
    public static final String CHECKPOINT_TEMP = "checkpoint-temp";
    public static final String CHECKPOINTED = "checkpointed";
    public static final java.util.List<String> ALL =
            java.util.List.of(TEMP_WRITTEN, TEMP_FSYNCED, RENAMED, BATCH_RENAMED, CHECKPOINT_TEMP, CHECKPOINTED);

    private static final String STEP;
    private static final int NTH;
    private static final boolean ENABLED;
    private static final AtomicInteger REACHED = new AtomicInteger();

    static {
        String spec = System.getProperty(PROPERTY);
        String step = null;
        int nth = 0;
        if (spec != null && !spec.isBlank()) {
            int colon = spec.lastIndexOf(':');
            step = colon < 0 ? spec : spec.substring(0, colon);
            nth = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
            if (!ALL.contains(step) || nth < 1) {
                throw new IllegalArgumentException(PROPERTY + " must be <step>[:<n>] with step one of " + ALL
                        + " and n >= 1, was " + spec);
            }
        }
        STEP = step;
        NTH = nth;
        ENABLED = step != null;
    }

    private CrashPoints() {
    }

    /** Marks that the committing thread has reached {@code step}; parks it for good at the chosen one. */
    static void reached(String step) {
        if (ENABLED && STEP.equals(step) && REACHED.incrementAndGet() == NTH) {
            synchronized (System.out) {
                System.out.println("crash-point " + step + " " + NTH);
                System.out.flush();
            }
            while (true) {
                LockSupport.park(); // the test kills the process here with SIGKILL
            }
        }
    }
}
