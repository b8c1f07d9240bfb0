package io.promptlog.compactor;

import java.util.Map;

/**
 * Counters of one {@link Compactor} since it was opened.
 *
 * @param runs              compaction passes done (each {@code runOnce} or background tick that wrote)
 * @param callsWritten      rows written to calls files
 * @param filesWritten      Parquet files committed (calls, system prompts, tool definitions)
 * @param bytesWritten      bytes of those files
 * @param recordsRead       queue records read (good and corrupt)
 * @param corruptRecords    queue records skipped because they could not be decoded
 * @param textRetained      rows that kept their full text
 * @param redactions        replacements made by the redactor
 * @param systemPromptsWritten distinct system prompts written
 * @param toolDefinitionsWritten distinct tool definitions written
 * @param queueFilesDeleted queue cycle files deleted after compaction
 * @param errors            failed passes and other errors (each also sets {@code lastError})
 * @param lastError         the most recent problem (a skipped corrupt record says shard and index), or null
 * @param committed         committed queue index per shard (-1 = nothing committed)
 */
public record CompactorStats(long runs, long callsWritten, long filesWritten, long bytesWritten, long recordsRead,
                             long corruptRecords, long textRetained, long redactions, long systemPromptsWritten,
                             long toolDefinitionsWritten, long queueFilesDeleted, long errors, String lastError,
                             Map<Integer, Long> committed) {
}
