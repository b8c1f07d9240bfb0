package io.promptlog.compactor.internal;

import java.util.concurrent.atomic.AtomicLong;

/** The compactor's counters, written by the compaction thread, read by any thread. */
public final class StatsCounters {
    public final AtomicLong runs = new AtomicLong();
    public final AtomicLong callsWritten = new AtomicLong();
    public final AtomicLong filesWritten = new AtomicLong();
    public final AtomicLong bytesWritten = new AtomicLong();
    public final AtomicLong recordsRead = new AtomicLong();
    public final AtomicLong corruptRecords = new AtomicLong();
    public final AtomicLong textRetained = new AtomicLong();
    public final AtomicLong redactions = new AtomicLong();
    public final AtomicLong systemPromptsWritten = new AtomicLong();
    public final AtomicLong toolDefinitionsWritten = new AtomicLong();
    public final AtomicLong queueFilesDeleted = new AtomicLong();
    /** Calls files whose text the text retention period erased. */
    public final AtomicLong textFilesExpired = new AtomicLong();
    /** Small calls files replaced by merged ones. */
    public final AtomicLong filesMerged = new AtomicLong();
    public final AtomicLong errors = new AtomicLong();
    /** Two-phase calls stored with status incomplete (writer gone, or no response in time). */
    public final AtomicLong incompleteCalls = new AtomicLong();
    /** Calls stored without a text whose defining queue record was lost to damage. */
    public final AtomicLong textsLost = new AtomicLong();
    /** Calls left out because the dataset (or their batch) already held their call_id on their date. */
    public final AtomicLong duplicatesDropped = new AtomicLong();
    private volatile String lastError;
    private final java.util.List<String> skippedStretches = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void error(String message) {
        errors.incrementAndGet();
        lastError = message;
    }

    /** A problem that is not a failed pass (a skipped corrupt record has its own counter). */
    public void note(String message) {
        lastError = message;
    }

    /** A damaged queue stretch skipped (counted in {@link #corruptRecords}; the first hundred are kept). */
    public void skipped(String stretch) {
        corruptRecords.incrementAndGet();
        if (skippedStretches.size() < 100) {
            skippedStretches.add(stretch);
        }
        lastError = "skipped a damaged queue stretch: " + stretch;
    }

    /** The damaged queue stretches skipped, as {@code CorruptStretch} descriptions (the first hundred). */
    public java.util.List<String> skippedStretches() {
        return java.util.List.copyOf(skippedStretches);
    }

    public String lastError() {
        return lastError;
    }
}
