package io.promptlog.compactor;

/**
 * What one compaction pass did.
 *
 * @param callsWritten   rows written
 * @param filesWritten   Parquet files committed
 * @param bytesWritten   bytes of those files
 * @param recordsRead    queue records read
 * @param corruptRecords records skipped as corrupt
 * @param elapsedNanos   wall time of the pass
 */
public record CompactionResult(long callsWritten, long filesWritten, long bytesWritten, long recordsRead,
                               long corruptRecords, long elapsedNanos) {
}
