package io.promptlog.reader.internal;

import io.promptlog.format.DerivedValues;
import io.promptlog.format.TextHashKey;
import io.promptlog.writer.CallField;
import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.PromptLogHome;
import io.promptlog.writer.RecordDecoder;
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
 * other. Damaged stretches are skipped, counted and named ({@link #problems()}), never thrown.
 */
public final class LiveQueue implements AutoCloseable {
    private final List<Path> shards;
    private final Map<Integer, Long> committed;
    private final List<String> problems = new ArrayList<>();
    private int nextShard;
    private ShardCursor cursor;
    private LlmCall current;
    /** Request halves of the current shard still waiting for their response half, by queue index. */
    private final java.util.TreeMap<Long, LlmCall> inFlight = new java.util.TreeMap<>();
    private long corrupt;
    private final Path queueDir;


    /**
     * @param committed shard number -> highest compacted queue index (absent: nothing known, read all)
     */
    public LiveQueue(Path queueDir, Map<Integer, Long> committed) {
        this.queueDir = queueDir;
        this.shards = queueDir == null ? List.of() : shardDirs(queueDir);
        this.committed = committed;
        List<Path> discarded = new ArrayList<>();
        for (Path shard : shards) {
            discarded.addAll(PromptLogHome.discardedCycleFiles(shard));
        }
        if (!discarded.isEmpty()) {
            problems.add(discarded.size() + " cycle file(s) without a header, moved aside by a writer's open (a writer"
                    + " was killed while creating them; they hold no records and can be deleted): "
                    + (discarded.size() <= 5 ? discarded : discarded.subList(0, 5) + " and " + (discarded.size() - 5) + " more"));
        }
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

    /**
     * Decodes the record under the cursor without the system prompt or tools text that queue damage destroyed
     * (marked as the compactor stores it) into {@link #current} (null for a request half, kept for its
     * response); false when the record is damaged otherwise.
     */
    private boolean keptMetadata(CorruptRecordException e) {
        try {
            List<String> lost = new ArrayList<>(2);
            current = twoPhase(cursor.decodeKeepingMetadata(null, lost));
            if (!lost.isEmpty() && problems.size() < 10) {
                problems.add(cursor.dir().getFileName() + " index " + Long.toHexString(cursor.index()) + ": shown without its "
                        + String.join(" and ", lost) + ": " + e.getMessage());
            }
            return true;
        } catch (CorruptRecordException again) {
            current = null;
            return false;
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
                        current = twoPhase(cursor.decode());
                        if (current != null) {
                            return true;
                        }
                    } catch (CorruptRecordException e) {
                        if (e.reason() == RecordDecoder.UNRESOLVED_REFERENCE && keptMetadata(e)) {
                            if (current != null) {
                                return true;
                            }
                            continue;
                        }
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
            if (!inFlight.isEmpty()) {
                // calls sent and not (yet) completed: shown as incomplete, as the compactor would store them
                current = inFlight.pollFirstEntry().getValue().toBuilder()
                        .set(CallField.STATUS, CallField.STATUS_INCOMPLETE).build();
                return true;
            }
            corrupt += cursor.skippedCount();
            for (io.promptlog.writer.CorruptStretch s : cursor.skipped()) {
                if (problems.size() < 100) {
                    problems.add("skipped a damaged queue stretch: " + s);
                }
            }
            cursor.close();
            cursor = null;
        }
    }

    /**
     * Two-phase calls: a request half waits for its response half (same shard, later) and the two are
     * shown as one call; a response whose request is compacted already adds nothing. Null: nothing to show yet.
     */
    private LlmCall twoPhase(LlmCall call) throws CorruptRecordException {
        int kind = cursor.kind();
        if (kind == RecordDecoder.KIND_REQUEST) {
            inFlight.put(cursor.index(), call);
            return null;
        }
        if (kind == RecordDecoder.KIND_RESPONSE) {
            long request = RecordDecoder.requestIndex(cursor.buffer(), 0, cursor.length());
            LlmCall half = inFlight.remove(request);
            if (half != null) {
                return RecordDecoder.joinHalves(half, call);
            }
            return request >= 0 ? null : call;
        }
        return call;
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

    /** Up to a hundred descriptions of what could not be read (each damaged stretch: file, bytes, indexes). */
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
