package io.promptlog.compactor.internal;

import io.promptlog.writer.CallField;
import io.promptlog.writer.CorruptRecordException;
import io.promptlog.writer.LlmCall;
import io.promptlog.writer.RecordDecoder;
import io.promptlog.writer.ShardCursor;
import io.promptlog.writer.TextInterner;
import io.promptlog.writer.WriterProcess;

import io.promptlog.format.DerivedValues;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Joins the two halves of two-phase calls (see {@code RecordDescriptor}, "Record kinds") into one row,
 * standing at the request half's queue index, so exactly-once by index range keeps working:
 * <ul>
 * <li>a request half waits in its batch ({@link Batch#pending}) for the response half that names its
 * index; both are in the same shard, the response later;</li>
 * <li>a response half whose request is pending in the batch completes it; one whose request is an earlier
 * batch's adds nothing (that request was stored then: joined, or incomplete); one whose request half was
 * never written (dropped at send) is stored alone;</li>
 * <li>at the end of a batch, a pending request looks ahead in its shard for its response; failing that it
 * is stored as {@code incomplete} once its writer process is gone or {@code incompleteAfter} has passed
 * since its start; otherwise the batch ends just before it, and the shard's later calls wait for the next
 * pass (they are re-read then; the live view shows them meanwhile).</li>
 * </ul>
 * A redo of a batch (crash recovery) decides the same way: a response found stays in the queue, a dead
 * writer stays dead, and time only moves on.
 *
 * <p>A response half whose request is an earlier batch's either completes a call that batch joined already
 * (it looked ahead and found this response: remembered here, so the common case reads nothing), and adds
 * nothing; or completes a call stored as {@code incomplete} (past the timeout, or its writer looked gone,
 * while the app still waited for the model): the joined call replaces the incomplete row (see
 * {@link LateCompletions}).
 */
final class HalfJoiner {
    /** A request half waiting for its response. */
    record Pending(long index, LlmCall request, WriterProcess writer) {
    }

    /** Request indexes per shard whose call a batch joined by looking ahead: their response adds nothing. */
    private static final int JOINED_AHEAD_KEPT = 1 << 16;

    private final Clock clock;
    private final Duration incompleteAfter;
    private final String localHost = WriterProcess.hostName();
    private final StatsCounters stats;
    private final LateCompletions late;
    private final Map<Integer, Set<Long>> joinedAhead = new HashMap<>();

    HalfJoiner(Clock clock, Duration incompleteAfter, StatsCounters stats, LateCompletions late) {
        this.clock = clock;
        this.incompleteAfter = incompleteAfter;
        this.stats = stats;
        this.late = late;
    }

    private Set<Long> joinedAhead(int shard) {
        return joinedAhead.computeIfAbsent(shard, s -> Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > JOINED_AHEAD_KEPT; // forgotten: its response checks the dataset instead
            }
        }));
    }

    static LlmCall join(LlmCall request, LlmCall response) {
        return RecordDecoder.joinHalves(request, response);
    }

    static LlmCall incomplete(LlmCall request) {
        return request.toBuilder().set(CallField.STATUS, CallField.STATUS_INCOMPLETE).build();
    }

    /**
     * Handles a response half read in {@code batch}: returns the row to store and sets {@code at[0]} to
     * the index it stands at, or returns null when it adds no row. {@code lookup} reads an earlier batch's
     * request half.
     */
    LlmCall response(Batch batch, long index, long requestIndex, LlmCall response, long[] at,
                     Supplier<ShardCursor> lookup, TextInterner interner) {
        if (requestIndex >= 0) {
            Pending p = batch.pending.remove(requestIndex);
            if (p != null) {
                at[0] = requestIndex;
                return join(p.request, response);
            }
            if (requestIndex < batch.first && !joinedAhead(batch.shard).remove(requestIndex)) {
                return lateCompletion(batch, index, requestIndex, response, at, lookup, interner);
            }
            // joined already (by an earlier batch through look-ahead, or in this batch by a first response),
            // or its request is damaged and was reported: nothing to add
            return null;
        }
        at[0] = index; // the request half was never written (dropped at send): keep what the response says
        return response;
    }

    /**
     * A response whose request an earlier batch stored (or a batch of an earlier process joined): when the
     * dataset holds that call as incomplete, the joined call, standing at the response, replacing it.
     */
    private LlmCall lateCompletion(Batch batch, long index, long requestIndex, LlmCall response, long[] at,
                                   Supplier<ShardCursor> lookup, TextInterner interner) {
        ShardCursor c = lookup.get();
        LlmCall request;
        try {
            if (c == null || !c.readAt(requestIndex) || c.kind() != RecordDecoder.KIND_REQUEST) {
                return null; // its cycle deleted (long after the timeout), or damaged: nothing to join
            }
            request = c.decode(interner);
        } catch (CorruptRecordException e) {
            return null;
        }
        String callId = request.callId();
        Long start = request.startTimeMicros();
        if (callId == null || start == null) {
            return null;
        }
        LateCompletions.Superseded s = new LateCompletions.Superseded(DerivedValues.date(start), callId);
        try {
            if (!late.storedIncomplete(s.date(), callId)) {
                return null; // joined by an earlier process's look-ahead
            }
        } catch (IOException e) {
            stats.error("cannot tell whether call " + callId + " was stored incomplete; its late response at index "
                    + index + " is not stored: " + e);
            return null;
        }
        batch.supersede(s, index);
        at[0] = index;
        return join(request, response);
    }

    /**
     * Decides the batch's pending requests once every record of the batch is read: looks ahead (with
     * {@code lookahead}, positioned after the batch) for their responses, stores the rest as incomplete
     * where due, and cuts the batch before the first still undecided. {@code store} adds a row at an index.
     */
    void settle(Batch batch, Supplier<ShardCursor> lookahead, TextInterner interner, RowSink store) {
        if (batch.pending.isEmpty()) {
            return;
        }
        ShardCursor c = lookahead.get();
        if (c != null) {
            c.moveAfter(batch.last);
            while (!batch.pending.isEmpty() && c.next()) {
                try {
                    if (c.kind() != RecordDecoder.KIND_RESPONSE) {
                        continue;
                    }
                    long req = RecordDecoder.requestIndex(c.buffer(), 0, c.length());
                    Pending p = batch.pending.get(req);
                    if (p != null) {
                        batch.pending.remove(req);
                        store.add(join(p.request, c.decode(interner)), req);
                        joinedAhead(batch.shard).add(req);
                    }
                } catch (CorruptRecordException e) {
                    // a damaged record ahead: the pass that reaches it reports it
                }
            }
        }
        long nowMicros = clock.millis() * 1000;
        long afterMicros = incompleteAfter.toNanos() / 1000;
        List<Long> undecided = new ArrayList<>();
        for (Map.Entry<Long, Pending> e : batch.pending.entrySet()) {
            Pending p = e.getValue();
            Long start = p.request.startTimeMicros();
            boolean timedOut = start == null || nowMicros - start >= afterMicros;
            boolean writerGone = p.writer != null && p.writer.isGoneOn(localHost);
            if (timedOut || writerGone) {
                store.add(incomplete(p.request), p.index);
                stats.incompleteCalls.incrementAndGet();
            } else {
                undecided.add(e.getKey());
            }
        }
        batch.pending.clear();
        if (!undecided.isEmpty()) {
            batch.cutBefore(undecided.get(0));
        }
    }

    /** Where settled rows go. */
    interface RowSink {
        void add(LlmCall call, long index);
    }
}
