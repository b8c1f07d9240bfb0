package io.promptlog.compactor;

/**
 * What one {@link Compactor#mergeClosedDays} (or a background pass's merge) did. {@code daysMerged}: closed
 * days whose small calls files were merged; {@code filesMerged}: small files replaced; {@code filesWritten}:
 * merged files written; {@code calls}: rows in them; {@code duplicatesDropped}: rows whose {@code call_id}
 * was already in the day; {@code bytesBefore} / {@code bytesAfter}: sizes of the files replaced and written;
 * {@code recovered}: merges a crash interrupted, finished or undone first; {@code lockBusy}:
 * another process held the dataset's merge lock, so nothing was done.
 */
public record MergeResult(int daysMerged, int filesMerged, int filesWritten, long calls, long duplicatesDropped,
                          long bytesBefore, long bytesAfter, int recovered, boolean lockBusy) {

    /** One line, for the CLI. */
    public String describe() {
        if (lockBusy) {
            return "another process is merging or erasing in this dataset (it holds _promptlog/merge.lock); nothing merged";
        }
        return String.format(java.util.Locale.ROOT,
                "merged %d closed day(s): %,d small files (%,d bytes) into %,d (%,d bytes), %,d calls, %,d duplicate(s) dropped%s",
                daysMerged, filesMerged, bytesBefore, filesWritten, bytesAfter, calls, duplicatesDropped,
                recovered == 0 ? "" : "; finished " + recovered + " interrupted merge(s) first");
    }
}
