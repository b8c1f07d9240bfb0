package io.promptlog.compactor;

import java.util.List;
import java.util.Map;

/**
 * Counters of one {@link Compactor} since it was opened.
 *
 * @param runs              compaction passes done (each {@code runOnce} or background tick that wrote)
 * @param callsWritten      rows written to calls files
 * @param filesWritten      Parquet files committed (calls, system prompts, tool definitions)
 * @param bytesWritten      bytes of those files
 * @param recordsRead       valid queue records read
 * @param corruptRecords    damaged queue stretches skipped (one damaged record, or garbage up to the next valid record)
 * @param textRetained      rows that kept their full text
 * @param redactions        replacements made by the redactor
 * @param systemPromptsWritten distinct system prompts written
 * @param toolDefinitionsWritten distinct tool definitions written
 * @param queueFilesDeleted queue cycle files deleted after compaction
 * @param errors            failed passes and other errors (each also sets {@code lastError})
 * @param lastError         the most recent problem (a skipped corrupt record says shard and index), or null
 * @param committed         committed queue index per shard (-1 = nothing committed)
 * @param skippedStretches  each damaged queue stretch skipped, named by file, byte range and indexes (the first hundred)
 * @param textsLost         calls stored without their system prompt or tools because the queue record that defined
 *                          that text was destroyed by damage (attribute {@code promptlog.lost_text} names the fields)
 * @param duplicatesDropped calls left out because their call_id was already stored on their date (or twice in one
 *                          batch): a call logged twice, or imported while also in the queue, is stored once
 */
public record CompactorStats(long runs, long callsWritten, long filesWritten, long bytesWritten, long recordsRead,
                             long corruptRecords, long textRetained, long redactions, long systemPromptsWritten,
                             long toolDefinitionsWritten, long queueFilesDeleted, long errors, String lastError,
                             Map<Integer, Long> committed, List<String> skippedStretches, long textsLost,
                             long duplicatesDropped) {
}
