package io.promptlog.cli;

import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.CorruptStretch;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.RecordDecoder;
import io.promptlog.writer.ShardCursor;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The end of one queue shard, for {@code tail}: started near the end ({@link ShardCursor#toEnd}) so the records
 * before are never read, it hands over each call once it is complete. A two-phase call's request half
 * ({@code send()}) waits for its response half ({@code complete()}/{@code fail()}) and the two go out as one
 * call; a response whose request half was appended before this tail started is joined with it, read by index.
 * Request halves still waiting are {@link #inFlight()}. Damage is skipped by the cursor and named on stderr.
 *
 * <p>Records at or below the shard's committed index are in the dataset, as stored there: the tail skips
 * them (and a response half whose request half is one), so a call that {@code erase} removed or rewrote in
 * Parquet does not come back from the queue records the compactor has not swept yet.
 */
final class ShardTail implements AutoCloseable {
    /** Request halves kept waiting at most (the oldest are forgotten first: their calls may never complete). */
    static final int MAX_IN_FLIGHT = 100_000;

    private final Path shard;
    private final ShardCursor cursor;
    private final PrintWriter err;
    private final Map<Long, LlmCall> inFlight = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, LlmCall> eldest) {
            return size() > MAX_IN_FLIGHT;
        }
    };
    private final long committed;
    private ShardCursor lookup;
    private long skippedReported;

    /**
     * A tail that first hands over the last {@code records} records of the shard's last cycle (0: none; -1: every
     * record, from the shard's start), skipping those at or below {@code committed} (-1: none compacted).
     */
    ShardTail(Path shard, int records, long committed, PrintWriter err) {
        this.shard = shard;
        this.err = err;
        this.committed = committed;
        this.cursor = ShardCursor.open(shard);
        if (records >= 0) {
            cursor.toEnd(records);
        }
    }

    /** Hands every complete call read up to the current end to {@code sink}; returns how many. */
    int drain(Consumer<LlmCall> sink) {
        int n = 0;
        while (cursor.next()) {
            try {
                LlmCall call = complete(cursor.decode());
                if (call != null) {
                    sink.accept(call);
                    n++;
                }
            } catch (CorruptRecordException e) {
                // a valid record whose text reference cannot be resolved (its target lies in damage)
                err.println("warning: " + shard.getFileName() + ": " + e.getMessage());
            }
        }
        reportSkipped();
        return n;
    }

    /** The call to show for the record just read, or null while it waits for its other half. */
    private LlmCall complete(LlmCall call) throws CorruptRecordException {
        if (cursor.index() <= committed) {
            return null; // in the dataset (or erased from it)
        }
        int kind = cursor.kind();
        if (kind == RecordDecoder.KIND_REQUEST) {
            inFlight.put(cursor.index(), call);
            return null;
        }
        if (kind != RecordDecoder.KIND_RESPONSE) {
            return call;
        }
        long request = RecordDecoder.requestIndex(cursor.buffer(), 0, cursor.length());
        if (request >= 0 && request <= committed) {
            return null; // its call stands at the request half's index: in the dataset, as stored there
        }
        LlmCall half = inFlight.remove(request);
        if (half == null && request >= 0) {
            half = readRequest(request);
        }
        return half == null ? call : RecordDecoder.joinHalves(half, call);
    }

    /** The request half at {@code index}, appended before this tail started (null when it cannot be read). */
    private LlmCall readRequest(long index) {
        try {
            if (lookup == null) {
                lookup = ShardCursor.open(shard);
            }
            lookup.moveAfter(index);
            return lookup.index() == index ? lookup.decode() : null;
        } catch (CorruptRecordException | RuntimeException e) {
            err.println("warning: " + shard.getFileName() + ": the request half at index " + Long.toHexString(index)
                    + " cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** Request halves read and not completed yet (calls in flight), oldest first. */
    Iterable<LlmCall> inFlight() {
        return inFlight.values();
    }

    private void reportSkipped() {
        List<CorruptStretch> s = cursor.skipped();
        for (long i = skippedReported; i < cursor.skippedCount(); i++) {
            err.println("warning: skipped a damaged queue stretch: "
                    + (i < s.size() ? s.get((int) i) : shard.getFileName() + " (more than " + s.size() + ")"));
        }
        skippedReported = cursor.skippedCount();
    }

    @Override
    public void close() {
        cursor.close();
        if (lookup != null) {
            lookup.close();
        }
    }
}
