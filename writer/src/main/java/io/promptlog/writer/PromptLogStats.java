package io.promptlog.writer;

/**
 * A snapshot of a {@link PromptLog}'s counters, summed over every thread that has logged. Problems are
 * counted here rather than thrown or logged: poll this (or run {@code promptlog stats}) to see them.
 *
 * @param appended          records in the queue
 * @param appendedBytes     bytes of those records (record bodies, excluding Chronicle's 4-byte headers)
 * @param truncated         appended records whose largest text fields were cut to fit
 * @param droppedClosed     appends after {@link PromptLog#close()}
 * @param droppedUnavailable appends while the queue could not be opened
 * @param droppedIoError    appends that failed writing (disk full, mapping failure)
 * @param droppedTooLarge   records that could not fit even with every text emptied
 * @param droppedError      appends that hit an unexpected error
 * @param rejectedFields    setter calls ignored because the field's type did not match the setter
 * @param abandoned         records begun and then begun again without commit (the first is discarded)
 * @param rejectedHandles   completions of {@link PromptLog#resume(long)} whose handle named no request half
 *                          in the queue (nothing was written; {@link AppendStatus#REJECTED_HANDLE})
 * @param headerlessCycleFiles cycle files without a header (left by a writer killed while creating them) that
 *                          {@link PromptLog#open} renamed to {@code *.discard} instead of waiting on them; their
 *                          names are in {@code lastError}
 * @param shardCount        queue shards in use
 * @param lastError         the most recent error's description, or null
 */
public record PromptLogStats(long appended, long appendedBytes, long truncated, long droppedClosed,
                             long droppedUnavailable, long droppedIoError, long droppedTooLarge,
                             long droppedError, long rejectedFields, long abandoned, long rejectedHandles,
                             int headerlessCycleFiles, int shardCount,
                             String lastError) {

    /** All dropped records, whatever the reason. */
    public long dropped() {
        return droppedClosed + droppedUnavailable + droppedIoError + droppedTooLarge + droppedError;
    }
}
