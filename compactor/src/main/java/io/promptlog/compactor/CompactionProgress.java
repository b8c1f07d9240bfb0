package io.promptlog.compactor;

import io.promptlog.compactor.internal.Checkpoint;
import io.promptlog.compactor.internal.DatasetLayout;
import io.promptlog.compactor.internal.QueueIdentity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How far a home's queue has been compacted into a dataset, for readers that show queue records not
 * yet in Parquet: a record of shard {@code s} with Chronicle index {@code i} is in the dataset exactly
 * when {@code i <= committed(home, data).getOrDefault(s, -1L)}.
 *
 * <p>Read from the compactor's checkpoint, which is written right after each batch's files are renamed
 * into place. After a compactor crash between those two steps the checkpoint lags until the compactor
 * next starts (it then repairs it), so for that short window a reader may see a batch both in Parquet
 * and in the queue; it never misses a record.
 */
public final class CompactionProgress {
    private CompactionProgress() {
    }

    /** Committed index per shard; absent (or -1) means nothing of that shard is committed. */
    public static Map<Integer, Long> committed(Path home, Path dataDir) {
        try {
            String queueId = QueueIdentity.read(home);
            if (queueId == null) {
                return Map.of();
            }
            return Checkpoint.read(DatasetLayout.checkpointFile(dataDir, queueId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read compaction progress of " + home + " in " + dataDir, e);
        }
    }

    /** The same, for the default dataset {@code home/data}. */
    public static Map<Integer, Long> committed(Path home) {
        return committed(home, io.promptlog.writer.PromptLogHome.dataDir(home));
    }
}
