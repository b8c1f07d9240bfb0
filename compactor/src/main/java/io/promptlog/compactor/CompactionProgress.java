package io.promptlog.compactor;

import io.promptlog.format.Checkpoint;
import io.promptlog.writer.PromptLogHome;

import java.nio.file.Path;
import java.util.Map;

/**
 * How far a home's queue has been compacted into a dataset, for readers that show queue records not
 * yet in Parquet: a record of shard {@code s} with Chronicle index {@code i} is in the dataset exactly
 * when {@code i <= committed(home, data).getOrDefault(s, -1L)}. The same as
 * {@link Checkpoint#committed(Path, Path)} for the home's queue directory.
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
        return Checkpoint.committed(PromptLogHome.queueDir(home), dataDir);
    }

    /** The same, for the default dataset {@code home/data}. */
    public static Map<Integer, Long> committed(Path home) {
        return committed(home, PromptLogHome.dataDir(home));
    }
}
