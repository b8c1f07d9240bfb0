package io.promptlog.compactor.internal;

import io.promptlog.compactor.CompactorConfig;
import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.CorruptStretch;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.RecordDecoder;
import io.promptlog.writer.ShardCursor;
import io.promptlog.writer.TextInterner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the shards of one queue into batches: per shard a cursor (and a second one to look ahead for the
 * response halves of a batch's pending requests), the decoding of each record, the join of two-phase
 * halves ({@link HalfJoiner}), and the count of damaged queue stretches. Each call read goes to the
 * {@link CallProcessor}, which turns it into a row of the batch.
 *
 * <p>Split from {@link CompactionEngine}, which decides what to read (from the checkpoint, when a shard is
 * due) and commits the batches; this class owns everything that touches a queue cursor. Cursors belong to
 * one thread at a time: {@link #ownedBy(Thread)} hands them over when passes move to another thread. Not
 * thread-safe.
 */
final class ShardReader implements AutoCloseable {
    /** One shard's reading state. */
    static final class Shard {
        final int number;
        final Path dir;
        private ShardCursor cursor;
        private ShardCursor lookahead;
        private int skippedSeen;
        private long pendingSinceMillis = -1;

        private Shard(int number, Path dir) {
            this.number = number;
            this.dir = dir;
        }

        /** Positions the cursor so that {@link #next()} goes to the first record after {@code index}. */
        void moveAfter(long index) {
            cursor.moveAfter(index);
        }

        /** Moves to the next record; false at the end of what is written. */
        boolean next() {
            return cursor.next();
        }

        /** Queue index of the record under the cursor. */
        long index() {
            return cursor.index();
        }

        /** Forgets when this shard's oldest waiting record was first seen (its records were committed). */
        void drained() {
            pendingSinceMillis = -1;
        }
    }

    private final CompactorConfig config;
    private final StatsCounters stats;
    private final CallProcessor processor;
    private final HalfJoiner joiner;
    /** Repeated system prompts decode to one shared String, so the processor's caches hit in O(1). */
    private final TextInterner interner = TextInterner.cache(256);
    private final long[] joinedAt = new long[1];
    private final Map<Integer, Shard> shards = new TreeMap<>();
    /** file@byte of every damaged stretch already counted. */
    private final Set<String> reportedStretches = new HashSet<>();
    /** The thread that read last (queue cursors belong to one thread at a time). */
    private Thread owner;

    ShardReader(CompactorConfig config, StatsCounters stats, CallProcessor processor, HalfJoiner joiner) {
        this.config = config;
        this.stats = stats;
        this.processor = processor;
        this.joiner = joiner;
    }

    /** Hands the cursors over to {@code thread} if the last reads were another thread's (which is done with them). */
    void ownedBy(Thread thread) {
        if (owner == thread) {
            return;
        }
        for (Shard st : shards.values()) {
            if (st.cursor != null) {
                st.cursor.handOver();
            }
            if (st.lookahead != null) {
                st.lookahead.handOver();
            }
        }
        owner = thread;
    }

    /** The shard with its cursor open, or null (counted as a note) if its directory cannot be read now. */
    Shard shard(int number, Path dir) {
        Shard st = shards.computeIfAbsent(number, n -> new Shard(n, dir));
        if (st.cursor == null) {
            if (!Files.isDirectory(dir)) {
                return null;
            }
            try {
                st.cursor = ShardCursor.open(dir);
                st.skippedSeen = 0;
            } catch (RuntimeException e) {
                stats.note("cannot open queue shard " + dir + " for reading (skipped this pass): " + e);
                return null;
            }
        }
        return st;
    }

    /** Directory of every shard seen, by shard number. */
    Map<Integer, Path> dirs() {
        Map<Integer, Path> dirs = new TreeMap<>();
        shards.forEach((n, st) -> dirs.put(n, st.dir));
        return dirs;
    }

    /**
     * Whether the shard has {@code minBatchRows} records after {@code from}, or has had at least one waiting
     * for {@code maxBatchDelayMillis}.
     */
    boolean due(Shard st, long from) {
        st.cursor.moveAfter(from);
        int n = 0;
        while (n < config.minBatchRows() && st.cursor.next()) {
            n++;
        }
        if (n == 0) {
            st.pendingSinceMillis = -1;
            return false;
        }
        long now = config.clock().millis();
        if (st.pendingSinceMillis < 0) {
            st.pendingSinceMillis = now;
        }
        return n >= config.minBatchRows() || now - st.pendingSinceMillis >= config.maxBatchDelayMillis();
    }

    /** Reads the record under the cursor into the batch. */
    void read(Shard st, Batch b) {
        long idx = st.cursor.index();
        b.include(idx);
        stats.recordsRead.incrementAndGet();
        LlmCall call;
        long at = idx;
        try {
            call = decode(st, idx);
            int kind = st.cursor.kind();
            if (kind == RecordDecoder.KIND_REQUEST) {
                b.pending.put(idx, new HalfJoiner.Pending(idx, call, st.cursor.writerProcess()));
                return;
            }
            if (kind == RecordDecoder.KIND_RESPONSE) {
                long req = RecordDecoder.requestIndex(st.cursor.buffer(), 0, st.cursor.length());
                call = joiner.response(b, idx, req, call, joinedAt, () -> lookahead(st), interner);
                if (call == null) {
                    return;
                }
                at = joinedAt[0];
            }
        } catch (CorruptRecordException e) {
            b.corrupt++;
            stats.corruptRecords.incrementAndGet();
            stats.note("skipped corrupt queue record in shard " + st.number + " at index " + idx + " (0x"
                    + Long.toHexString(idx) + "): " + e.getMessage());
            return;
        }
        store(st, b, call, at);
    }

    /**
     * Decodes the record under the cursor. A record whose system prompt or tools text was defined in a record
     * lost to queue damage is still stored (metadata, messages, response), without that text and with the
     * attribute {@value ShardCursor#LOST_TEXT_ATTRIBUTE} naming the missing fields; it is counted and named as a note.
     */
    private LlmCall decode(Shard st, long idx) throws CorruptRecordException {
        try {
            return st.cursor.decode(interner);
        } catch (CorruptRecordException e) {
            if (e.reason() != RecordDecoder.UNRESOLVED_REFERENCE) {
                throw e;
            }
            List<String> lost = new ArrayList<>(2);
            LlmCall call = st.cursor.decodeKeepingMetadata(interner, lost);
            if (lost.isEmpty()) {
                return call;
            }
            stats.textsLost.incrementAndGet();
            stats.note("stored the call in shard " + st.number + " at index " + idx + " without its " + String.join(" and ", lost)
                    + ": " + e.getMessage());
            return call;
        }
    }

    /** Ends a batch: decides its two-phase calls still waiting for a response (see {@link HalfJoiner}). */
    void settle(Shard st, Batch b) {
        joiner.settle(b, () -> lookahead(st), interner, (call, index) -> store(st, b, call, index));
    }

    private ShardCursor lookahead(Shard st) {
        if (st.lookahead == null) {
            try {
                st.lookahead = ShardCursor.open(st.dir);
            } catch (RuntimeException e) {
                stats.note("cannot open queue shard " + st.dir + " to look ahead for responses: " + e);
            }
        }
        return st.lookahead;
    }

    private void store(Shard st, Batch b, LlmCall call, long idx) {
        try {
            processor.process(call, b, idx);
        } catch (RuntimeException e) {
            b.corrupt++;
            stats.corruptRecords.incrementAndGet();
            stats.error("skipped queue record in shard " + st.number + " at index " + idx
                    + " that could not be processed: " + e);
        }
    }

    /**
     * Counts and names the damaged queue stretches the cursor skipped that were not reported before (a
     * cursor re-reads from the committed index each pass, so it meets an uncommitted stretch again).
     */
    void reportSkipped(Shard st) {
        List<CorruptStretch> all = st.cursor.skipped();
        for (int i = st.skippedSeen; i < all.size(); i++) {
            CorruptStretch s = all.get(i);
            if (reportedStretches.add(s.file() + "@" + s.fromByte())) {
                stats.skipped(s.toString());
            }
        }
        st.skippedSeen = all.size();
    }

    @Override
    public void close() {
        for (Shard st : shards.values()) {
            if (st.cursor != null) {
                st.cursor.close();
                st.cursor = null;
            }
            if (st.lookahead != null) {
                st.lookahead.close();
                st.lookahead = null;
            }
        }
    }
}
