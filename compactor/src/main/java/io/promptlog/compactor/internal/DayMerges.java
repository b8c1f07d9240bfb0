package io.promptlog.compactor.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * When the compactor merges closed days ({@link DayMerger}): all of them on request, or at most one per
 * background pass, looking for a due day at most once a minute when none was due, and leaving a day whose merge
 * failed alone until a restart. Not thread-safe: the compactor's passes are serial.
 */
final class DayMerges {
    /** How often a background pass looks for a closed day to merge once it found none. */
    static final long IDLE_MERGE_CHECK_MILLIS = 60_000;

    private final Path data;
    private final DayMerger merger;
    private final StatsCounters stats;
    private final Clock clock;

    DayMerges(Path data, DayMerger merger, StatsCounters stats, Clock clock) {
        this.data = data;
        this.merger = merger;
        this.stats = stats;
        this.clock = clock;
    }

    /** Days whose merge failed: background passes skip them until a restart. */
    private final java.util.Set<java.time.LocalDate> unmergeable = new java.util.HashSet<>();
    /** When a background pass last found no closed day to merge; null: it merged one (look again next pass). */
    private Long idleMergeCheckMillis;

    /**
     * Merges closed days' small calls files ({@link DayMerger}) under the dataset's merge lock, after finishing
     * any merge a crash interrupted. {@code allDays}: every closed day, waiting for the lock; otherwise at most
     * one day, and nothing when another process holds the lock (a background pass). A merge in progress is
     * given up (rolled back, nothing left behind) as soon as {@code cancelled} says so: a closing compactor does
     * not wait for a large day.
     */
    io.promptlog.compactor.MergeResult merge(boolean allDays, java.util.function.Consumer<String> progress,
                                             java.util.function.BooleanSupplier cancelled) throws IOException {
        long now = clock.millis();
        if (!allDays && idleMergeCheckMillis != null && now >= idleMergeCheckMillis
                && now - idleMergeCheckMillis < IDLE_MERGE_CHECK_MILLIS) {
            // nothing was due a moment ago: a background pass looks again once a minute, not every interval
            return new io.promptlog.compactor.MergeResult(0, 0, 0, 0, 0, 0, 0, 0, false);
        }
        try (DatasetLock l = allDays ? DatasetLock.merge(data) : DatasetLock.tryMerge(data)) {
            if (l == null) {
                return new io.promptlog.compactor.MergeResult(0, 0, 0, 0, 0, 0, 0, 0, true);
            }
            int recovered = merger.recover(progress);
            int days = 0;
            int merged = 0;
            int written = 0;
            long calls = 0;
            long dups = 0;
            long before = 0;
            long after = 0;
            for (java.time.LocalDate day : merger.dueDays()) {
                if (!allDays && unmergeable.contains(day)) {
                    continue;
                }
                DayMerger.Outcome o;
                try {
                    o = merger.mergeDay(day, progress, cancelled);
                } catch (DayMerger.Cancelled e) {
                    merger.recover(progress);
                    progress.accept("gave up the merge of " + day + ": the compactor is closing");
                    break;
                } catch (IOException | RuntimeException e) {
                    // a damaged source, a full disk: undo what was written, report, go on with the other days;
                    // background passes leave that day alone until the compactor restarts
                    stats.error("cannot merge the calls files of " + day + ": " + e);
                    progress.accept("cannot merge the calls files of " + day + ": " + e);
                    unmergeable.add(day);
                    merger.recover(progress);
                    continue;
                }
                if (o == null) {
                    continue;
                }
                days++;
                merged += o.sourcesMerged();
                written += o.filesWritten();
                calls += o.rows();
                dups += o.duplicatesDropped();
                before += o.bytesBefore();
                after += o.bytesAfter();
                if (!allDays) {
                    break;
                }
            }
            stats.filesMerged.addAndGet(merged);
            idleMergeCheckMillis = days == 0 ? Long.valueOf(now) : null;
            return new io.promptlog.compactor.MergeResult(days, merged, written, calls, dups, before, after, recovered, false);
        }
    }
}
