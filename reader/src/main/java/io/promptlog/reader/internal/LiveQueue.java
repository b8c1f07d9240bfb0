package io.promptlog.reader.internal;

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
 * Reads the calls still in a queue directory that the compactor has not committed yet: per shard, every
 * record after the shard's committed index (all of them when no progress is known). Corrupt records are
 * counted, not thrown: the compactor reports them in detail.
 */
public final class LiveQueue {
    /** What one read found. */
    public record Snapshot(List<LlmCall> calls, long corruptRecords, List<String> problems) {
    }

    private LiveQueue() {
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

    /**
     * @param committed shard number -> highest compacted queue index (absent: nothing known, read all)
     */
    public static Snapshot read(Path queueDir, Map<Integer, Long> committed) {
        List<LlmCall> calls = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long corrupt = 0;
        for (Path shard : shardDirs(queueDir)) {
            if (!hasCycleFiles(shard)) {
                continue;
            }
            Long after = committed.get(PromptLogHome.shardNumber(shard));
            try (ShardCursor cursor = ShardCursor.open(shard)) {
                if (after != null) {
                    cursor.moveAfter(after);
                }
                while (cursor.next()) {
                    try {
                        calls.add(cursor.decode());
                    } catch (CorruptRecordException e) {
                        corrupt++;
                        if (problems.size() < 10) {
                            problems.add(shard.getFileName() + " index " + Long.toHexString(cursor.index()) + ": " + e.getMessage());
                        }
                    }
                }
            } catch (RuntimeException e) {
                problems.add("cannot read queue shard " + shard + ": " + e);
            }
        }
        return new Snapshot(calls, corrupt, problems);
    }

    private static boolean hasCycleFiles(Path shard) {
        try (Stream<Path> s = Files.list(shard)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
