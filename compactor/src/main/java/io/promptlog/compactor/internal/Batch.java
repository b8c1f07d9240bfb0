package io.promptlog.compactor.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of one contiguous index range of one shard, and the texts they introduce. */
public final class Batch {
    /** Rough heap bytes of a row beyond its retained text. */
    static final long ROW_OVERHEAD_BYTES = 1024;

    final int shard;
    long first = -1;
    long last = -1;
    final List<CompactedCall> rows = new ArrayList<>();
    /** The queue index each row stands at (parallel to {@link #rows}; a joined call stands at its request half). */
    final List<Long> rowIndexes = new ArrayList<>();
    /** Request halves of two-phase calls read in this batch and not joined yet, by queue index. */
    final java.util.TreeMap<Long, HalfJoiner.Pending> pending = new java.util.TreeMap<>();
    long estimatedBytes;
    long corrupt;
    /** Calls stored incomplete earlier that a late response in this batch completes, by the index of their new row. */
    final java.util.TreeMap<Long, LateCompletions.Superseded> superseded = new java.util.TreeMap<>();
    /** Texts the rows use that no text file held when they were found: committed with the batch. */
    final Map<String, TextEntry> newPrompts = new LinkedHashMap<>();
    final Map<String, TextEntry> newTools = new LinkedHashMap<>();
    /**
     * Texts the rows use that a text file held when they were found: kept so that the commit can store one
     * again if another compactor's erasure removed it before this batch's calls became visible.
     */
    final Map<String, TextEntry> storedPrompts = new LinkedHashMap<>();
    final Map<String, TextEntry> storedTools = new LinkedHashMap<>();

    Batch(int shard) {
        this.shard = shard;
    }

    void include(long index) {
        if (first < 0) {
            first = index;
        }
        last = index;
    }

    boolean hasRange() {
        return last >= 0;
    }

    void add(CompactedCall row, long index, long retainedChars) {
        rows.add(row);
        rowIndexes.add(index);
        estimatedBytes += ROW_OVERHEAD_BYTES + 2 * retainedChars;
    }

    /** A late completion stored at {@code index} replaces the incomplete row of its call (see {@link LateCompletions}). */
    void supersede(LateCompletions.Superseded s, long index) {
        superseded.put(index, s);
    }

    /** Forgets late completions whose row was not stored after all (it could not be processed). */
    void keepSupersededWithRows() {
        superseded.keySet().retainAll(new java.util.HashSet<>(rowIndexes));
    }

    /** The call_ids whose incomplete rows this batch's late completions replace. */
    java.util.Set<String> supersededCallIds() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        superseded.values().forEach(s -> ids.add(s.callId()));
        return ids;
    }

    /** Ends the batch just before {@code index}: drops the rows standing at it or later. */
    void cutBefore(long index) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rowIndexes.get(i) >= index) {
                rows.remove(i);
                rowIndexes.remove(i);
            }
        }
        pending.tailMap(index, true).clear();
        superseded.tailMap(index, true).clear();
        if (index <= first) {
            first = -1;
            last = -1;
        } else {
            last = index - 1;
        }
    }
}
