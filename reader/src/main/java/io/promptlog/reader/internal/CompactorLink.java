package io.promptlog.reader.internal;

import io.promptlog.compactor.CompactionProgress;
import io.promptlog.compactor.internal.Hashing;
import io.promptlog.writer.Message;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the reader needs from the compactor, in one place: the committed queue index per shard
 * (so the live view shows only records not yet compacted) and the compactor's definition of the
 * dataset's hashes (so a live row hashes like its compacted self).
 */
public final class CompactorLink {
    private static final ThreadLocal<Hashing> HASHING = ThreadLocal.withInitial(Hashing::new);

    private CompactorLink() {
    }

    /** Shard number -> highest committed queue index, for the home whose queue is {@code queueDir}. */
    public static Map<Integer, Long> committedIndexes(Path queueDir, Path dataDir) {
        Path home = queueDir.toAbsolutePath().getParent();
        return CompactionProgress.committed(home, dataDir.toAbsolutePath());
    }

    static String textHash(String text) {
        return text == null ? null : HASHING.get().text(text);
    }

    static String inputHash(List<Message> messages) {
        return HASHING.get().messages(messages);
    }

    static String outputHash(String response) {
        return response == null ? null : HASHING.get().text(response);
    }
}
