package io.promptlog.reader.internal;

import io.promptlog.format.DerivedValues;
import io.promptlog.format.TextHashKey;
import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.ShardCursor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Streams the calls still in a queue directory that the compactor has not committed yet: per shard, every
 * record after the shard's committed index (all of them when no progress is known), one shard after the
 * other. Corrupt records are counted, not thrown: the compactor reports them in detail.
 */
public final class LiveQueue implements AutoCloseable {
    private final List<Path> shards;
    private final Map<Integer, Long> committed;
    private final List<String> problems = new ArrayList<>();
    private int nextShard;
    private ShardCursor cursor;
    private LlmCall current;
    private long corrupt;
    private final Path queueDir;


    /**
     * @param committed shard number -> highest compacted queue index (absent: nothing known, read all)
     */
    public LiveQueue(Path queueDir, Map<Integer, Long> committed) {
        this.queueDir = queueDir;
        this.shards = queueDir == null ? List.of() : shardDirs(queueDir);
        this.committed = committed;
    }

    /** The {@code shard-N} directories under a queue directory, in shard order. */
    public static List<Path> shardDirs(Path queueDir) {
        if (!Files.isDirectory(queueDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(queueDir)) {
            return s.filter(p -> Files.isDirectory(p) && PromptLogHome.shardNumber(p) >= 0)
                    .sorted((a, b) -> Integer.compare(PromptLogHome.shardNumber(a), PromptLogHome.shardNumber(b)))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list queue directory " + queueDir, e);
        }
    }

    /** The derived values of this queue's home, with its text hash key (read, or created when absent). */
    DerivedValues derivedValues() {
        try {
            return new DerivedValues(TextHashKey.readOrCreate(queueDir));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read or create the text hash key in " + queueDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Moves to the next call; false at the end of the last shard. */
    public boolean next() {
        while (true) {
            if (cursor == null && !openNextShard()) {
                current = null;
                return false;
            }
            try {
                while (cursor.next()) {
                    try {
                        current = cursor.decode();
                        return true;
                    } catch (CorruptRecordException e) {
                        corrupt++;
                        if (problems.size() < 10) {
                            problems.add(cursor.dir().getFileName() + " index " + Long.toHexString(cursor.index()) + ": "
                                    + e.getMessage());
                        }
                    }
                }
            } catch (RuntimeException e) {
                problems.add("cannot read queue shard " + cursor.dir() + ": " + e);
            }
            cursor.close();
            cursor = null;
        }
    }

    private boolean openNextShard() {
        while (nextShard < shards.size()) {
            Path shard = shards.get(nextShard++);
            if (!hasCycleFiles(shard)) {
                continue;
            }
            try {
                ShardCursor c = ShardCursor.open(shard);
                Long after = committed.get(PromptLogHome.shardNumber(shard));
                if (after != null) {
                    c.moveAfter(after);
                }
                cursor = c;
                return true;
            } catch (RuntimeException e) {
                problems.add("cannot read queue shard " + shard + ": " + e);
            }
        }
        return false;
    }

    /** The call {@link #next()} moved to. */
    public LlmCall call() {
        return current;
    }

    public long corruptRecords() {
        return corrupt;
    }

    /** Up to ten descriptions of what could not be read. */
    public List<String> problems() {
        return problems;
    }

    private static boolean hasCycleFiles(Path shard) {
        try (Stream<Path> s = Files.list(shard)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }
}
