package io.promptlog.compactor;

/**
 * What one {@link Compactor#erase} did. {@code callsFilesRewritten} / {@code textFilesRewritten}: Parquet
 * files replaced; {@code rowsErased}: rows whose text was erased; {@code rowsDropped}: rows removed
 * ({@code allFields}); {@code systemPromptsRemoved} / {@code toolsRemoved}: texts used only by the erased
 * calls; {@code queueFilesDeleted}: queue cycle files deleted at once; {@code queueFilesLeft}: cycle files
 * still being written (their records are compacted and erased from the dataset; the files go at the first
 * sweep after the queue rolls past them, with no grace period).
 */
public record ErasureResult(int callsFilesRewritten, int textFilesRewritten, long rowsErased, long rowsDropped,
                            int systemPromptsRemoved, int toolsRemoved, long queueFilesDeleted, int queueFilesLeft) {

    /** One line per effect, for the CLI. */
    public String describe() {
        return String.format(java.util.Locale.ROOT,
                "erased the text of %,d calls, dropped %,d calls; rewrote %d calls files and %d text files; "
                        + "removed %d system prompts and %d tool definitions used only by them; "
                        + "deleted %d queue files%s",
                rowsErased, rowsDropped, callsFilesRewritten, textFilesRewritten, systemPromptsRemoved, toolsRemoved,
                queueFilesDeleted, queueFilesLeft == 0 ? "" : "; " + queueFilesLeft
                        + " queue file(s) still being written go as soon as the queue rolls past them");
    }
}
