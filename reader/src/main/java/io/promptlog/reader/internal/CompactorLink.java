package io.promptlog.reader.internal;

import io.promptlog.writer.Message;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the reader needs from the compactor, in one place: the committed queue index per shard
 * (so the live view shows only records not yet compacted) and the compactor's definition of the
 * input/output hashes.
 */
public final class CompactorLink {
    private CompactorLink() {
    }

    /** Shard number -> highest committed queue index, for the home whose queue is {@code queueDir}. */
    public static Map<Integer, Long> committedIndexes(Path queueDir, Path dataDir) {
        return Map.of(); // TODO(compactor): CompactionProgress
    }

    static String inputHash(List<Message> messages) {
        return null; // TODO(compactor)
    }

    static String outputHash(String response) {
        return response == null ? null : CallHashes.textHash(response);
    }
}
